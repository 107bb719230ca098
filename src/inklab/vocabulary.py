"""The CVAT API's enumerations, shared by the server, the SDK and the format library.

Each is a :class:`enum.StrEnum`, so members compare equal to the strings on the wire.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ChunkType",
    "CloudCredentialsType",
    "CloudProviderType",
    "CloudStorageStatus",
    "DimensionType",
    "FrameSelectionMethod",
    "FunctionKind",
    "FunctionProvider",
    "FunctionVisibility",
    "InputType",
    "JobStage",
    "JobState",
    "JobType",
    "LabelType",
    "MediaType",
    "ObjectSource",
    "OrganizationRole",
    "Quality",
    "RequestCategory",
    "RequestStatus",
    "ShapeType",
    "SortingMethod",
    "StatusChoice",
    "TaskMode",
    "ValidationMode",
    "choices",
]


class ShapeType(StrEnum):
    RECTANGLE = "rectangle"
    POLYGON = "polygon"
    POLYLINE = "polyline"
    POINTS = "points"
    ELLIPSE = "ellipse"
    CUBOID = "cuboid"
    MASK = "mask"
    SKELETON = "skeleton"


class LabelType(StrEnum):
    ANY = "any"
    CUBOID = "cuboid"
    ELLIPSE = "ellipse"
    MASK = "mask"
    POINTS = "points"
    POLYGON = "polygon"
    POLYLINE = "polyline"
    RECTANGLE = "rectangle"
    SKELETON = "skeleton"
    TAG = "tag"
    INTERVAL = "interval"


class InputType(StrEnum):
    CHECKBOX = "checkbox"
    RADIO = "radio"
    NUMBER = "number"
    TEXT = "text"
    SELECT = "select"


class ObjectSource(StrEnum):
    MANUAL = "manual"
    AUTO = "auto"
    SEMI_AUTO = "semi-auto"
    FILE = "file"
    CONSENSUS = "consensus"


class JobStage(StrEnum):
    ANNOTATION = "annotation"
    VALIDATION = "validation"
    ACCEPTANCE = "acceptance"


class JobState(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in progress"
    COMPLETED = "completed"
    REJECTED = "rejected"


class JobType(StrEnum):
    ANNOTATION = "annotation"
    GROUND_TRUTH = "ground_truth"
    REPLICA = "replica"


class FrameSelectionMethod(StrEnum):
    RANDOM_UNIFORM = "random_uniform"
    RANDOM_PER_JOB = "random_per_job"
    MANUAL = "manual"


class ValidationMode(StrEnum):
    GT = "gt"
    GT_POOL = "gt_pool"


class StatusChoice(StrEnum):
    ANNOTATION = "annotation"
    VALIDATION = "validation"
    COMPLETED = "completed"


class SortingMethod(StrEnum):
    LEXICOGRAPHICAL = "lexicographical"
    NATURAL = "natural"
    PREDEFINED = "predefined"
    RANDOM = "random"


class MediaType(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


class TaskMode(StrEnum):
    ANNOTATION = "annotation"
    INTERPOLATION = "interpolation"


class ChunkType(StrEnum):
    IMAGESET = "imageset"
    VIDEO = "video"


class Quality(StrEnum):
    ORIGINAL = "original"
    COMPRESSED = "compressed"


class DimensionType(StrEnum):
    DIM_2D = "2d"


class RequestStatus(StrEnum):
    QUEUED = "queued"
    STARTED = "started"
    FAILED = "failed"
    FINISHED = "finished"


class FunctionProvider(StrEnum):
    """Where an auto-annotation function runs: ``native`` functions are served by agents."""

    NATIVE = "native"


class FunctionKind(StrEnum):
    DETECTOR = "detector"
    INTERACTOR = "interactor"
    TRACKER = "tracker"


class FunctionVisibility(StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"


class OrganizationRole(StrEnum):
    """A member's role in an organization, from the least to the most privileged."""

    WORKER = "worker"
    SUPERVISOR = "supervisor"
    MAINTAINER = "maintainer"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return list(OrganizationRole).index(self)

    def at_least(self, other: OrganizationRole) -> bool:
        return self.rank >= other.rank


class RequestCategory(StrEnum):
    """Annotation requests of a function queue: whole tasks (``batch``) or single frames."""

    BATCH = "batch"
    INTERACTIVE = "interactive"


class CloudProviderType(StrEnum):
    AWS_S3_BUCKET = "AWS_S3_BUCKET"
    AZURE_CONTAINER = "AZURE_CONTAINER"
    GOOGLE_CLOUD_STORAGE = "GOOGLE_CLOUD_STORAGE"


class CloudCredentialsType(StrEnum):
    KEY_SECRET_KEY_PAIR = "KEY_SECRET_KEY_PAIR"
    ACCOUNT_NAME_TOKEN_PAIR = "ACCOUNT_NAME_TOKEN_PAIR"
    KEY_FILE_PATH = "KEY_FILE_PATH"
    ANONYMOUS_ACCESS = "ANONYMOUS_ACCESS"
    CONNECTION_STRING = "CONNECTION_STRING"


class CloudStorageStatus(StrEnum):
    """``GET /api/cloudstorages/{id}/status``: CVAT's three answers, and ``UNREACHABLE`` for an
    endpoint that does not answer."""

    AVAILABLE = "AVAILABLE"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    UNREACHABLE = "UNREACHABLE"


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """Django ``choices`` for an enumeration."""
    return [(member.value, member.value) for member in enum]
