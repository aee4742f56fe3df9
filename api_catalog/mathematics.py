"""Math: number theory, statistics and geometry computed exactly."""

from __future__ import annotations

import math
import statistics
from typing import Literal

from apigen.catalog import api

CATEGORY = "Math"


@api(examples=[{"arguments": {"numbers": [12, 18, 24]}, "result": 6}])
def greatest_common_divisor(numbers: list[int]) -> int:
    """Compute the greatest common divisor of a list of integers.

    Args:
        numbers: Two or more integers.
    """
    if len(numbers) < 2:
        raise ValueError("need at least two numbers")
    return math.gcd(*numbers)


@api(examples=[{"arguments": {"n": 29}, "result": True}, {"arguments": {"n": 91}, "result": False}])
def is_prime(n: int) -> bool:
    """Check whether an integer is a prime number.

    Args:
        n: The integer to test (must be non-negative).
    """
    if n < 0:
        raise ValueError("n must be non-negative")
    if n < 2:
        return False
    return all(n % d for d in range(2, math.isqrt(n) + 1))


@api(examples=[{"arguments": {"values": [2, 4, 4, 4, 5, 5, 7, 9], "measure": "pstdev"}, "result": 2.0}])
def describe_numbers(values: list[float], measure: Literal["mean", "median", "pstdev", "stdev", "variance"] = "mean") -> float:
    """Compute a summary statistic of a list of numbers.

    Args:
        values: The data points.
        measure: Which statistic to compute: mean, median, population standard deviation (pstdev),
            sample standard deviation (stdev) or sample variance.
    """
    if not values:
        raise ValueError("values must not be empty")
    return float(getattr(statistics, measure)(values))


@api(examples=[{"arguments": {"a": 3, "b": -7, "c": 2}, "result": [2.0, 0.3333333333333333]}])
def solve_quadratic(a: float, b: float, c: float) -> list[float]:
    """Find the real roots of the quadratic equation a*x^2 + b*x + c = 0, largest first.

    Args:
        a: Coefficient of x squared (non-zero).
        b: Coefficient of x.
        c: Constant term.
    """
    if a == 0:
        raise ValueError("a must be non-zero")
    disc = b * b - 4 * a * c
    if disc < 0:
        return []
    root = math.sqrt(disc)
    return sorted({(-b + root) / (2 * a), (-b - root) / (2 * a)}, reverse=True)


@api(examples=[{"arguments": {"n": 5, "k": 2}, "result": 10}])
def binomial_coefficient(n: int, k: int) -> int:
    """Count the ways to choose k items from n without order (n choose k).

    Args:
        n: Size of the set (non-negative).
        k: Number of items chosen.
    """
    if n < 0 or k < 0:
        raise ValueError("n and k must be non-negative")
    return math.comb(n, k)
