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


@api(examples=[{"arguments": {"n": 360}, "result": [2, 2, 2, 3, 3, 5]}])
def prime_factorization(n: int) -> list[int]:
    """Decompose an integer greater than 1 into its prime factors, in ascending order with repetition.

    Args:
        n: The integer to factor (2 to 10^12).
    """
    if n < 2 or n > 10**12:
        raise ValueError("n must be between 2 and 10^12")
    factors, d = [], 2
    while d * d <= n:
        while n % d == 0:
            factors.append(d)
            n //= d
        d += 1
    if n > 1:
        factors.append(n)
    return factors


@api(examples=[{"arguments": {"numbers": [4, 6, 10]}, "result": 60}])
def least_common_multiple(numbers: list[int]) -> int:
    """Compute the least common multiple of a list of positive integers.

    Args:
        numbers: Two or more positive integers.
    """
    if len(numbers) < 2 or any(x <= 0 for x in numbers):
        raise ValueError("need two or more positive integers")
    return math.lcm(*numbers)


@api(examples=[{"arguments": {"n": 10}, "result": 55}, {"arguments": {"n": 0}, "result": 0}])
def fibonacci_number(n: int) -> int:
    """Return the n-th Fibonacci number, with F(0) = 0 and F(1) = 1.

    Args:
        n: Index in the sequence (0 to 1000).
    """
    if not 0 <= n <= 1000:
        raise ValueError("n must be between 0 and 1000")
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


@api(examples=[{"arguments": {"matrix": [[2, 0, 1], [1, 3, 2], [1, 1, 2]]}, "result": 6.0}])
def matrix_determinant(matrix: list[list[float]]) -> float:
    """Compute the determinant of a square matrix by Gaussian elimination.

    Args:
        matrix: The square matrix as a list of rows (up to 10x10).
    """
    n = len(matrix)
    if n == 0 or n > 10 or any(len(row) != n for row in matrix):
        raise ValueError("matrix must be square, 1x1 to 10x10")
    m = [list(map(float, row)) for row in matrix]
    det = 1.0
    for c in range(n):
        pivot = max(range(c, n), key=lambda r: abs(m[r][c]))
        if m[pivot][c] == 0:
            return 0.0
        if pivot != c:
            m[c], m[pivot] = m[pivot], m[c]
            det = -det
        det *= m[c][c]
        for r in range(c + 1, n):
            factor = m[r][c] / m[c][c]
            m[r] = [a - factor * b for a, b in zip(m[r], m[c])]
    return round(det, 10)


@api(examples=[{"arguments": {"a": [[1, 2], [3, 4]], "b": [[5, 6], [7, 8]]}, "result": [[19, 22], [43, 50]]}])
def matrix_multiply(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    """Multiply two matrices (rows of a times columns of b).

    Args:
        a: Left matrix as a list of rows.
        b: Right matrix as a list of rows; its row count must equal a's column count.
    """
    if not a or not b or any(len(row) != len(b) for row in a):
        raise ValueError("a's column count must equal b's row count")
    return [[sum(x * y for x, y in zip(row, col)) for col in zip(*b)] for row in a]


@api(examples=[{"arguments": {"value": "ff", "from_base": 16, "to_base": 2}, "result": "11111111"}])
def convert_number_base(value: str, from_base: int, to_base: int) -> str:
    """Convert an integer written in one base (2-36) to another base.

    Args:
        value: The number's digits in from_base, e.g. 'ff' or '-101'.
        from_base: Base of the input (2 to 36).
        to_base: Base of the output (2 to 36).
    """
    if not (2 <= from_base <= 36 and 2 <= to_base <= 36):
        raise ValueError("bases must be between 2 and 36")
    n = int(value.strip(), from_base)
    digits, sign, n = "", "-" if n < 0 else "", abs(n)
    while True:
        n, r = divmod(n, to_base)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
        if n == 0:
            return sign + digits


@api(examples=[{"arguments": {"vertices": [[0, 0], [4, 0], [4, 3], [0, 3]]}, "result": 12.0}])
def polygon_area(vertices: list[list[float]]) -> float:
    """Compute the area of a simple polygon from its vertices in order (shoelace formula).

    Args:
        vertices: The [x, y] corners in order around the polygon (at least three).
    """
    if len(vertices) < 3 or any(len(v) != 2 for v in vertices):
        raise ValueError("need at least three [x, y] vertices")
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(vertices, vertices[1:] + vertices[:1]))
    return abs(twice) / 2


@api(examples=[{"arguments": {"a": 3, "b": 4, "c": 5}, "result": 6.0}])
def triangle_area_from_sides(a: float, b: float, c: float) -> float:
    """Compute the area of a triangle from its three side lengths (Heron's formula).

    Args:
        a: First side length.
        b: Second side length.
        c: Third side length.
    """
    s = (a + b + c) / 2
    product = s * (s - a) * (s - b) * (s - c)
    if min(a, b, c) <= 0 or product <= 0:
        raise ValueError("the sides do not form a triangle")
    return round(math.sqrt(product), 10)


@api(examples=[{"arguments": {"u": [1, 0, 0], "v": [0, 1, 0]}, "result": {"dot": 0.0, "angle_degrees": 90.0}}])
def vector_angle(u: list[float], v: list[float]) -> dict:
    """Compute the dot product of two vectors and the angle between them in degrees.

    Args:
        u: First vector.
        v: Second vector, same length as u.
    """
    if len(u) != len(v) or not u:
        raise ValueError("vectors must be non-empty and of equal length")
    dot = float(sum(a * b for a, b in zip(u, v)))
    norms = math.hypot(*u) * math.hypot(*v)
    if norms == 0:
        raise ValueError("zero vectors have no angle")
    return {"dot": dot, "angle_degrees": round(math.degrees(math.acos(max(-1.0, min(1.0, dot / norms)))), 6)}
