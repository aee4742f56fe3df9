"""Other: calendar facts (leap years, ISO weeks, Easter) and exact unit conversions (SI and
US customary definitions), ordinals and flag emoji."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Literal

from apigen.catalog import api

CATEGORY = "Other"
# Exact conversion factors to the SI base unit (international yard and pound, 1959).
_LENGTH = {"mm": 0.001, "cm": 0.01, "m": 1.0, "km": 1000.0, "in": 0.0254, "ft": 0.3048, "yd": 0.9144, "mi": 1609.344, "nmi": 1852.0}
_MASS = {"mg": 1e-6, "g": 0.001, "kg": 1.0, "t": 1000.0, "oz": 0.028349523125, "lb": 0.45359237, "st": 6.35029318}
_VOLUME = {"ml": 0.001, "l": 1.0, "m3": 1000.0, "us_gal": 3.785411784, "uk_gal": 4.54609, "us_fl_oz": 0.0295735295625, "ft3": 28.316846592}
_SPEED = {"m/s": 1.0, "km/h": 1 / 3.6, "mph": 0.44704, "knots": 1852 / 3600, "ft/s": 0.3048}
_AREA = {"m2": 1.0, "km2": 1e6, "ha": 1e4, "acre": 4046.8564224, "ft2": 0.09290304, "mi2": 2589988.110336}


def _convert(table: dict, value: float, from_unit: str, to_unit: str) -> float:
    return float(f"{value * table[from_unit] / table[to_unit]:.10g}")


@api(examples=[{"arguments": {"year": 2024}, "result": True}, {"arguments": {"year": 1900}, "result": False}])
def is_leap_year(year: int) -> bool:
    """Check whether a year is a leap year in the Gregorian calendar.

    Args:
        year: The year.
    """
    return calendar.isleap(year)


@api(examples=[{"arguments": {"year": 2024, "month": 2}, "result": 29}])
def days_in_month(year: int, month: int) -> int:
    """Give the number of days in a month of a year.

    Args:
        year: The year.
        month: The month, 1-12.
    """
    if not 1 <= month <= 12:
        raise ValueError("month must be 1-12")
    return calendar.monthrange(year, month)[1]


@api(examples=[{"arguments": {"date": "2025-12-29"}, "result": {"iso_year": 2026, "week": 1, "weekday": 1, "day_of_year": 363}}])
def iso_week_info(date: str) -> dict:
    """Give a date's ISO 8601 week-numbering year, week number and weekday (1 = Monday), and its day of the year.

    Args:
        date: ISO date.
    """
    d = dt.date.fromisoformat(date)
    y, w, wd = d.isocalendar()
    return {"iso_year": y, "week": w, "weekday": wd, "day_of_year": d.timetuple().tm_yday}


@api(examples=[{"arguments": {"year": 2025}, "result": "2025-04-20"}, {"arguments": {"year": 2025, "church": "orthodox"}, "result": "2025-04-20"}, {"arguments": {"year": 2024, "church": "orthodox"}, "result": "2024-05-05"}])
def easter_date(year: int, church: Literal["western", "orthodox"] = "western") -> str:
    """Compute the date of Easter Sunday (Gregorian calendar) for western churches or the Orthodox church.

    Args:
        year: The year (1583 to 4099).
        church: 'western' (Gregorian computus) or 'orthodox' (Julian computus, converted to Gregorian).
    """
    from dateutil.easter import EASTER_ORTHODOX, EASTER_WESTERN, easter

    if not 1583 <= year <= 4099:
        raise ValueError("year must be 1583-4099")
    return easter(year, EASTER_WESTERN if church == "western" else EASTER_ORTHODOX).isoformat()


@api(examples=[{"arguments": {"number": 22}, "result": "22nd"}, {"arguments": {"number": 113}, "result": "113th"}])
def ordinal_number(number: int) -> str:
    """Write an integer as an English ordinal (1st, 2nd, 3rd, 11th, 22nd, ...).

    Args:
        number: The integer.
    """
    suffix = "th" if 10 <= abs(number) % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(abs(number) % 10, "th")
    return f"{number}{suffix}"


@api(examples=[{"arguments": {"country_code": "JP"}, "result": "🇯🇵"}])
def country_flag_emoji(country_code: str) -> str:
    """Give the flag emoji of a country from its ISO 3166-1 alpha-2 code (regional indicator symbols).

    Args:
        country_code: Two-letter country code, e.g. 'JP'.
    """
    import pycountry

    code = country_code.strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"unknown country code '{country_code}'")
    return "".join(chr(0x1F1E6 + ord(c) - 65) for c in code)


@api(examples=[{"arguments": {"value": 26.2, "from_unit": "mi", "to_unit": "km"}, "result": 42.1648128}])
def convert_length(value: float, from_unit: Literal["mm", "cm", "m", "km", "in", "ft", "yd", "mi", "nmi"], to_unit: Literal["mm", "cm", "m", "km", "in", "ft", "yd", "mi", "nmi"]) -> float:
    """Convert a length between metric, imperial/US units and nautical miles (exact definitions, 10 significant digits).

    Args:
        value: The length.
        from_unit: Unit of value.
        to_unit: Unit to convert to.
    """
    return _convert(_LENGTH, value, from_unit, to_unit)


@api(examples=[{"arguments": {"value": 150, "from_unit": "lb", "to_unit": "kg"}, "result": 68.0388555}])
def convert_mass(value: float, from_unit: Literal["mg", "g", "kg", "t", "oz", "lb", "st"], to_unit: Literal["mg", "g", "kg", "t", "oz", "lb", "st"]) -> float:
    """Convert a mass between metric units, avoirdupois ounces and pounds, and stones (10 significant digits).

    Args:
        value: The mass.
        from_unit: Unit of value.
        to_unit: Unit to convert to.
    """
    return _convert(_MASS, value, from_unit, to_unit)


@api(examples=[{"arguments": {"value": 10, "from_unit": "us_gal", "to_unit": "l"}, "result": 37.85411784}])
def convert_volume(value: float, from_unit: Literal["ml", "l", "m3", "us_gal", "uk_gal", "us_fl_oz", "ft3"], to_unit: Literal["ml", "l", "m3", "us_gal", "uk_gal", "us_fl_oz", "ft3"]) -> float:
    """Convert a volume between metric units, US and imperial gallons, US fluid ounces and cubic feet.

    Args:
        value: The volume.
        from_unit: Unit of value.
        to_unit: Unit to convert to.
    """
    return _convert(_VOLUME, value, from_unit, to_unit)


@api(examples=[{"arguments": {"value": 100, "from_unit": "km/h", "to_unit": "mph"}, "result": 62.13711922}])
def convert_speed(value: float, from_unit: Literal["m/s", "km/h", "mph", "knots", "ft/s"], to_unit: Literal["m/s", "km/h", "mph", "knots", "ft/s"]) -> float:
    """Convert a speed between m/s, km/h, mph, knots and ft/s.

    Args:
        value: The speed.
        from_unit: Unit of value.
        to_unit: Unit to convert to.
    """
    return _convert(_SPEED, value, from_unit, to_unit)


@api(examples=[{"arguments": {"value": 1, "from_unit": "acre", "to_unit": "m2"}, "result": 4046.856422}])
def convert_area(value: float, from_unit: Literal["m2", "km2", "ha", "acre", "ft2", "mi2"], to_unit: Literal["m2", "km2", "ha", "acre", "ft2", "mi2"]) -> float:
    """Convert an area between square metres, square kilometres, hectares, acres, square feet and square miles.

    Args:
        value: The area.
        from_unit: Unit of value.
        to_unit: Unit to convert to.
    """
    return _convert(_AREA, value, from_unit, to_unit)


@api(examples=[{"arguments": {"year": 2025, "month": 2}, "result": ["2025-02-01", "2025-02-08", "2025-02-15", "2025-02-22"]}])
def weekdays_in_month(year: int, month: int, weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "saturday") -> list[str]:
    """List every date in a month that falls on a given weekday.

    Args:
        year: The year.
        month: The month, 1-12.
        weekday: The day of the week.
    """
    if not 1 <= month <= 12:
        raise ValueError("month must be 1-12")
    index = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].index(weekday)
    return [dt.date(year, month, d).isoformat() for d in range(1, calendar.monthrange(year, month)[1] + 1) if dt.date(year, month, d).weekday() == index]
