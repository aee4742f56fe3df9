"""Comparing one set of function calls with another, in BFCL's manner ("AST matching").

Used to score a model's calls against reference calls. It imports only ``apigen.records`` and
the standard library, so it does not depend on the verifier. The rules, in order of precision
over recall (a wrong match keeps wrong training data, a missed one only loses an example):

Calls
  - Both sides call the same functions, as many times each; otherwise ``call_count_mismatch``
    (a different number of calls in all, or per function) or ``function_mismatch`` (a function
    on one side only, or a call without a name).
  - ``ordered=False`` (default): the calls form a multiset; each reference call is paired with a
    distinct call of the same name that matches it (parallel calls in any order, duplicate names
    included). ``ordered=True``: position by position.
  - Arguments: every argument on both sides matches (``value_mismatch`` otherwise). An argument
    on one side only is accepted when its value equals the schema's ``default`` for it;
    otherwise ``missing_argument`` (reference only) or ``unexpected_argument`` (other side only).

Values (``values_match``)
  - Strings: equal after folding: lowercase, accents dropped, whitespace and punctuation removed
    (BFCL strips ``[ ,./-_*^]``; quotes, apostrophes and the other punctuation marks go too; ``#
    % & @`` and math/currency symbols stay). "New York" = "new-york", not "Newark".
  - Numbers: equal within 1e-6 relative or 1e-9 absolute; 2 = 2.0. A string that reads as a
    number equals that number: "5", "5.0", "1,000", "$20", "5%" (= 5, never 0.05), "1.5
    million", number words up to the billions ("five", "twenty-one", "one hundred and five").
    Two strings that both read as numbers compare as numbers ("3.5" is not "35"); a digit string
    with a leading zero ("02134") is a code, compared as text.
  - Dates: two strings naming the same calendar day are equal: "2022-05-12", "2022/05/12",
    "05-12-2022" and "05/12/2022" (month first, US; 13/05/2022 can only be day first),
    "May 12, 2022", "May 12th 2022", "12 May 2022", "12th of May 2022". No year, no date.
  - Booleans: equal to booleans and to the strings "true" / "false"; never to 0 / 1.
  - ``null`` equals only ``null``.
  - Enum values (the schema has ``enum``): folded spelling only.
  - A trailing qualifier after a comma: "New York" = "New York, NY" only when the side without a
    comma equals the other's first segment after folding, and the qualifier has letters. No
    synonyms are guessed ("transit" is not "public transportation").
  - Lists: same length, item by item in order (BFCL's rule), with the schema's ``items``.
  - Objects: key by key, recursively, with the nested ``properties`` (or
    ``additionalProperties``); a key on one side only needs its ``default`` as above.

Odd input (arguments that are not objects, unknown function names, None schemas, values of
other types) never raises: it is a non-match with a reason, or is compared without a schema.
"""

from __future__ import annotations

from apigen.matching.calls import MatchResult, match_call, match_calls
from apigen.matching.values import values_match

__all__ = ["MatchResult", "match_call", "match_calls", "values_match"]
