"""Mask encoding: round trips, the API guide's example, agreement with the CVAT SDK, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from inklab.sdk.masks import decode_mask, encode_mask, mask_bbox


def test_the_documented_example() -> None:
    bitmap = np.zeros((4, 5), dtype=bool)
    bitmap[1:3, 1:4] = True
    assert encode_mask(bitmap) == [0, 6, 1, 1, 3, 2]
    assert mask_bbox([0, 6, 1, 1, 3, 2]) == (1, 1, 4, 3)


@pytest.mark.parametrize("seed", range(5))
def test_round_trip_and_agreement_with_cvat_sdk(seed: int) -> None:
    from cvat_sdk import masks as cvat_masks

    rng = np.random.default_rng(seed)
    bitmap = rng.random((13, 17)) > 0.6
    points = encode_mask(bitmap)
    assert np.array_equal(decode_mask(points, image_width=17, image_height=13), bitmap)
    assert points == [float(v) for v in cvat_masks.encode_mask(bitmap)]
    boxed = encode_mask(bitmap, bbox=[2, 3, 15, 11])
    assert np.array_equal(cvat_masks.decode_mask(boxed, image_width=17, image_height=13),
                          decode_mask(boxed, image_width=17, image_height=13))


def test_bad_masks() -> None:
    with pytest.raises(ValueError, match="2-D boolean"):
        encode_mask(np.zeros((2, 2), dtype=np.uint8))
    with pytest.raises(ValueError, match="not inside"):
        encode_mask(np.zeros((2, 2), dtype=bool), bbox=[0, 0, 3, 2])
    with pytest.raises(ValueError, match="outside"):
        decode_mask([0, 6, 1, 1, 3, 2], image_width=3, image_height=3)
    with pytest.raises(ValueError, match="do not fill"):
        decode_mask([0, 5, 1, 1, 3, 2], image_width=5, image_height=5)
    with pytest.raises(ValueError, match="non-integer"):
        decode_mask([0, 6.5, 1, 1, 3, 2], image_width=5, image_height=5)
