"""inklab's Python SDK: a client for the CVAT REST API v2 (inklab or CVAT servers), typed
models, datasets cached on disk and PyTorch adapters.

Quick start::

    from inklab.sdk import make_client, models

    with make_client("http://127.0.0.1:8080", credentials=("user", "password")) as client:
        task = client.tasks.retrieve(1)
        print(task.size, [label.name for label in task.get_labels()])

Subpackages: :mod:`inklab.sdk.models`, :mod:`inklab.sdk.datasets` (no PyTorch needed) and
:mod:`inklab.sdk.pytorch` (needs the ``pytorch`` extra). Importing ``inklab.sdk`` never imports
torch or the server.

Every error the SDK raises derives from :class:`SdkError` (hierarchy in
:mod:`inklab.sdk.client._errors`).
"""

from inklab.sdk import models
from inklab.sdk.client import (
    AccessTokenCredentials,
    AnnotationUpdateAction,
    ApiError,
    AuthenticationError,
    BackgroundRequestError,
    BadRequestError,
    Client,
    Config,
    ConflictError,
    Credentials,
    ForbiddenError,
    IncompatibleServerError,
    InvalidHostError,
    Job,
    NotFoundError,
    NullProgressReporter,
    PasswordCredentials,
    ProgressReporter,
    Project,
    ResourceType,
    SdkError,
    ServerError,
    StaleAnnotationsError,
    Task,
    TqdmProgressReporter,
    TransportError,
    User,
    make_client,
)

__all__ = [
    "AccessTokenCredentials",
    "AnnotationUpdateAction",
    "ApiError",
    "AuthenticationError",
    "BackgroundRequestError",
    "BadRequestError",
    "Client",
    "Config",
    "ConflictError",
    "Credentials",
    "ForbiddenError",
    "IncompatibleServerError",
    "InvalidHostError",
    "Job",
    "NotFoundError",
    "NullProgressReporter",
    "PasswordCredentials",
    "ProgressReporter",
    "Project",
    "ResourceType",
    "SdkError",
    "ServerError",
    "StaleAnnotationsError",
    "Task",
    "TqdmProgressReporter",
    "TransportError",
    "User",
    "make_client",
    "models",
]
