"""Checks on the numbers the cost model is given, with errors that name the input.

A counter that reaches the cost model as NaN, infinity or a negative number is a bug
upstream; each guard refuses it here rather than let it become a nonsense estimate.
"""

from __future__ import annotations

import math
import numbers


def non_negative(name: str, value: object) -> float:
    """A finite, non-negative float, or a ValueError (TypeError) that names the input."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    if result < 0:
        raise ValueError(f"{name} must not be negative; got {value!r}")
    return result + 0.0  # turns -0.0 into 0.0, so no counter ever shows "-0"


def whole(name: str, value: object) -> int:
    """A non-negative whole number (a float is accepted when it is whole: 3.14e23)."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        result = int(value)
    else:
        as_float = non_negative(name, value)
        if not as_float.is_integer():
            raise ValueError(f"{name} must be a whole number; got {value!r}")
        result = int(as_float)
    if result < 0:
        raise ValueError(f"{name} must not be negative; got {value!r}")
    return result


def in_range(name: str, value: object, low: float, high: float, unit: str) -> float:
    """A finite float from low to high inclusive; the error states the range and unit."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    result = float(value)
    if not (math.isfinite(result) and low <= result <= high):
        raise ValueError(f"{name} must be between {low:g} and {high:g} {unit}; got {value!r}")
    return result + 0.0
