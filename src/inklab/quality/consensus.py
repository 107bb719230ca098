"""Merging the annotations of consensus replicas by vote.

:func:`merge_frame` takes each replica's objects on one frame and returns the objects a quorum of
replicas agrees on:

1. Objects are grouped by family (see :mod:`.comparison`) and label; only objects of the same
   family and label can agree.
2. Replicas are taken in order. The first one's objects each start a cluster; each next
   replica's objects are matched to the clusters by the Hungarian method on their similarity
   to the cluster's first object (IoU, OKS, line similarity; tags: 1); a pair reaching
   ``iou_threshold`` joins the cluster, the others start clusters of their own.
3. A cluster is kept when the share of replicas in it reaches ``quorum`` (``votes /
   replicas >= quorum``: 2 of 3 with the default 0.5, not 1 of 3).
4. A kept cluster is represented by its medoid: the member most similar, on average, to the
   others (the earliest replica's on a tie). Tracks are not merged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from inklab.quality.comparison import family_of, match, similarity_matrix
from inklab.quality.model import Annotation, ComparisonSettings

__all__ = ["merge_frame"]


def _medoid(members: list[Annotation], family: str, settings: ComparisonSettings,
            image_size: tuple[int, int] | None) -> Annotation:
    if len(members) <= 2:
        return members[0]
    similarity = similarity_matrix(family, members, members, settings, image_size)
    scores = (similarity.sum(axis=1) - np.diag(similarity)) / (len(members) - 1)
    return members[int(np.argmax(scores))]


def merge_frame(replicas: Sequence[Sequence[Annotation]], *, iou_threshold: float = 0.4, quorum: float = 0.5,
                image_size: tuple[int, int] | None = None) -> list[Annotation]:
    """The objects of one frame that a ``quorum`` of the ``replicas`` agrees on (see the module)."""
    if not replicas:
        return []
    settings = ComparisonSettings(iou_threshold=iou_threshold, panoptic_comparison=False)
    groups: dict[tuple[str, str], list[list[Annotation]]] = defaultdict(lambda: [[] for _ in replicas])
    for index, objects in enumerate(replicas):
        for obj in objects:
            family = family_of(obj)
            if family is not None:
                groups[(family, str(obj.label))][index].append(obj)
    merged: list[Annotation] = []
    for (family, _label), per_replica in sorted(groups.items()):
        clusters: list[list[Annotation]] = []
        for objects in per_replica:
            if not objects:
                continue
            seeds = [cluster[0] for cluster in clusters]
            if seeds:
                similarity = similarity_matrix(family, seeds, objects, settings, image_size)
                if family == "tag":
                    similarity = np.ones_like(similarity)
                pairs = match(similarity, iou_threshold)
            else:
                pairs = []
            joined = set()
            for cluster_index, obj_index in pairs:
                clusters[cluster_index].append(objects[obj_index])
                joined.add(obj_index)
            clusters.extend([obj] for index, obj in enumerate(objects) if index not in joined)
        for cluster in clusters:
            if len(cluster) / len(replicas) >= quorum:
                merged.append(_medoid(cluster, family, settings, image_size))
    return merged
