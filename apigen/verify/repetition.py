"""Whether a query asks for the same call more than once ("roll the die twice", "draw four
random numbers"). Then identical calls are the right answer (each draw gives a new result);
otherwise two identical calls are a copying mistake and the format check rejects them."""

from __future__ import annotations

import re

_COUNT = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a\s+few|several|multiple)"
_CUE = re.compile(rf"""\b(?:
    twice | thrice | again | one\s+more\s+time | repeat(?:s|ed|edly)?
  | {_COUNT}\s+times\b(?!\s*\d)          # "3 times", not the product "3 times 4"
  | {_COUNT}\s+(?:more\s+|separate\s+|independent\s+)*(?:random|draws|rolls|flips|tosses)
)\b""", re.IGNORECASE | re.VERBOSE)
# Not "each": "for each city" names distinct things, whose calls must differ.


def asks_for_repeats(query: str) -> bool:
    return _CUE.search(query) is not None
