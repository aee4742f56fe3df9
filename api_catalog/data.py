"""Data: ISO reference data (countries, currencies, languages, subdivisions via pycountry) and
statistics over user-supplied data."""

from __future__ import annotations

import csv
import io
import json
import statistics

from apigen.catalog import api

CATEGORY = "Data"


def _country(code_or_name: str):
    import pycountry

    try:
        return pycountry.countries.lookup(code_or_name.strip())
    except LookupError:
        raise ValueError(f"unknown country '{code_or_name}'") from None


@api(examples=[{"arguments": {"country": "DE"}, "result": {"name": "Germany", "official_name": "Federal Republic of Germany", "alpha_2": "DE", "alpha_3": "DEU", "numeric": "276"}}])
def country_info(country: str) -> dict:
    """Look up a country's ISO 3166-1 record: common and official name, alpha-2, alpha-3 and numeric codes.

    Args:
        country: Country name, alpha-2 or alpha-3 code, e.g. 'DE', 'DEU' or 'Germany'.
    """
    c = _country(country)
    return {"name": c.name, "official_name": getattr(c, "official_name", c.name), "alpha_2": c.alpha_2,
            "alpha_3": c.alpha_3, "numeric": c.numeric}


@api(examples=[{"arguments": {"code": "JPY"}, "result": {"code": "JPY", "name": "Yen", "numeric": "392"}}])
def currency_info(code: str) -> dict:
    """Look up an ISO 4217 currency by its three-letter or numeric code.

    Args:
        code: Currency code such as 'EUR', 'JPY' or '978'.
    """
    import pycountry

    c = pycountry.currencies.get(alpha_3=code.upper()) or pycountry.currencies.get(numeric=code)
    if c is None:
        raise ValueError(f"unknown currency '{code}'")
    return {"code": c.alpha_3, "name": c.name, "numeric": c.numeric}


@api(examples=[{"arguments": {"language": "fr"}, "result": {"name": "French", "alpha_2": "fr", "alpha_3": "fra"}}])
def language_info(language: str) -> dict:
    """Look up a language's ISO 639 record: English name and two- and three-letter codes.

    Args:
        language: Language name or ISO 639 code, e.g. 'fr', 'fra' or 'French'.
    """
    import pycountry

    try:
        lang = pycountry.languages.lookup(language.strip())
    except LookupError:
        raise ValueError(f"unknown language '{language}'") from None
    return {"name": lang.name, "alpha_2": getattr(lang, "alpha_2", ""), "alpha_3": lang.alpha_3}


@api(examples=[{"arguments": {"code": "US-CA"}, "result": {"code": "US-CA", "name": "California", "type": "State", "country": "United States"}}])
def subdivision_info(code: str) -> dict:
    """Look up a country subdivision (state, province, region) by its ISO 3166-2 code.

    Args:
        code: ISO 3166-2 code such as 'US-CA', 'FR-IDF' or 'JP-13'.
    """
    import pycountry

    sub = pycountry.subdivisions.get(code=code.upper())
    if sub is None:
        raise ValueError(f"unknown subdivision '{code}'")
    return {"code": sub.code, "name": sub.name, "type": sub.type, "country": _country(sub.country_code).name}


@api(examples=[{"arguments": {"country": "AU"}, "result": {"total": 8, "by_type": {"State": 6, "Territory": 2}}}])
def count_subdivisions(country: str) -> dict:
    """Count a country's ISO 3166-2 subdivisions, in total and by type.

    Args:
        country: Country name or ISO code.
    """
    import pycountry

    subs = pycountry.subdivisions.get(country_code=_country(country).alpha_2) or []
    by_type: dict[str, int] = {}
    for s in subs:
        by_type[s.type] = by_type.get(s.type, 0) + 1
    return {"total": len(subs), "by_type": dict(sorted(by_type.items()))}


@api(examples=[{"arguments": {"csv_text": "city,temp\nOslo,4\nRome,18\nCairo,29", "column": "temp"},
                "result": {"count": 3, "min": 4.0, "max": 29.0, "mean": 17.0, "median": 18.0}}])
