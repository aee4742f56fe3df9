"""A tiny catalog for end-to-end tests: one category, functions with known behaviour."""

from typing import Literal

CATEGORY = "Math"


def divide(a: float, b: float) -> float:
    """Divide a by b.

    Args:
        a: The dividend.
        b: The divisor.
    """
    return a / b


def round_number(value: float, digits: int = 0, mode: Literal["half_even", "half_up"] = "half_even") -> float:
    """Round a number to a number of decimal digits.

    Args:
        value: The number to round.
        digits: How many decimal digits to keep.
        mode: Rounding mode for ties.
    """
    if mode == "half_up":
        factor = 10 ** digits
        return int(value * factor + 0.5) / factor
    return round(value, digits)
