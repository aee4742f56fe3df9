"""Education: book identifiers (ISBN via python-stdnum), grades and GPAs, readability formulas,
spaced repetition (SM-2) and number words."""

from __future__ import annotations

import re
import statistics

from apigen.catalog import api

CATEGORY = "Education"
_LETTER_POINTS = {"A+": 4.0, "A": 4.0, "A-": 3.7, "B+": 3.3, "B": 3.0, "B-": 2.7, "C+": 2.3, "C": 2.0, "C-": 1.7,
                  "D+": 1.3, "D": 1.0, "D-": 0.7, "F": 0.0}
_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
         "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _syllables(word: str) -> int:
    word = re.sub(r"[^a-z]", "", word.lower())
    if not word:
        return 0
    count = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


def _text_counts(text: str) -> tuple[int, int, int]:
    words = re.findall(r"[A-Za-z']+", text)
    sentences = max(len(re.findall(r"[.!?]+", text)), 1)
    if not words:
        raise ValueError("the text has no words")
    return len(words), sentences, sum(_syllables(w) for w in words)


@api(examples=[{"arguments": {"isbn": "978-0-306-40615-7"}, "result": {"valid": True, "isbn13": "9780306406157", "isbn10": "0306406152"}},
               {"arguments": {"isbn": "0-306-40615-2"}, "result": {"valid": True, "isbn13": "9780306406157", "isbn10": "0306406152"}}])
def validate_isbn(isbn: str) -> dict:
    """Validate an ISBN-10 or ISBN-13 by its check digit and give both forms (ISBN-10 only exists for 978 prefixes).

    Args:
        isbn: The ISBN, with or without hyphens.
    """
    from stdnum import isbn as _isbn

    compact = _isbn.compact(isbn)
    if not _isbn.is_valid(compact):
        return {"valid": False, "isbn13": "", "isbn10": ""}
    thirteen = _isbn.to_isbn13(compact)
    ten = _isbn.to_isbn10(thirteen) if thirteen.startswith("978") else ""
    return {"valid": True, "isbn13": thirteen, "isbn10": ten}


@api(examples=[{"arguments": {"grades": [{"grade": "A", "credits": 4}, {"grade": "B+", "credits": 3}, {"grade": "C", "credits": 2}]}, "result": 3.32}])
def grade_point_average(grades: list[dict]) -> float:
    """Compute a credit-weighted GPA on the US 4.0 scale from letter grades (A+/A 4.0, A- 3.7, B+ 3.3, ... F 0).

    Args:
        grades: Courses, each an object with 'grade' (letter) and 'credits' (number).
    """
    total = sum(float(g["credits"]) for g in grades)
    if total <= 0:
        raise ValueError("credits must add up to a positive number")
    try:
        return round(sum(_LETTER_POINTS[str(g["grade"]).upper()] * float(g["credits"]) for g in grades) / total, 2)
    except KeyError as exc:
        raise ValueError(f"unknown letter grade {exc}") from None


@api(examples=[{"arguments": {"scores": [{"score": 85, "weight": 30}, {"score": 92, "weight": 20}, {"score": 78, "weight": 50}]}, "result": 82.9}])
def weighted_course_grade(scores: list[dict]) -> float:
    """Compute a weighted course grade (percent, two decimals) from component scores and their weights.

    Args:
        scores: Components, each with 'score' (percent) and 'weight' (relative weight).
    """
    total = sum(float(s["weight"]) for s in scores)
    if total <= 0:
        raise ValueError("weights must add up to a positive number")
    return round(sum(float(s["score"]) * float(s["weight"]) for s in scores) / total, 2)