def csv_column_stats(csv_text: str, column: str) -> dict:
    """Summarise a numeric column of a CSV table (header row first): count, min, max, mean, median.

    Args:
        csv_text: The CSV content with a header row.
        column: Name of the numeric column.
    """
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    if not rows or column not in rows[0]:
        raise ValueError(f"column '{column}' not found")
    values = [float(r[column]) for r in rows if r[column] not in ("", None)]
    return {"count": len(values), "min": min(values), "max": max(values),
            "mean": round(statistics.mean(values), 6), "median": float(statistics.median(values))}


@api(examples=[{"arguments": {"json_text": "{\"user\": {\"tags\": [\"a\", \"b\"]}}", "path": "user.tags.1"}, "result": "b"}])
def json_path_get(json_text: str, path: str) -> object:
    """Extract a value from a JSON document by a dotted path (object keys and list indexes).

    Args:
        json_text: The JSON document.
        path: Dotted path such as 'user.tags.0'; list positions are zero-based integers.
    """
    value = json.loads(json_text)
    for part in filter(None, path.split(".")):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


@api(examples=[{"arguments": {"x": [1, 2, 3, 4, 5], "y": [2, 4, 5, 4, 5]}, "result": {"slope": 0.6, "intercept": 2.2, "correlation": 0.774597}}])
def linear_regression(x: list[float], y: list[float]) -> dict:
    """Fit a least-squares line y = slope * x + intercept and report Pearson's correlation.

    Args:
        x: Independent values (at least two, not all equal).
        y: Dependent values, same length as x.
    """
    if len(x) != len(y) or len(x) < 2:
        raise ValueError("x and y need the same length, at least two")
    fit = statistics.linear_regression(x, y)
    return {"slope": round(fit.slope, 6), "intercept": round(fit.intercept, 6),
            "correlation": round(statistics.correlation(x, y), 6)}


@api(examples=[{"arguments": {"values": [15, 20, 35, 40, 50], "percentile": 40}, "result": 29.0}])
def compute_percentile(values: list[float], percentile: float) -> float:
    """Compute a percentile of a data set with linear interpolation between closest ranks.

    Args:
        values: The data points.
        percentile: Percentile between 0 and 100.
    """
    if not values or not 0 <= percentile <= 100:
        raise ValueError("need values and a percentile between 0 and 100")
    data = sorted(values)
    pos = (len(data) - 1) * percentile / 100
    low = int(pos)
    high = min(low + 1, len(data) - 1)
    return round(data[low] + (data[high] - data[low]) * (pos - low), 10)


@api(examples=[{"arguments": {"values": [10, 20, 15, 30]}, "result": [0.0, 0.5, 0.25, 1.0]}])
def normalize_min_max(values: list[float]) -> list[float]:
    """Rescale numbers linearly to the range 0..1 (min-max normalisation).

    Args:
        values: The numbers (at least two distinct values).
    """
    low, high = min(values), max(values)
    if high == low:
        raise ValueError("values must not all be equal")
    return [round((v - low) / (high - low), 10) for v in values]


@api(examples=[{"arguments": {"records": [{"region": "north", "sales": 10}, {"region": "south", "sales": 5}, {"region": "north", "sales": 7}],
                              "key": "region", "value": "sales"}, "result": {"north": 17, "south": 5}}])
def group_and_sum(records: list[dict], key: str, value: str) -> dict:
    """Group records by a field and sum a numeric field within each group.

    Args:
        records: List of objects (rows).
        key: Field to group by.
        value: Numeric field to sum.
    """
    totals: dict = {}
    for r in records:
        totals[str(r[key])] = totals.get(str(r[key]), 0) + r[value]
    return totals


@api(examples=[{"arguments": {"values": [1, 2, 2, 3, 9], "bins": 2}, "result": [{"start": 1.0, "end": 5.0, "count": 4}, {"start": 5.0, "end": 9.0, "count": 1}]}])
def histogram_bins(values: list[float], bins: int = 10) -> list[dict]:
    """Count values into equal-width bins between the minimum and maximum (last bin includes the maximum).

    Args:
        values: The data points (at least one).
        bins: Number of bins (1 to 100).
    """
    if not values or not 1 <= bins <= 100:
        raise ValueError("need values and 1 to 100 bins")
    low, high = min(values), max(values)
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(int((v - low) / width), bins - 1)] += 1
    return [{"start": round(low + i * width, 10), "end": round(low + (i + 1) * width, 10), "count": c} for i, c in enumerate(counts)]
