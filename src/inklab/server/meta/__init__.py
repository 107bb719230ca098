"""Server information: about, formats, plugins, the share directory, health."""
