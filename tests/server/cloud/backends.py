"""The cloud providers the API tests run against, behind one small interface: S3 on moto's
server, Azure on Azurite, Google Cloud Storage on :mod:`tests.support.gcs`.

Each :class:`Backend` makes and inspects its containers directly (not through inklab), writes
the create request for one, and names the requests its provider must refuse.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.support.azurite import ACCOUNT, AzuriteServer
from tests.support.gcs import GCSServer
from tests.support.live import free_port
from tests.support.s3 import S3Server

__all__ = ["BACKENDS", "AzureBackend", "Backend", "GCSBackend", "KeyFile", "S3Backend"]

#: the ``cloud`` fixture's parameters
BACKENDS = ("s3", "azure", "gcs")

#: one refused request: the changes to a valid body, the field of the error (None: ``detail``), words in it
Refusal = tuple[dict[str, Any], str | None, str]


class KeyFile(SimpleUploadedFile):
    """An uploaded key file that the test client may send more than once (it reads from the start)."""

    def read(self, *args: Any) -> bytes:
        self.seek(0)
        return bytes(super().read(*args))


class Backend:
    def __init__(self, provider_type: str, credentials_type: str, noun: str, request_format: str = "json") -> None:
        self.provider_type = provider_type
        self.credentials_type = credentials_type
        self.noun = noun  # what the provider calls a bucket, in messages
        self.format = request_format  # of a create or change request: key files are uploaded (multipart)

    def make(self, name: str, files: dict[str, bytes]) -> str:
        raise NotImplementedError

    def read(self, name: str, key: str) -> bytes:
        raise NotImplementedError

    def put(self, name: str, key: str, data: bytes) -> None:
        raise NotImplementedError

    def delete(self, name: str) -> None:
        """Remove the container and all it holds."""
        raise NotImplementedError

    def attributes(self) -> str:
        """``specific_attributes`` that reach the server."""
        raise NotImplementedError

    def unreachable_attributes(self) -> str:
        return f"endpoint_url=http://127.0.0.1:{free_port()}"

    def secrets(self) -> dict[str, Any]:
        """The credential fields of a create request."""
        raise NotImplementedError

    def secret_texts(self) -> list[str]:
        """Strings that no answer may hold."""
        raise NotImplementedError

    def stale_secrets(self) -> dict[str, str]:
        """Stored credentials that the storage refuses (as if changed elsewhere since)."""
        raise NotImplementedError

    def wrong_secret(self) -> dict[str, Any]:
        """A change of the secrets that the storage refuses."""
        raise NotImplementedError

    def refusals(self) -> list[Refusal]:
        """Requests about credentials and attributes that this provider must refuse."""
        raise NotImplementedError

    def body(self, resource: str) -> dict[str, Any]:
        return {"provider_type": self.provider_type, "resource": resource, "display_name": "Bucket",
                "credentials_type": self.credentials_type, **self.secrets(),
                "specific_attributes": self.attributes()}

    def post(self, client: APIClient, body: dict[str, Any], **extra: Any) -> Any:
        return client.post("/api/cloudstorages", body, format=self.format, **extra)

    def patch(self, client: APIClient, url: str, changes: dict[str, Any]) -> Any:
        return client.patch(url, changes, format=self.format)


class S3Backend(Backend):
    def __init__(self, server: S3Server) -> None:
        super().__init__("AWS_S3_BUCKET", "KEY_SECRET_KEY_PAIR", "bucket")
        self.server = server

    def make(self, name: str, files: dict[str, bytes]) -> str:
        return self.server.bucket(name, files)

    def read(self, name: str, key: str) -> bytes:
        return bytes(self.server.client().get_object(Bucket=name, Key=key)["Body"].read())

    def put(self, name: str, key: str, data: bytes) -> None:
        self.server.client().put_object(Bucket=name, Key=key, Body=data)

    def delete(self, name: str) -> None:
        client = self.server.client()
        for item in client.list_objects_v2(Bucket=name).get("Contents", []):
            client.delete_object(Bucket=name, Key=item["Key"])
        client.delete_bucket(Bucket=name)

    def attributes(self) -> str:
        return f"endpoint_url={self.server.url}&region=us-east-1"

    def secrets(self) -> dict[str, Any]:
        return {"key": self.server.key, "secret_key": self.server.secret}

    def secret_texts(self) -> list[str]:
        return [self.server.key, self.server.secret]

    def stale_secrets(self) -> dict[str, str]:
        return {"key": self.server.key, "secret_key": "rotated-elsewhere"}

    def wrong_secret(self) -> dict[str, Any]:
        return {"secret_key": "wrong-secret"}

    def refusals(self) -> list[Refusal]:
        return [
            ({"secret_key": "not-the-secret"}, None, "denied"),
            ({"key": "AKIADOESNOTEXIST0000"}, None, "denied"),
            ({"credentials_type": "ANONYMOUS_ACCESS"}, "key", "not used"),
            ({"secret_key": ""}, "secret_key", "need"),
            ({"credentials_type": "CONNECTION_STRING", "connection_string": "x"}, "credentials_type", "accept"),
            ({"specific_attributes": "project_id=p"}, "specific_attributes", "do not take 'project_id'"),
        ]


class AzureBackend(Backend):
    """An account SAS token (``ACCOUNT_NAME_TOKEN_PAIR``) with Azurite's URL as ``endpoint_url``."""

    def __init__(self, server: AzuriteServer) -> None:
        super().__init__("AZURE_CONTAINER", "ACCOUNT_NAME_TOKEN_PAIR", "container")
        self.server = server
        self.token = server.sas_token()

    def make(self, name: str, files: dict[str, bytes]) -> str:
        return self.server.container(name, files)

    def read(self, name: str, key: str) -> bytes:
        return self.server.read(name, key)

    def put(self, name: str, key: str, data: bytes) -> None:
        self.server.service().get_container_client(name).upload_blob(key, data, overwrite=True)

    def delete(self, name: str) -> None:
        self.server.delete(name)

    def attributes(self) -> str:
        return f"endpoint_url={self.server.url}"

    def unreachable_attributes(self) -> str:
        return f"endpoint_url=http://127.0.0.1:{free_port()}/{ACCOUNT}"

    def secrets(self) -> dict[str, Any]:
        return {"account_name": ACCOUNT, "session_token": self.token}

    def secret_texts(self) -> list[str]:
        return [self.token, self.token.rpartition("sig=")[2]]

    def stale_secrets(self) -> dict[str, str]:
        return {"account_name": ACCOUNT, "session_token": self.token.replace("sig=", "sig=AB")}

    def wrong_secret(self) -> dict[str, Any]:
        return {"session_token": self.token.replace("sig=", "sig=AB")}

    def refusals(self) -> list[Refusal]:
        return [
            (self.wrong_secret(), None, "denied"),
            ({"credentials_type": "ANONYMOUS_ACCESS", "session_token": ""}, None, "denied"),  # a private container
            ({"credentials_type": "ANONYMOUS_ACCESS"}, "session_token", "not used"),
            ({"session_token": ""}, "session_token", "need"),
            ({"account_name": ""}, "account_name", "need"),
            ({"credentials_type": "CONNECTION_STRING", "account_name": "", "session_token": "",
              "connection_string": "not a connection string"}, None, "cannot be reached with these credentials"),
            ({"credentials_type": "CONNECTION_STRING"}, "connection_string", "need"),
            ({"credentials_type": "KEY_SECRET_KEY_PAIR", "key": "k", "secret_key": "s"}, "credentials_type",
             "accept"),
            ({"specific_attributes": "region=eu-west-1"}, "specific_attributes", "do not take 'region'"),
        ]


