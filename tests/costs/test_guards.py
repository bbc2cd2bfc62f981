"""The input guards: each refuses what would make a nonsense estimate, naming the input."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from app.costs.guards import in_range, non_negative, whole


def test_non_negative_accepts_any_real_and_never_gives_minus_zero() -> None:
    assert non_negative("x", 3) == 3.0
    assert non_negative("x", Fraction(1, 4)) == 0.25
    assert non_negative("x", np.float32(1.5)) == 1.5
    assert math.copysign(1, non_negative("x", -0.0)) == 1


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (-1, ValueError, "x must not be negative"),
        (math.nan, ValueError, "x must be a finite number"),
        (math.inf, ValueError, "x must be a finite number"),
        (True, TypeError, "x must be a number; got bool"),
        ("1", TypeError, "x must be a number; got str"),
    ],
)
def test_non_negative_refuses(value: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        non_negative("x", value)


def test_whole_accepts_whole_floats_and_numpy_integers() -> None:
    assert whole("n", 3.14e23) == int(3.14e23) == 313_999_999_999_999_995_805_696
    assert whole("n", np.int64(7)) == 7
    assert isinstance(whole("n", np.int64(7)), int)


@pytest.mark.parametrize(
    ("value", "message"), [(2.5, "n must be a whole number"), (-3, "n must not be negative")]
)
def test_whole_refuses(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        whole("n", value)


def test_in_range_states_the_range_and_unit() -> None:
    assert in_range("watts", 5, 0.1, 1000, "W") == 5.0
    assert in_range("watts", 0.1, 0.1, 1000, "W") == 0.1  # inclusive
    with pytest.raises(ValueError, match=r"watts must be between 0.1 and 1000 W; got 0"):
        in_range("watts", 0, 0.1, 1000, "W")
    with pytest.raises(TypeError):
        in_range("watts", None, 0.1, 1000, "W")
