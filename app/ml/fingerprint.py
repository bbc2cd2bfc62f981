"""A short digest of arrays' exact bytes, to tell whether two models hold the same weights."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

DIGEST_BYTES = 8  # 16 hex characters: short enough to show, collisions irrelevant at our scale


def fingerprint(arrays: Sequence[NDArray[np.float64]]) -> str:
    """Hex digest (16 chars) of each array's shape and float64 C-order bytes, in order.

    Shapes are hashed too, so (2, 3) and (3, 2) arrays of the same values differ.
    """
    digest = hashlib.blake2b(digest_size=DIGEST_BYTES)
    for array in arrays:
        digest.update(np.asarray([array.ndim, *array.shape], dtype=np.int64).tobytes())
        digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
    return digest.hexdigest()


def fingerprint_flat(shape: Sequence[int], flat: NDArray[np.float64]) -> str:
    """The same kind of digest for weights kept in one flat vector: ``shape`` (the layer
    sizes that cut it into arrays) and the vector's bytes, hashed in two updates instead
    of two per array. It costs a question a few microseconds rather than about fifteen."""
    digest = hashlib.blake2b(digest_size=DIGEST_BYTES)
    digest.update(np.asarray(shape, dtype=np.int64).tobytes())
    digest.update(np.ascontiguousarray(flat, dtype=np.float64).tobytes())
    return digest.hexdigest()
