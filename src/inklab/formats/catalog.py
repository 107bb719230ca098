"""The built-in format modules, imported (in this order) the first time the registry is used.

Adding a format: write ``inklab/formats/<name>.py`` with one ``@register``-ed class (see
:mod:`inklab.formats.registry`) and add its module path here, one per line. Nothing scans
directories; a module not listed here is not part of inklab.
"""

from __future__ import annotations

__all__ = ["MODULES"]

MODULES: tuple[str, ...] = (
    "inklab.formats.camvid",
    "inklab.formats.cityscapes",
    "inklab.formats.coco",
    "inklab.formats.coco_keypoints",
    "inklab.formats.cvat_images",
    "inklab.formats.cvat_video",
    "inklab.formats.datumaro",
    "inklab.formats.icdar_localization",
    "inklab.formats.icdar_recognition",
    "inklab.formats.icdar_segmentation",
    "inklab.formats.imagenet",
    "inklab.formats.kitti",
    "inklab.formats.labelme",
    "inklab.formats.lfw",
    "inklab.formats.market1501",
    "inklab.formats.mot",
    "inklab.formats.openimages",
    "inklab.formats.pascal_voc",
    "inklab.formats.segmentation_mask",
    "inklab.formats.ultralytics_classification",
    "inklab.formats.ultralytics_detection",
    "inklab.formats.ultralytics_obb",
    "inklab.formats.ultralytics_pose",
    "inklab.formats.ultralytics_segmentation",
    "inklab.formats.vggface2",
    "inklab.formats.widerface",
    "inklab.formats.yolo",
)
