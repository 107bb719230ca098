"""Server commands: ``serve``, ``worker``, ``createsuperuser``, ``migrate``."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from inklab.cli._django import add_data_dir_option, check_media_store, migrate, setup
from inklab.cli._registry import command

__all__ = ["CreateSuperuser", "Migrate", "Serve", "RunWorker"]

logger = logging.getLogger("inklab.serve")


@command("serve")
class Serve:
    name = "serve"
    help = "run the server (uvicorn in front of Django, migrations applied first)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_data_dir_option(parser)
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("INKLAB_WEB_WORKERS", 2)),
                            help="web worker processes (default 2)")
        parser.add_argument("--threads", type=int, default=int(os.environ.get("INKLAB_WEB_THREADS", 8)),
                            help="threads running requests in each web worker (default 8); waiting "
                                 "connections and request bodies hold none")
        parser.add_argument("--background-workers", type=int, default=None,
                            help="background request threads per web worker (default $INKLAB_EMBEDDED_WORKERS "
                                 "or 2; 0 when separate `inklab worker` processes run them)")

    def run(self, args: argparse.Namespace) -> int:
        if args.background_workers is not None:
            os.environ["INKLAB_EMBEDDED_WORKERS"] = str(args.background_workers)
        setup(args.data_dir)
        migrate()
        check_media_store()
        from django.conf import settings

        from inklab.server.serving.server import serve

        print(f"inklab {settings.SPECTACULAR_SETTINGS['VERSION']} serving http://{args.host}:{args.port}/ "
              f"(data: {settings.DATA_DIR}, database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})",
              flush=True)
        return serve(host=args.host, port=args.port, workers=args.workers, threads=args.threads)


@command("worker")
class RunWorker:
    name = "worker"
    help = "run background requests in this process (for deployments with separate workers)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_data_dir_option(parser)
        parser.add_argument("--threads", type=int, default=2, help="worker threads (default 2)")

    def run(self, args: argparse.Namespace) -> int:
        setup(args.data_dir)
        migrate()
        check_media_store()
        from inklab.server.requests.queue import Worker

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        print(f"inklab worker running {args.threads} thread(s); Ctrl+C stops it", flush=True)
        Worker(args.threads).run_forever()
        return 0


@command("createsuperuser")
class CreateSuperuser:
    name = "createsuperuser"
    help = "create an administrator, or reset an existing user's password and make them one"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_data_dir_option(parser)
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", default=os.environ.get("INKLAB_ADMIN_PASSWORD"),
                            help="password (default: $INKLAB_ADMIN_PASSWORD)")
        parser.add_argument("--email", default="")

    def run(self, args: argparse.Namespace) -> int:
        if not args.password:
            print("error: give --password or set INKLAB_ADMIN_PASSWORD", file=sys.stderr)
            return 2
        setup(args.data_dir)
        migrate()
        from inklab.server.iam.services import ensure_superuser

        _, created = ensure_superuser(args.username, args.password, args.email)
        print(f"{'Created' if created else 'Updated'} superuser '{args.username}'.")
        return 0


@command("migrate")
class Migrate:
    name = "migrate"
    help = "apply database migrations (serve and worker do this themselves)"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        add_data_dir_option(parser)

    def run(self, args: argparse.Namespace) -> int:
        setup(args.data_dir)
        migrate()
        print("Database is up to date.")
        return 0


