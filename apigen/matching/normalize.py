"""Normalisation shared by the call matcher and the grounding stage: text folding, numbers
(digits and number words) and dates.

Each reader is conservative: what it cannot read with certainty gives None (or nothing), and the
caller then compares the value as text. Standard library only.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterator

# ----- text ----------------------------------------------------------------------------------

# Punctuation that can change a value's meaning is kept as tokens of its own ("C#" is not "C",
# "AT&T" not "ATT", "5%" not "5"); all other punctuation and all whitespace only separate tokens.
_KEPT_SYMBOLS = frozenset("#%&@")


def tokens(text: str) -> list[str]:
    """Lowercased word tokens: runs of letters and digits, accents dropped, plus one token per
    meaningful symbol (``_KEPT_SYMBOLS`` and math/currency symbols such as ``+ $ €``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    out: list[str] = []
    word: list[str] = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue  # the accent of a decomposed letter: "São" is "sao"
        if ch.isalnum():
            word.append(ch)
            continue
        if word:
            out.append("".join(word).casefold())
            word = []
        category = unicodedata.category(ch)
        if ch in _KEPT_SYMBOLS or category in ("Sm", "Sc", "So"):
            out.append(ch)
    if word:
        out.append("".join(word).casefold())
    return out


def fold_text(text: str) -> str:
    """A string's comparison form: lowercase, no accents, no whitespace and no punctuation
    (BFCL strips ``[ ,./-_*^]``; this drops every punctuation mark but ``# % & @`` and quotes
    too). "New York" and "new-york" fold alike, "New York" and "Newark" do not."""
    return "".join(tokens(text))


# ----- numbers -------------------------------------------------------------------------------

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
          "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
NUMBER_WORDS = frozenset({*_UNITS, *_TEENS, *_TENS, *_SCALES, "hundred"})

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_NUMBER_RE = re.compile(
    rf"(?P<sign>[-+\u2212])?\s*(?P<cur>[$€£¥])?\s*(?P<num>{_DIGITS})"
    r"(?:\s*(?P<scale>thousand|million|billion))?\s*(?P<pct>%|percent)?",
    re.IGNORECASE,
)
_LEADING_ZERO = re.compile(r"[-+]?0\d+")


def _below_hundred(words: list[str], i: int) -> tuple[int, int] | None:
    if i >= len(words):
        return None
    w = words[i]
    if w in _TENS:
        if i + 1 < len(words) and words[i + 1] in _UNITS and _UNITS[words[i + 1]] > 0:
            return _TENS[w] + _UNITS[words[i + 1]], i + 2
        return _TENS[w], i + 1
    if w in _TEENS:
        return _TEENS[w], i + 1
    if w in _UNITS:
        return _UNITS[w], i + 1
    return None


def _below_thousand(words: list[str], i: int) -> tuple[int, int] | None:
    """"five", "twenty one", "a hundred and five", "twelve hundred"."""
    if i < len(words) and words[i] == "a" and i + 1 < len(words) and words[i + 1] in ("hundred", *_SCALES):
        head: tuple[int, int] | None = (1, i + 1)  # "a" counts as one only before a scale word
    else:
        head = _below_hundred(words, i)
    if head is None:
        return None
    value, j = head
    if j < len(words) and words[j] == "hundred" and value > 0:
        value, j = value * 100, j + 1
        k = j + 1 if j < len(words) and words[j] == "and" else j
        rest = _below_hundred(words, k)
        if rest is not None and rest[0] > 0:
            value, j = value + rest[0], rest[1]
    return value, j


def parse_number_words(words: list[str], start: int = 0) -> tuple[int, int] | None:
    """The longest number written in words at ``words[start:]``: (value, index after it), or None.
    Strict grammar, so "five five" reads as 5 (then 5 again), never as 10."""
    group = _below_thousand(words, start)
    if group is None:
        return None
    value, i = group
    total, last_scale = 0, math.inf
    while i < len(words) and words[i] in _SCALES and _SCALES[words[i]] < last_scale and value < 1000:
        scale = _SCALES[words[i]]
        total, last_scale, value, i = total + value * scale, scale, 0, i + 1
        k = i + 1 if i < len(words) and words[i] == "and" else i
        nxt = _below_thousand(words, k)
        if nxt is None or nxt[0] >= scale:
            break
        value, i = nxt
    return total + value, i


def word_list(text: str) -> list[str]:
    """Lowercased words split at whitespace and hyphens ("twenty-one" -> twenty, one)."""
    return [w for w in re.split(r"[\s\-\u2010-\u2013]+", text.casefold().strip()) if w]


def parse_number(value: str) -> float | int | None:
    """The number a whole string denotes, or None: "5", "5.0", "-3", "1,000", "$20", "5%" (5,
    not 0.05), "1.5 million", "five", "twenty-one", "one hundred and five", "minus five"."""
    text = value.strip().rstrip(".").strip()
    match = _NUMBER_RE.fullmatch(text)
    if match:
        number: float | int = float(match["num"].replace(",", ""))
        if match["scale"]:
            number *= _SCALES[match["scale"].lower()]
        if match["sign"] in ("-", "\u2212"):
            number = -number
        return int(number) if float(number).is_integer() and "." not in match["num"] else number
    words = word_list(text)
    sign = 1
    if words and words[0] in ("minus", "negative"):
        sign, words = -1, words[1:]
    parsed = parse_number_words(words) if words else None
    if parsed is None or parsed[1] != len(words):
        return None
    return sign * parsed[0]


def is_identifier_like(value: str) -> bool:
    """A digit string with a leading zero ("02134", "007") is a code, not a number."""
    return bool(_LEADING_ZERO.fullmatch(value.strip()))


def numbers_equal(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def find_numbers(text: str) -> list[float]:
    """Every number written in ``text``, as digits ("1,000", "3.5", "$20", "5%", "-4", "1.5
    million") or in words ("five", "twenty one", "a hundred"). A signed number also counts
    unsigned; digits glued to a letter before them ("mp3") are not read, but both sides of "800x600"
    are, and a comma that does not group thousands separates numbers ("5,10 and 15")."""
    found: list[float] = []
    for match in re.finditer(rf"(?:(?<![\w.])|(?<=\d[x×]))(?P<sign>-)?(?P<cur>[$€£¥])?(?P<num>{_DIGITS})(?![\d])"
                             r"(?:\s*(?P<scale>thousand|million|billion)\b|(?P<k>k)\b)?", text, re.IGNORECASE):
        number = float(match["num"].replace(",", ""))
        found.append(number)
        if match["sign"]:
            found.append(-number)
        if match["scale"]:
            found.append(number * _SCALES[match["scale"].lower()])
        elif match["k"]:
            found.append(number * 1000)
    words = word_list(re.sub(r"[^\w\s\-]", " ", text))
    i = 0
    while i < len(words):
        parsed = parse_number_words(words, i)
        if parsed is None:
            i += 1
            continue
        found.append(float(parsed[0]))
        i = parsed[1]
    return found


# ----- dates ---------------------------------------------------------------------------------

_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
           "nov": 11, "dec": 12}
_MONTH = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
# Numeric dates: year first (ISO), or month first (US: 05/12/2022 is May 12). A first number over
# 12 can only be a day (13/05/2022), so that reading is taken. Day.month.year with dots is
# ambiguous across locales and is not read.
_DATE_PATTERNS = (
    re.compile(rf"{_YEAR}(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})", re.IGNORECASE),
    re.compile(rf"(?P<m>\d{{1,2}})(?P<sep>[-/])(?P<d>\d{{1,2}})(?P=sep){_YEAR}", re.IGNORECASE),
    re.compile(rf"{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}", re.IGNORECASE),
    re.compile(rf"{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}", re.IGNORECASE),
)
# The same, found inside a text: not glued to more digits, letters or separators on either side.
_DATES_IN_TEXT = tuple(re.compile(rf"(?<![\w/.\-])(?:{p.pattern})(?![\w/\-]|\.\d)", re.IGNORECASE) for p in _DATE_PATTERNS)


def _to_date(match: re.Match[str]) -> dt.date | None:
    groups = match.groupdict()
    year = int(groups["year"])
    if groups.get("mon"):
        month, day = _MONTHS[groups["mon"][:3].lower()], int(groups["day"])
    else:
        month, day = int(groups["m"]), int(groups["d"])
        if "year" in groups and match.start("year") > match.start("m") and month > 12 >= day:
            month, day = day, month  # 13/05/2022: only the day-first reading is a date
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(value: str) -> dt.date | None:
    """The calendar day a whole string names, or None: "2022-05-12", "2022/05/12", "05-12-2022"
    and "05/12/2022" (US month first), "May 12, 2022", "May 12th 2022", "12 May 2022", "12th of
    May, 2022", "Thursday, May 12, 2022". A date with a time of day is not a day and is not read."""
    text = value.strip().rstrip(".")
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return _to_date(match)
    return None


def find_dates(text: str) -> Iterator[dt.date]:
    """Every date written in ``text`` in one of the forms ``parse_date`` reads."""
    for pattern in _DATES_IN_TEXT:
        for match in pattern.finditer(text):
            day = _to_date(match)
            if day is not None:
                yield day


# ----- times of day --------------------------------------------------------------------------

_CLOCK = re.compile(r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?")
_ZONE = r"(?:Z|[+-]\d{2}(?::?\d{2})?)?"
_DATETIME = re.compile(rf"(?P<date>\d{{4}}-\d{{1,2}}-\d{{1,2}})[T ](?P<time>{_CLOCK.pattern}){_ZONE}", re.IGNORECASE)
# In a text: "10 AM", "2:30 p.m.", "14:00"; "noon" and "midnight".
_TIMES_IN_TEXT = re.compile(
    r"(?<![\w:.])(?:(?P<h12>\d{1,2})(?::(?P<m12>\d{2}))?\s*(?P<ampm>[ap])\.?\s?m\b\.?"
    r"|(?P<h24>\d{1,2}):(?P<m24>\d{2})(?::\d{2})?(?![\d:]))",
    re.IGNORECASE)


def _clock(hour: int, minute: int) -> tuple[int, int] | None:
    return (hour, minute) if 0 <= hour <= 23 and 0 <= minute <= 59 else None


def parse_time(value: str) -> tuple[int, int] | None:
    """(hour, minute) of a whole string written as a clock time: "10:00", "08:30:00"."""
    match = _CLOCK.fullmatch(value.strip())
    return _clock(int(match["h"]), int(match["m"])) if match else None


def parse_datetime(value: str) -> tuple[dt.date, tuple[int, int]] | None:
    """(day, (hour, minute)) of an ISO date-time string: "2023-04-18T10:00:00", "2023-04-18 10:00Z"."""
    match = _DATETIME.fullmatch(value.strip())
    if not match:
        return None
    day, time = parse_date(match["date"]), parse_time(match["time"])
    return (day, time) if day is not None and time is not None else None


def find_times(text: str) -> Iterator[tuple[int, int]]:
    """Every clock time written in ``text``: "10 AM" and "10:00 a.m." are (10, 0), "2 PM" (14, 0)."""
    lowered = text.lower()
    if re.search(r"\bnoon\b", lowered):
        yield (12, 0)
    if re.search(r"\bmidnight\b", lowered):
        yield (0, 0)
    for match in _TIMES_IN_TEXT.finditer(text):
        if match["ampm"]:
            hour = int(match["h12"]) % 12 + (12 if match["ampm"].lower() == "p" else 0)
            found = _clock(hour, int(match["m12"] or 0)) if int(match["h12"]) <= 12 else None
        else:
            found = _clock(int(match["h24"]), int(match["m24"]))
        if found is not None:
            yield found
