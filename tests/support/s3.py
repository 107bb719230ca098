"""A real S3 API for tests: ``moto`` in server mode (``moto_server``) on a free loopback port."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.live import free_port

__all__ = ["S3Server"]

#: requests moto serves before it starts checking credentials: the three that create our user
_SETUP_ACTIONS = 3


@dataclass
class S3Server:
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    #: an access key pair moto checks (IAM user allowed s3:*), made by :meth:`start`
    key: str = ""
    secret: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> S3Server:
        executable = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
        env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(_SETUP_ACTIONS)}
        self.process = subprocess.Popen([executable, "-H", "127.0.0.1", "-p", str(self.port)], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/moto-api/", timeout=1):
                    self._make_user()
                    return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("moto_server exited early") from None
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("moto_server did not come up")

    def _make_user(self) -> None:
        import boto3

        iam = boto3.client("iam", endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="setup",
                           aws_secret_access_key="setup")
        iam.create_user(UserName="inklab")
        iam.put_user_policy(UserName="inklab", PolicyName="s3", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        created = iam.create_access_key(UserName="inklab")["AccessKey"]
        self.key, self.secret = created["AccessKeyId"], created["SecretAccessKey"]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1", aws_access_key_id=self.key,
                            aws_secret_access_key=self.secret)

    def bucket(self, name: str, files: dict[str, bytes] | None = None) -> str:
        """Create bucket ``name`` holding ``files`` (key: bytes)."""
        s3 = self.client()
        s3.create_bucket(Bucket=name)
        for key, data in (files or {}).items():
            s3.put_object(Bucket=name, Key=key, Body=data)
        return name
