"""Entertainment: astrology tables (western and Chinese zodiac), word games (anagrams, palindromes,
Scrabble scores, ciphers, Pig Latin), viewing time, rating formulas and inflation-adjusted grosses."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from apigen.catalog import api

CATEGORY = "Entertainment"
_ZODIAC = [((1, 20), "Capricorn"), ((2, 19), "Aquarius"), ((3, 21), "Pisces"), ((4, 20), "Aries"), ((5, 21), "Taurus"),
           ((6, 21), "Gemini"), ((7, 23), "Cancer"), ((8, 23), "Leo"), ((9, 23), "Virgo"), ((10, 23), "Libra"),
           ((11, 22), "Scorpio"), ((12, 22), "Sagittarius"), ((12, 32), "Capricorn")]
_ANIMALS = ["Rat", "Ox", "Tiger", "Rabbit", "Dragon", "Snake", "Horse", "Goat", "Monkey", "Rooster", "Dog", "Pig"]
_ELEMENTS = ["Wood", "Fire", "Earth", "Metal", "Water"]
_SCRABBLE = {**dict.fromkeys("AEILNORSTU", 1), **dict.fromkeys("DG", 2), **dict.fromkeys("BCMP", 3), **dict.fromkeys("FHVWY", 4),
             "K": 5, **dict.fromkeys("JX", 8), **dict.fromkeys("QZ", 10)}


@api(examples=[{"arguments": {"month": 8, "day": 15}, "result": "Leo"}, {"arguments": {"month": 12, "day": 25}, "result": "Capricorn"}])
def zodiac_sign(month: int, day: int) -> str:
    """Give the western (tropical) zodiac sign for a birthday, using the conventional date ranges.

    Args:
        month: Birth month, 1-12.
        day: Birth day of the month.
    """
    dt.date(2000, month, day)  # validates the date (2000 is a leap year)
    return next(sign for (m, d), sign in _ZODIAC if (month, day) < (m, d))


@api(examples=[{"arguments": {"year": 2024}, "result": {"animal": "Dragon", "element": "Wood", "yin_yang": "Yang"}}])
def chinese_zodiac(year: int) -> dict:
    """Give the Chinese zodiac animal, element and yin/yang of a lunar year (the year starts at Chinese New Year, not January 1).

    Args:
        year: The (lunar) year, e.g. 2024.
    """
    offset = year - 4
    return {"animal": _ANIMALS[offset % 12], "element": _ELEMENTS[offset % 10 // 2], "yin_yang": "Yang" if year % 2 == 0 else "Yin"}


@api(examples=[{"arguments": {"episodes": 62, "minutes_per_episode": 47, "hours_per_day": 3}, "result": {"total_hours": 48.57, "days_needed": 17}}])
def binge_watch_time(episodes: int, minutes_per_episode: float, hours_per_day: float = 24) -> dict:
    """Compute the total viewing time of a series and the days needed at a daily viewing budget.

    Args:
        episodes: Number of episodes.
        minutes_per_episode: Average runtime per episode in minutes.
        hours_per_day: Hours watched per day (positive).
    """
    if hours_per_day <= 0 or episodes < 0:
        raise ValueError("hours per day must be positive")
    hours = episodes * minutes_per_episode / 60
    return {"total_hours": round(hours, 2), "days_needed": -(-round(hours * 60) // round(hours_per_day * 60))}


@api(examples=[{"arguments": {"first": "Listen", "second": "Silent"}, "result": True}, {"arguments": {"first": "apple", "second": "paple!"}, "result": True}])
def are_anagrams(first: str, second: str) -> bool:
    """Check whether two words or phrases are anagrams, ignoring case, spaces and punctuation.

    Args:
        first: First word or phrase.
        second: Second word or phrase.
    """
    key = lambda s: Counter(c for c in s.lower() if c.isalnum())  # noqa: E731
    return key(first) == key(second)


@api(examples=[{"arguments": {"text": "A man, a plan, a canal: Panama"}, "result": True}])
def is_palindrome(text: str) -> bool:
    """Check whether a word or sentence reads the same backwards, ignoring case, spaces and punctuation.

    Args:
        text: The word or sentence.
    """
    letters = [c for c in text.lower() if c.isalnum()]
    return bool(letters) and letters == letters[::-1]


@api(examples=[{"arguments": {"word": "quiz"}, "result": 22}, {"arguments": {"word": "jukebox", "word_multiplier": 2}, "result": 54}])
def scrabble_word_score(word: str, word_multiplier: int = 1) -> int:
    """Compute the English Scrabble score of a word from standard tile values, with an optional word multiplier.

    Args:
        word: The word (letters only).
        word_multiplier: 1, 2 (double word) or 3 (triple word).
    """
    if not word.isalpha() or not word.isascii():
        raise ValueError("the word must contain only letters A-Z")
    return sum(_SCRABBLE[c] for c in word.upper()) * word_multiplier


@api(examples=[{"arguments": {"text": "Hello, World!", "shift": 3}, "result": "Khoor, Zruog!"}])
def caesar_cipher(text: str, shift: int) -> str:
    """Shift letters through the alphabet (Caesar cipher); a negative shift decodes. Other characters are kept.

    Args:
        text: The text.
        shift: Positions to shift (ROT13 is 13).
    """
    def move(c: str) -> str:
        base = 65 if c.isupper() else 97
        return chr((ord(c) - base + shift) % 26 + base) if c.isascii() and c.isalpha() else c

    return "".join(move(c) for c in text)


@api(examples=[{"arguments": {"text": "Hello world"}, "result": "Ellohay orldway"}])
def pig_latin(text: str) -> str:
    """Translate English words to Pig Latin (consonant cluster moved to the end + 'ay'; vowel-initial words + 'way').

    Args:
        text: English text.
    """
    def word(w: str) -> str:
        m = re.match(r"([^aeiouAEIOU]*)(.*)", w)
        head, rest = m.group(1), m.group(2)
        out = w + "way" if not head else (rest + head.lower() + "ay" if rest else w + "ay")
        return out.capitalize() if w[0].isupper() else out

    return re.sub(r"[A-Za-z]+", lambda m: word(m.group(0)), text)


@api(examples=[{"arguments": {"rating": 8.5, "votes": 50000, "minimum_votes": 25000, "mean_rating": 7.0}, "result": 8.0}])
def weighted_rating(rating: float, votes: int, minimum_votes: int, mean_rating: float) -> float:
    """Compute the Bayesian weighted rating used for top-rated lists: v/(v+m) R + m/(v+m) C.

    Args:
        rating: Average rating of the title (R).
        votes: Number of votes for the title (v).
        minimum_votes: Minimum votes required to be listed (m).
        mean_rating: Mean rating across all titles (C).
    """
    if votes < 0 or minimum_votes < 0 or votes + minimum_votes == 0:
        raise ValueError("votes must be non-negative and not both zero")
    total = votes + minimum_votes
    return round(votes / total * rating + minimum_votes / total * mean_rating, 3)


@api(examples=[{"arguments": {"event_date": "2025-12-25", "from_date": "2025-11-30"}, "result": {"days": 25, "weeks": 3, "extra_days": 4, "weekday": "Thursday"}}])
def days_until_event(event_date: str, from_date: str) -> dict:
    """Count down the days (and weeks plus days) from one date to an event date, and name the event's weekday.

    Args:
        event_date: ISO date of the event.
        from_date: ISO date to count from, e.g. today.
    """
    days = (dt.date.fromisoformat(event_date) - dt.date.fromisoformat(from_date)).days
    return {"days": days, "weeks": abs(days) // 7, "extra_days": abs(days) % 7, "weekday": dt.date.fromisoformat(event_date).strftime("%A")}


@api(examples=[{"arguments": {"amount": 100000000, "cpi_then": 62.9, "cpi_now": 313.7}, "result": 498728139.90}])
def adjust_for_inflation(amount: float, cpi_then: float, cpi_now: float) -> float:
    """Express a past amount (e.g. a film's box-office gross) in today's money with consumer price index values you supply.

    Args:
        amount: Amount in money of the earlier year.
        cpi_then: CPI value of the earlier year.
        cpi_now: CPI value of the later year.
    """
    if cpi_then <= 0 or cpi_now <= 0:
        raise ValueError("CPI values must be positive")
    return round(amount * cpi_now / cpi_then, 2)


@api(examples=[{"arguments": {"minutes": 169}, "result": "2h 49m"}])
def format_runtime(minutes: int) -> str:
    """Format a film or show runtime in minutes as hours and minutes, e.g. '2h 49m'.

    Args:
        minutes: Runtime in minutes (non-negative).
    """
    if minutes < 0:
        raise ValueError("minutes must be non-negative")
    h, m = divmod(minutes, 60)
    return f"{h}h {m}m" if h else f"{m}m"
