"""The built-in format modules, imported (in this order) the first time the registry is used.

Adding a format: write ``inklab/formats/<name>.py`` with one ``@register``-ed class (see
:mod:`inklab.formats.registry`) and add its module path here, one per line. Nothing scans
directories; a module not listed here is not part of inklab.
"""

from __future__ import annotations

__all__ = ["MODULES"]

MODULES: tuple[str, ...] = (
    "inklab.formats.coco",
    "inklab.formats.coco_keypoints",
    "inklab.formats.cvat_images",
    "inklab.formats.cvat_video",
    "inklab.formats.datumaro",
    "inklab.formats.mot",
    "inklab.formats.labelme",
    "inklab.formats.icdar_recognition",
    "inklab.formats.icdar_localization",
    "inklab.formats.icdar_segmentation",
    "inklab.formats.widerface",
    "inklab.formats.vggface2",
    "inklab.formats.market1501",
    "inklab.formats.lfw",
    "inklab.formats.openimages",
    "inklab.formats.kitti",
)
