"""Typed models of the CVAT API v2, with the names the CVAT SDK documentation uses.

Construct them with keyword arguments (nested values may be plain dicts), read fields as
attributes, and turn them back into JSON-compatible dicts with ``to_dict()``::

    from inklab.sdk import models

    shape = models.LabeledShapeRequest(type="rectangle", frame=0, label_id=3, points=[1, 2, 10, 12],
                                       attributes=[{"spec_id": 7, "value": "red"}])
    shape.attributes[0].value        # 'red'
    shape.to_dict()                  # what is sent

Every SDK method that takes a model also takes the equivalent plain dict. ``I<Name>`` aliases
(``ITaskRead`` …) exist for code written against the CVAT SDK's interface names.
"""

from inklab.sdk.models._annotations import (
    AttributeVal,
    AttributeValRequest,
    LabeledData,
    LabeledDataRequest,
    LabeledImage,
    LabeledImageRequest,
    LabeledShape,
    LabeledShapeRequest,
    LabeledTrack,
    LabeledTrackRequest,
    PatchedLabeledDataRequest,
    SubLabeledShape,
    SubLabeledShapeRequest,
    SubLabeledTrack,
    SubLabeledTrackRequest,
    TrackedShape,
    TrackedShapeRequest,
)
from inklab.sdk.models._base import Model
from inklab.sdk.models._labels import (
    Attribute,
    AttributeRequest,
    Label,
    PatchedLabelRequest,
    Sublabel,
    SublabelRequest,
)
from inklab.sdk.models._organizations import (
    BasicOrganization,
    InvitationRead,
    InvitationWriteRequest,
    MembershipRead,
    OrganizationRead,
    OrganizationWriteRequest,
    PatchedMembershipWriteRequest,
    PatchedOrganizationWriteRequest,
)
from inklab.sdk.models._resources import (
    About,
    BasicUser,
    DataMetaRead,
    DataRequest,
    FrameMeta,
    IssuesSummary,
    JobRead,
    JobsSummary,
    LabelsSummary,
    PatchedDataMetaWriteRequest,
    PatchedJobWriteRequest,
    PatchedProjectWriteRequest,
    PatchedTaskWriteRequest,
    ProjectRead,
    ProjectWriteRequest,
    Request,
    RequestDataOperation,
    Storage,
    TaskRead,
    TasksSummary,
    TaskWriteRequest,
    User,
)
from inklab.vocabulary import RequestStatus, ShapeType

# Interface names of the CVAT SDK (``models.ITaskRead`` in type annotations).
IDataMetaRead = DataMetaRead
IFrameMeta = FrameMeta
IJobRead = JobRead
ILabel = Label
ILabeledData = LabeledData
ILabeledDataRequest = LabeledDataRequest
ILabeledImage = LabeledImage
ILabeledShape = LabeledShape
ILabeledTrack = LabeledTrack
IPatchedLabeledDataRequest = PatchedLabeledDataRequest
IProjectRead = ProjectRead
IProjectWriteRequest = ProjectWriteRequest
ITaskRead = TaskRead
ITaskWriteRequest = TaskWriteRequest
IUser = User
IOrganizationRead = OrganizationRead
IOrganizationWriteRequest = OrganizationWriteRequest

__all__ = [
    "About",
    "Attribute",
    "AttributeRequest",
    "AttributeVal",
    "AttributeValRequest",
    "BasicOrganization",
    "BasicUser",
    "DataMetaRead",
    "DataRequest",
    "FrameMeta",
    "IDataMetaRead",
    "IFrameMeta",
    "IJobRead",
    "ILabel",
    "ILabeledData",
    "ILabeledDataRequest",
    "ILabeledImage",
    "ILabeledShape",
    "ILabeledTrack",
    "IOrganizationRead",
    "IOrganizationWriteRequest",
    "IPatchedLabeledDataRequest",
    "IProjectRead",
    "IProjectWriteRequest",
    "ITaskRead",
    "ITaskWriteRequest",
    "IUser",
    "InvitationRead",
    "InvitationWriteRequest",
    "IssuesSummary",
    "JobRead",
    "JobsSummary",
    "Label",
    "LabeledData",
    "LabeledDataRequest",
    "LabeledImage",
    "LabeledImageRequest",
    "LabeledShape",
    "LabeledShapeRequest",
    "LabeledTrack",
    "LabeledTrackRequest",
    "LabelsSummary",
    "MembershipRead",
    "Model",
    "OrganizationRead",
    "OrganizationWriteRequest",
    "PatchedDataMetaWriteRequest",
    "PatchedJobWriteRequest",
    "PatchedLabelRequest",
    "PatchedLabeledDataRequest",
    "PatchedMembershipWriteRequest",
    "PatchedOrganizationWriteRequest",
    "PatchedProjectWriteRequest",
    "PatchedTaskWriteRequest",
    "ProjectRead",
    "ProjectWriteRequest",
    "Request",
    "RequestDataOperation",
    "RequestStatus",
    "ShapeType",
    "Storage",
    "SubLabeledShape",
    "SubLabeledShapeRequest",
    "SubLabeledTrack",
    "SubLabeledTrackRequest",
    "Sublabel",
    "SublabelRequest",
    "TaskRead",
    "TaskWriteRequest",
    "TasksSummary",
    "TrackedShape",
    "TrackedShapeRequest",
    "User",
]
