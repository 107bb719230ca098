"""Projects, tasks, jobs and label specifications."""
