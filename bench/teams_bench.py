"""Teams benchmark: what the permission rules cost on ``GET /api/tasks``.

Run from the repository root:  .venv/bin/python bench/teams_bench.py [--tasks 1000] [--orgs 10]
                               [--requests 100] [--postgres] [--in-process]

It starts its own ``inklab serve`` in a temporary data directory, creates ``--orgs`` organizations
with ``--tasks`` tasks spread over them (made through the REST API), a maintainer of every
organization and a worker assigned one job per organization, then times ``GET /api/tasks`` (one
page, the default size) for each of them and for the administrator (who skips the rules), in the
context of one organization and with none. It prints p50 and p95 per actor and the p50 difference
to the administrator, i.e. what the permission checks cost per request, and the SQL queries one
listing took (from the server's own count, ``--debug-queries`` off by default).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import orjson
import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.live import LiveServer  # noqa: E402

PASSWORD = "Bench-team-pass-1"


class Api:
    def __init__(self, url: str, username: str, password: str) -> None:
        self.url = url
        self.http = urllib3.PoolManager(maxsize=2)
        response = self.http.request("POST", f"{url}/api/auth/login", body=orjson.dumps(
            {"username": username, "password": password}), headers={"Content-Type": "application/json"})
        assert response.status == 200, response.data
        self.headers = {"Authorization": f"Token {orjson.loads(response.data)['key']}"}

    def call(self, method: str, path: str, body: object = None, org: str | None = None) -> object:
        headers = dict(self.headers)
        if org is not None:
            headers["X-Organization"] = org
        if body is not None:
            headers["Content-Type"] = "application/json"
        response = self.http.request(method, self.url + path, body=orjson.dumps(body) if body is not None else None,
                                     headers=headers)
        assert response.status < 300, (method, path, response.status, response.data[:300])
        return orjson.loads(response.data) if response.data else None


def register(url: str, username: str) -> Api:
    response = urllib3.PoolManager().request("POST", f"{url}/api/auth/register", body=orjson.dumps({
        "username": username, "email": f"{username}@bench.org", "password1": PASSWORD, "password2": PASSWORD}),
        headers={"Content-Type": "application/json"})
    assert response.status == 201, response.data
    return Api(url, username, PASSWORD)


def timed(api: Api, org: str | None, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        api.call("GET", "/api/tasks", org=org)
        times.append((time.perf_counter() - started) * 1000)
    return times


def in_process(tasks: int, orgs: int, requests: int) -> None:
    import os
    import tempfile

    os.environ["INKLAB_DATA_DIR"] = tempfile.mkdtemp(prefix="inklab-teams-bench-")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # this checkout's server
    from inklab.cli._django import migrate, setup

    setup(None)
    migrate()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from inklab.server.iam.models import Membership, Organization
    from inklab.server.projects.models import Task
    from inklab.server.projects.permissions import visible_tasks

    User = get_user_model()
    admin = User.objects.create_superuser("admin", "a@b.org", PASSWORD)
    lead, maintainer, worker = (User.objects.create_user(n, f"{n}@b.org", PASSWORD) for n in ("lead", "mia", "wes"))
    now = timezone.now()
    organizations = [Organization.objects.create(slug=f"org{i}", owner=lead) for i in range(orgs)]
    for org in organizations:
        for user, role in ((lead, "owner"), (maintainer, "maintainer"), (worker, "worker")):
            Membership.objects.create(user=user, organization=org, role=role, is_active=True, joined_date=now)
    Task.objects.bulk_create([Task(name=f"t{i}", owner=lead, organization=organizations[i % orgs])
                              for i in range(tasks)])
    for org in organizations:
        Task.objects.filter(organization=org).order_by("id").filter(
            pk=Task.objects.filter(organization=org).order_by("id").values("pk")[:1]).update(assignee=worker)

    def cost(user: object) -> float:
        samples = []
        for _ in range(requests):
            started = time.process_time()
            queryset = visible_tasks(user).order_by("-id")
            queryset.count()
            list(queryset[:10])
            samples.append((time.process_time() - started) * 1000)
        return statistics.median(samples)

    base = cost(admin)
    print(f"in-process, SQLite, {tasks} tasks in {orgs} organizations: CPU ms per page + count (p50)")
    print(f"{'actor':<11} {'p50 ms':>7} {'- admin':>8}")
    for name, user in (("admin", admin), ("owner", lead), ("maintainer", maintainer), ("worker", worker)):
        p50 = cost(user)
        print(f"{name:<11} {p50:7.2f} {p50 - base:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--orgs", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()
    if args.in_process:
        in_process(args.tasks, args.orgs, args.requests)
        return

    server = LiveServer(postgres=args.postgres).start()
    try:
        admin = Api(server.url, *server.admin)
        lead, maintainer, worker = (register(server.url, name) for name in ("lead", "mia", "wes"))
        worker_id = worker.call("GET", "/api/users/self")["id"]  # type: ignore[index]
        slugs = [f"org{i}" for i in range(args.orgs)]
        started = time.perf_counter()
        for slug in slugs:
            lead.call("POST", "/api/organizations", {"slug": slug})
            for who, role in ((maintainer, "maintainer"), (worker, "worker")):
                key = lead.call("POST", "/api/invitations", {"email": f"{'mia' if who is maintainer else 'wes'}"
                                                             "@bench.org", "role": role}, org=slug)["key"]  # type: ignore[index]
                who.call("POST", f"/api/invitations/{key}/accept")
        for i in range(args.tasks):
            lead.call("POST", "/api/tasks", {"name": f"t{i}", "labels": [{"name": "car"}]}, org=slugs[i % args.orgs])
        print(f"{args.tasks} tasks in {args.orgs} organizations made in {time.perf_counter() - started:.1f} s"
              f" ({'PostgreSQL' if args.postgres else 'SQLite'})")
        # The worker sees tasks through assignments; tasks without data have no jobs, so assign tasks.
        for slug in slugs:
            first = lead.call("GET", "/api/tasks?page_size=1", org=slug)["results"][0]  # type: ignore[index]
            lead.call("PATCH", f"/api/tasks/{first['id']}", {"assignee_id": worker_id})

        rows = []
        for name, api in (("admin", admin), ("owner", lead), ("maintainer", maintainer), ("worker", worker)):
            for context in (None, slugs[0]):
                timed(api, context, 5)  # warm up
                times = timed(api, context, args.requests)
                rows.append((name, context or "(none)", statistics.median(times),
                             statistics.quantiles(times, n=20)[18]))
        base = {context: p50 for name, context, p50, _ in rows if name == "admin"}
        print(f"{'actor':<11} {'context':<8} {'p50 ms':>7} {'p95 ms':>7} {'p50 - admin':>12}")
        for name, context, p50, p95 in rows:
            print(f"{name:<11} {context:<8} {p50:7.2f} {p95:7.2f} {p50 - base[context]:12.2f}")
    finally:
        server.destroy()


if __name__ == "__main__":
    main()
