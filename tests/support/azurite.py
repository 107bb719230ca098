"""A real Azure Blob API for tests: Azurite, Microsoft's emulator (npm package ``azurite``), on a
free loopback port with its data in a temporary folder.

``scripts/ensure-azurite`` installs it into ``.cache/npm`` (``make services`` runs it); a test
run that finds it missing runs that script. Only a machine without node skips the Azure tests.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.live import free_port

__all__ = ["ACCOUNT", "AzuriteServer", "azurite_executable"]

ROOT = Path(__file__).resolve().parents[2]
#: Azurite's one account and its key: public values, documented with the emulator
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def azurite_executable() -> str | None:
    """The ``azurite-blob`` command, installing it when node is there and it is not; None without node."""
    if shutil.which("node") is None:
        return None
    local = ROOT / ".cache" / "npm" / "node_modules" / ".bin" / "azurite-blob"
    if not local.exists() and shutil.which("azurite-blob") is None:
        subprocess.run([str(ROOT / "scripts" / "ensure-azurite")], check=True)
    return str(local) if local.exists() else shutil.which("azurite-blob")


@dataclass
class AzuriteServer:
    executable: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    folder: str = ""

    @property
    def url(self) -> str:
        """The account's blob service URL (what ``endpoint_url`` names)."""
        return f"http://127.0.0.1:{self.port}/{ACCOUNT}"

    @property
    def connection_string(self) -> str:
        return (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
                f"BlobEndpoint={self.url};")

    def start(self) -> AzuriteServer:
        self.folder = tempfile.mkdtemp(prefix="azurite-")
        self.process = subprocess.Popen(
            [self.executable, "--blobHost", "127.0.0.1", "--blobPort", str(self.port), "--location", self.folder,
             "--skipApiVersionCheck", "--loose", "--silent"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120  # node loads slowly on a busy machine
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("azurite-blob exited early") from None
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("azurite-blob did not come up")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:  # it waits for idle client connections to close
                self.process.kill()
                self.process.wait(5)
        self.process = None
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def service(self) -> Any:
        from azure.storage.blob import BlobServiceClient

        return BlobServiceClient.from_connection_string(self.connection_string)

    def sas_token(self) -> str:
        """An account SAS that may read, list, write and create everything for an hour."""
        from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas

        return str(generate_account_sas(
            ACCOUNT, ACCOUNT_KEY, ResourceTypes(service=True, container=True, object=True),
            AccountSasPermissions(read=True, list=True, write=True, create=True, add=True),
            expiry=datetime.now(UTC) + timedelta(hours=1)))

    def container(self, name: str, files: dict[str, bytes] | None = None, *, public: bool = False) -> str:
        """Create container ``name`` holding ``files`` (name: bytes); ``public`` lets anyone list and read it."""
        client = self.service().create_container(name, public_access="container" if public else None)
        for key, data in (files or {}).items():
            client.upload_blob(key, data)
        return name

    def read(self, name: str, key: str) -> bytes:
        return bytes(self.service().get_container_client(name).download_blob(key).readall())

    def delete(self, name: str) -> None:
        self.service().delete_container(name)
