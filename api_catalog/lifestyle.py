"""Lifestyle: everyday arithmetic for meals, cooking, home projects, ages and calendars."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Literal

from apigen.catalog import api

CATEGORY = "Lifestyle"
_ML = {"ml": 1.0, "l": 1000.0, "tsp": 4.92892159375, "tbsp": 14.78676478125, "fl_oz": 29.5735295625, "cup": 236.5882365,
       "pint": 473.176473, "quart": 946.352946, "gallon": 3785.411784}
_GAS_MARK = {1: 140, 2: 150, 3: 170, 4: 180, 5: 190, 6: 200, 7: 220, 8: 230, 9: 240}  # UK gas mark -> approx. degC
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@api(examples=[{"arguments": {"bill": 84.5, "tip_percent": 18, "people": 3}, "result": {"tip": 15.21, "total": 99.71, "per_person": 33.24}}])
def tip_calculator(bill: float, tip_percent: float, people: int = 1) -> dict:
    """Compute the tip, the total with tip and each person's share of a restaurant bill.

    Args:
        bill: Bill amount before tip.
        tip_percent: Tip in percent, e.g. 15, 18, 20.
        people: Number of people splitting (at least 1).
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    tip = bill * tip_percent / 100
    return {"tip": round(tip, 2), "total": round(bill + tip, 2), "per_person": round((bill + tip) / people, 2)}


@api(examples=[{"arguments": {"total": 100, "people": 3}, "result": [33.34, 33.33, 33.33]}])
def split_bill_evenly(total: float, people: int) -> list[float]:
    """Split an amount into equal shares in cents so that the shares add up exactly (the first people pay the leftover cents).

    Args:
        total: Amount to split.
        people: Number of people (1 to 1000).
    """
    if not 1 <= people <= 1000:
        raise ValueError("people must be 1-1000")
    cents = round(total * 100)
    base, extra = divmod(cents, people)
    return [(base + (i < extra)) / 100 for i in range(people)]


@api(examples=[{"arguments": {"ingredients": [{"name": "flour", "amount": 250, "unit": "g"}, {"name": "eggs", "amount": 2, "unit": "pcs"}], "servings_from": 4, "servings_to": 6},
                "result": [{"name": "flour", "amount": 375.0, "unit": "g"}, {"name": "eggs", "amount": 3.0, "unit": "pcs"}]}])
def scale_recipe(ingredients: list[dict], servings_from: int, servings_to: int) -> list[dict]:
    """Scale recipe ingredient amounts from one number of servings to another.

    Args:
        ingredients: Ingredients, each with 'name', 'amount' and 'unit'.
        servings_from: Servings the recipe is written for.
        servings_to: Servings wanted.
    """
    if servings_from <= 0 or servings_to <= 0:
        raise ValueError("servings must be positive")
    f = servings_to / servings_from
    return [{"name": i["name"], "amount": round(float(i["amount"]) * f, 2), "unit": i.get("unit", "")} for i in ingredients]


@api(examples=[{"arguments": {"amount": 2, "from_unit": "cup", "to_unit": "ml"}, "result": 473.18}])
def convert_cooking_volume(amount: float, from_unit: Literal["ml", "l", "tsp", "tbsp", "fl_oz", "cup", "pint", "quart", "gallon"], to_unit: Literal["ml", "l", "tsp", "tbsp", "fl_oz", "cup", "pint", "quart", "gallon"]) -> float:
    """Convert kitchen volume measures (US customary cups, spoons, fluid ounces, pints, quarts, gallons, and metric).

    Args:
        amount: Quantity to convert.
        from_unit: Unit of amount.
        to_unit: Unit to convert to.
    """
    return round(amount * _ML[from_unit] / _ML[to_unit], 2)


@api(examples=[{"arguments": {"gas_mark": 6}, "result": {"celsius": 200, "fahrenheit": 392, "fan_celsius": 180}}])
def oven_temperature(gas_mark: int) -> dict:
    """Convert a UK gas mark (1-9) to the usual oven temperatures in degC, degF and fan-oven degC (20 degrees lower).

    Args:
        gas_mark: Gas mark 1 to 9.
    """
    if gas_mark not in _GAS_MARK:
        raise ValueError("gas mark must be 1-9")
    c = _GAS_MARK[gas_mark]
    return {"celsius": c, "fahrenheit": round(c * 9 / 5 + 32), "fan_celsius": c - 20}


