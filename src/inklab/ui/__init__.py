"""The web UI: plain ES modules served by the inklab server, talking to the public REST API."""
