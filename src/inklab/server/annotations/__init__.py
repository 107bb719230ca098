"""Annotations of tasks and jobs: tags, shapes (every type, skeletons with elements) and tracks."""
