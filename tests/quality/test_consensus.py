"""Merging consensus replicas by vote, on hand-made cases."""

from __future__ import annotations

from inklab.quality import Annotation, merge_frame


def box(id: int, x: float, label: str = "car") -> Annotation:
    return Annotation(id=id, kind="shape", label=label, type="rectangle", points=(x, 0.0, x + 10, 10.0))


def test_majority_shape_wins() -> None:
    replicas = [[box(1, 0)], [box(2, 1)], [box(3, 50)]]
    merged = merge_frame(replicas)
    assert [m.id for m in merged] == [1]


def test_medoid_represents_the_cluster() -> None:
    replicas = [[box(1, 0)], [box(2, 3)], [box(3, 1.5)]]
    assert [m.id for m in merge_frame(replicas)] == [3]


def test_quorum_and_labels() -> None:
    replicas = [[box(1, 0), box(4, 30)], [box(2, 0, label="bus"), box(5, 31)], [box(3, 0)]]
    merged = merge_frame(replicas)
    assert sorted(m.id for m in merged) == [1, 4]  # "bus" is one vote of three
    assert [m.id for m in merge_frame(replicas, quorum=0.9)] == []
    assert sorted(m.id for m in merge_frame(replicas, quorum=0.3)) == [1, 2, 4]


def test_tags_vote_by_label() -> None:
    replicas = [[Annotation(1, "tag", "day")], [Annotation(2, "tag", "day")], [Annotation(3, "tag", "night")]]
    assert [m.id for m in merge_frame(replicas)] == [1]
    assert merge_frame([]) == []
