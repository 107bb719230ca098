"""Native auto-annotation functions, their annotation-request queues and the agent API.

Functions are registered by ``cvat-cli function create-native`` / ``inklab function
create-native``; agents (``... function run-agent``) serve their queues from any machine.
"""
