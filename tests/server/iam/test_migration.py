"""Migrating to organizations keeps every existing project and task in its owner's personal workspace."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("iam", "0001_initial"), ("projects", "0004_job_parent_job_task_consensus_replicas_and_more"), ("functions", "0002_interactive")]
AFTER = [("iam", "0002_organizations"), ("projects", "0005_organization"), ("functions", "0003_organization")]


@pytest.mark.django_db(transaction=True)
def test_existing_projects_tasks_and_functions_stay_personal() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="old-timer")
    project = old.get_model("projects", "Project").objects.create(name="p", owner_id=user.pk)
    task = old.get_model("projects", "Task").objects.create(name="t", owner_id=user.pk, project_id=project.pk)
    function = old.get_model("functions", "Function").objects.create(name="f", owner_id=user.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    moved = new.get_model("projects", "Task").objects.get(pk=task.pk)
    assert (moved.name, moved.project_id, moved.owner_id, moved.organization_id) == ("t", project.pk, user.pk, None)
    assert new.get_model("projects", "Project").objects.get(pk=project.pk).organization_id is None
    assert new.get_model("functions", "Function").objects.get(pk=function.pk).organization_id is None
    assert new.get_model("iam", "Organization").objects.count() == 0

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # leave the database as the other tests expect it
