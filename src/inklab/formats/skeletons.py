"""Skeleton drawings: CVAT's SVG of a skeleton label, its edges, and drawings made from edges.

CVAT stores a skeleton's layout as SVG: a ``<circle data-node-id="N" data-label-name="…">``
per point and a ``<line data-node-from="A" data-node-to="B">`` per edge. Formats with
skeleton edges (COCO Keypoints, Datumaro) read and write them as 1-based point indexes.
"""

from __future__ import annotations

import math
import re
from xml.sax.saxutils import quoteattr

from inklab.formats.model import LabelSpec

__all__ = ["skeleton_edges", "skeleton_svg"]


def skeleton_edges(label: LabelSpec) -> list[list[int]]:
    """Edges of a skeleton label as 1-based indexes into its sublabels (from its SVG)."""
    nodes = dict(re.findall(r'data-node-id="(\d+)"[^>]*data-label-name="([^"]*)"', label.svg))
    names = [s.name for s in label.sublabels]
    edges = []
    for a, b in re.findall(r'data-node-from="(\d+)"[^>]*data-node-to="(\d+)"', label.svg):
        first, second = nodes.get(a), nodes.get(b)
        if first in names and second in names:
            edges.append([names.index(first) + 1, names.index(second) + 1])
    return edges


def skeleton_svg(names: list[str], edges: list[list[int]]) -> str:
    """A CVAT skeleton drawing with the points on a circle and the given 1-based edges."""
    nodes = []
    for i in range(len(names)):
        angle = 2 * math.pi * i / max(len(names), 1)
        nodes.append((50 + 40 * math.cos(angle), 50 + 40 * math.sin(angle)))
    lines = [f'<line x1="{nodes[a - 1][0]:.1f}" y1="{nodes[a - 1][1]:.1f}" x2="{nodes[b - 1][0]:.1f}" '
             f'y2="{nodes[b - 1][1]:.1f}" data-type="edge" data-node-from="{a}" data-node-to="{b}"></line>'
             for a, b in edges if 1 <= a <= len(names) and 1 <= b <= len(names)]
    circles = [f'<circle r="1.5" cx="{x:.1f}" cy="{y:.1f}" data-type="element node" data-element-id="{i + 1}" '
               f'data-node-id="{i + 1}" data-label-name={quoteattr(name)}></circle>'
               for i, (name, (x, y)) in enumerate(zip(names, nodes, strict=True))]
    return "".join(lines + circles)