class GCSBackend(Backend):
    """A service account key file (``KEY_FILE_PATH``) uploaded as CVAT's clients do (multipart)."""

    def __init__(self, server: GCSServer) -> None:
        super().__init__("GOOGLE_CLOUD_STORAGE", "KEY_FILE_PATH", "bucket", "multipart")
        self.server = server
        self.key_text = server.key_file()

    def make(self, name: str, files: dict[str, bytes]) -> str:
        return self.server.bucket(name, files)

    def read(self, name: str, key: str) -> bytes:
        return self.server.read(name, key)

    def put(self, name: str, key: str, data: bytes) -> None:
        self.server.bucket(name, {**self.server.buckets[name].objects, key: data})

    def delete(self, name: str) -> None:
        self.server.delete(name)

    def attributes(self) -> str:
        return f"endpoint_url={self.server.url}&project_id=inklab-test&location=EUROPE-WEST1"

    def secrets(self) -> dict[str, Any]:
        return {"key_file": KeyFile("key.json", self.key_text.encode(), "application/json")}

    def secret_texts(self) -> list[str]:
        return ["PRIVATE KEY", self.key_text]

    def stale_secrets(self) -> dict[str, str]:
        return {"key_file": self.server.key_file(known=False)}

    def wrong_secret(self) -> dict[str, Any]:
        return {"key_file": KeyFile("key.json", self.server.key_file(known=False).encode(), "application/json")}

    def refusals(self) -> list[Refusal]:
        return [
            (self.wrong_secret(), None, "denied"),
            ({"key_file": KeyFile("key.json", b'{"type": "user"}')}, None, "not a Google service account key"),
            ({"key_file": KeyFile("key.bin", b"\xff\xfe")}, "key_file", "JSON text"),
            ({"key_file": KeyFile("key.json", b" " * 70_000)}, "key_file", "at most"),
            ({"credentials_type": "ANONYMOUS_ACCESS", "key_file": ""}, None, "denied"),  # a private bucket
            ({"credentials_type": "ANONYMOUS_ACCESS"}, "key_file", "not used"),
            ({"key_file": ""}, "key_file", "need"),
            ({"credentials_type": "ACCOUNT_NAME_TOKEN_PAIR", "account_name": "a", "session_token": "t"},
             "credentials_type", "accept"),
            ({"specific_attributes": "region=eu-west-1"}, "specific_attributes", "do not take 'region'"),
        ]