@api(examples=[{"arguments": {"percent": 87.5}, "result": "B+"}, {"arguments": {"percent": 59}, "result": "F"}])
def percent_to_letter_grade(percent: float) -> str:
    """Convert a percentage to a US letter grade with plus/minus (93+ A, 90 A-, 87 B+, 83 B, 80 B-, ... below 60 F).

    Args:
        percent: Score in percent (0 to 100).
    """
    if not 0 <= percent <= 100:
        raise ValueError("percent must be 0-100")
    if percent < 60:
        return "F"
    letter = "ABCD"[min(int((100 - percent) // 10), 3)] if percent < 100 else "A"
    within = percent % 10 if percent < 100 else 9.9
    return letter + ("+" if within >= 7 and letter != "A" else "-" if within < 3 else "")


@api(examples=[{"arguments": {"text": "The cat sat on the mat. It was a sunny day."}, "result": {"flesch_reading_ease": 108.96, "flesch_kincaid_grade": -0.57, "words": 11, "sentences": 2, "syllables": 12}}])
def readability_scores(text: str) -> dict:
    """Compute Flesch reading ease and Flesch-Kincaid grade level of English text (syllables estimated by vowel groups).

    Args:
        text: English prose with sentence punctuation.
    """
    words, sentences, syllables = _text_counts(text)
    wps, spw = words / sentences, syllables / words
    return {"flesch_reading_ease": round(206.835 - 1.015 * wps - 84.6 * spw, 2),
            "flesch_kincaid_grade": round(0.39 * wps + 11.8 * spw - 15.59, 2),
            "words": words, "sentences": sentences, "syllables": syllables}


@api(examples=[{"arguments": {"word": "education"}, "result": 4}, {"arguments": {"word": "table"}, "result": 2}])
def count_syllables(word: str) -> int:
    """Estimate the syllables in an English word from its vowel groups (a heuristic, not a dictionary lookup).

    Args:
        word: A single English word.
    """
    return _syllables(word)


@api(examples=[{"arguments": {"quality": 4, "repetitions": 2, "interval_days": 6, "easiness": 2.5}, "result": {"interval_days": 15, "repetitions": 3, "easiness": 2.5}}])
def sm2_next_review(quality: int, repetitions: int, interval_days: int, easiness: float = 2.5) -> dict:
    """Schedule the next flash-card review with the SuperMemo SM-2 algorithm.

    Args:
        quality: Recall quality 0 (blackout) to 5 (perfect).
        repetitions: Successful reviews in a row so far.
        interval_days: Current interval in days.
        easiness: Current easiness factor (starts at 2.5, never below 1.3).
    """
    if not 0 <= quality <= 5:
        raise ValueError("quality must be 0-5")
    ef = max(1.3, easiness + 0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))
    if quality < 3:
        return {"interval_days": 1, "repetitions": 0, "easiness": round(ef, 2)}
    interval = 1 if repetitions == 0 else 6 if repetitions == 1 else round(interval_days * ef)
    return {"interval_days": interval, "repetitions": repetitions + 1, "easiness": round(ef, 2)}


@api(examples=[{"arguments": {"score": 85, "scores": [70, 75, 80, 85, 90]}, "result": {"z_score": 0.7071, "percentile_rank": 70.0}}])
def standard_score(score: float, scores: list[float]) -> dict:
    """Compute a score's z-score within a class (population standard deviation) and its percentile rank (mean-rank method).

    Args:
        score: The score to rate.
        scores: All scores of the group (at least two, not all equal).
    """
    sd = statistics.pstdev(scores)
    if len(scores) < 2 or sd == 0:
        raise ValueError("need at least two scores that are not all equal")
    below = sum(s < score for s in scores)
    equal = sum(s == score for s in scores)
    return {"z_score": round((score - statistics.mean(scores)) / sd, 4), "percentile_rank": round((below + 0.5 * equal) / len(scores) * 100, 2)}


@api(examples=[{"arguments": {"number": 1234567}, "result": "one million two hundred thirty-four thousand five hundred sixty-seven"}])
def number_to_words(number: int) -> str:
    """Spell out an integer in English words (US style, no 'and'), up to the trillions.

    Args:
        number: An integer with absolute value below 10^15.
    """
    if abs(number) >= 10**15:
        raise ValueError("number too large")

    def below_1000(n: int) -> str:
        head = f"{_ONES[n // 100]} hundred" if n >= 100 else ""
        n %= 100
        tail = _ONES[n] if n < 20 else _TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else "")
        return " ".join(p for p in (head, tail if n else "") if p)

    if number == 0:
        return "zero"
    parts, n = [], abs(number)
    for scale in ("", " thousand", " million", " billion", " trillion"):
        n, chunk = divmod(n, 1000)
        if chunk:
            parts.insert(0, below_1000(chunk) + scale)
    return ("minus " if number < 0 else "") + " ".join(parts)


@api(examples=[{"arguments": {"current_percent": 82, "target_percent": 85, "final_weight_percent": 30}, "result": 92.0}])
def final_exam_score_needed(current_percent: float, target_percent: float, final_weight_percent: float) -> float:
    """Compute the final-exam score needed to reach a target course grade, given the current grade and the exam's weight.

    Args:
        current_percent: Current grade before the final, in percent.
        target_percent: Desired overall grade in percent.
        final_weight_percent: Weight of the final exam in percent of the course (1 to 100).
    """
    if not 0 < final_weight_percent <= 100:
        raise ValueError("final weight must be in (0, 100]")
    w = final_weight_percent / 100
    return round((target_percent - (1 - w) * current_percent) / w, 2)


@api(examples=[{"arguments": {"number": 7, "up_to": 5}, "result": ["7 x 1 = 7", "7 x 2 = 14", "7 x 3 = 21", "7 x 4 = 28", "7 x 5 = 35"]}])
def multiplication_table(number: int, up_to: int = 10) -> list[str]:
    """Write out the multiplication table of a number.

    Args:
        number: The number to multiply.
        up_to: Last multiplier (1 to 100).
    """
    if not 1 <= up_to <= 100:
        raise ValueError("up_to must be 1-100")
    return [f"{number} x {i} = {number * i}" for i in range(1, up_to + 1)]