@api(examples=[{"arguments": {"birth_date": "1990-08-15", "on_date": "2025-06-01"}, "result": {"years": 34, "months": 9, "days": 17, "total_days": 12709}}])
def age_on_date(birth_date: str, on_date: str) -> dict:
    """Compute exact age in years, months and days (and total days) on a given date.

    Args:
        birth_date: ISO date of birth.
        on_date: ISO date to compute the age on.
    """
    b, d = dt.date.fromisoformat(birth_date), dt.date.fromisoformat(on_date)
    if d < b:
        raise ValueError("on_date is before birth_date")
    months = (d.year - b.year) * 12 + d.month - b.month - (d.day < b.day)
    anchor_month = b.month - 1 + months
    anchor_year, anchor_month = b.year + anchor_month // 12, anchor_month % 12 + 1
    anchor = dt.date(anchor_year, anchor_month, min(b.day, calendar.monthrange(anchor_year, anchor_month)[1]))
    return {"years": months // 12, "months": months % 12, "days": (d - anchor).days, "total_days": (d - b).days}


@api(examples=[{"arguments": {"date": "1969-07-20"}, "result": "Sunday"}])
def day_of_week(date: str) -> str:
    """Name the day of the week of a date (proleptic Gregorian calendar).

    Args:
        date: ISO date.
    """
    return dt.date.fromisoformat(date).strftime("%A")


@api(examples=[{"arguments": {"weekday": "friday", "after_date": "2025-03-04"}, "result": "2025-03-07"}])
def next_weekday(weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"], after_date: str) -> str:
    """Find the date of the next given weekday strictly after a date.

    Args:
        weekday: Day of the week wanted.
        after_date: ISO date to start from.
    """
    d = dt.date.fromisoformat(after_date)
    return (d + dt.timedelta(days=(_WEEKDAYS.index(weekday) - d.weekday() - 1) % 7 + 1)).isoformat()


@api(examples=[{"arguments": {"wall_area_m2": 45, "coats": 2, "coverage_m2_per_litre": 10, "can_size_litres": 2.5}, "result": {"litres": 9.0, "cans": 4}}])
def paint_needed(wall_area_m2: float, coats: int = 2, coverage_m2_per_litre: float = 10, can_size_litres: float = 2.5) -> dict:
    """Estimate the paint needed for walls and the number of cans to buy.

    Args:
        wall_area_m2: Paintable area in square metres (minus windows and doors).
        coats: Number of coats.
        coverage_m2_per_litre: Coverage from the paint's label (often about 10 m2/L).
        can_size_litres: Volume of one can.
    """
    if coverage_m2_per_litre <= 0 or can_size_litres <= 0:
        raise ValueError("coverage and can size must be positive")
    litres = wall_area_m2 * coats / coverage_m2_per_litre
    return {"litres": round(litres, 2), "cans": math.ceil(litres / can_size_litres - 1e-9)}


@api(examples=[{"arguments": {"room_length_m": 4, "room_width_m": 3, "tile_length_cm": 60, "tile_width_cm": 30, "waste_percent": 10}, "result": {"area_m2": 12.0, "tiles": 74}}])
def tiles_needed(room_length_m: float, room_width_m: float, tile_length_cm: float, tile_width_cm: float, waste_percent: float = 10) -> dict:
    """Estimate floor tiles to buy for a rectangular room, including a waste allowance for cuts.

    Args:
        room_length_m: Room length in metres.
        room_width_m: Room width in metres.
        tile_length_cm: Tile length in centimetres.
        tile_width_cm: Tile width in centimetres.
        waste_percent: Extra for cuts and breakage, in percent.
    """
    area = room_length_m * room_width_m
    tile = tile_length_cm * tile_width_cm / 10000
    if tile <= 0:
        raise ValueError("tile size must be positive")
    return {"area_m2": round(area, 2), "tiles": math.ceil(area / tile * (1 + waste_percent / 100) - 1e-9)}


@api(examples=[{"arguments": {"shifts": [{"start": "09:00", "end": "17:30", "break_minutes": 30}, {"start": "22:00", "end": "06:00", "break_minutes": 0}]}, "result": 16.0}])
def hours_worked(shifts: list[dict]) -> float:
    """Total the hours worked over shifts given as HH:MM start and end times (overnight shifts allowed) minus breaks.

    Args:
        shifts: Shifts, each with 'start', 'end' (HH:MM) and optional 'break_minutes'.
    """
    total = 0
    for s in shifts:
        start, end = (dt.datetime.strptime(s[k], "%H:%M") for k in ("start", "end"))
        minutes = ((end - start).total_seconds() // 60) % 1440
        total += minutes - int(s.get("break_minutes", 0))
    return round(total / 60, 2)


@api(examples=[{"arguments": {"birth_date": "1990-03-15", "today": "2025-03-01"}, "result": {"next_birthday": "2025-03-15", "days_left": 14, "turning": 35}}])
def next_birthday(birth_date: str, today: str) -> dict:
    """Find the next birthday after a date, days remaining and the age turned (29 February birthdays fall on 28 February in common years).

    Args:
        birth_date: ISO date of birth.
        today: ISO date to count from.
    """
    b, t = dt.date.fromisoformat(birth_date), dt.date.fromisoformat(today)

    def on(year: int) -> dt.date:
        return dt.date(year, b.month, min(b.day, calendar.monthrange(year, b.month)[1]))

    nxt = on(t.year) if on(t.year) >= t else on(t.year + 1)
    return {"next_birthday": nxt.isoformat(), "days_left": (nxt - t).days, "turning": nxt.year - b.year}
