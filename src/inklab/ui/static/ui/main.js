// inklab UI entry point
