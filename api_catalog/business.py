"""Business: break-even, depreciation, customer metrics, inventory, business days (holidays)
and EU VAT numbers (python-stdnum)."""

from __future__ import annotations

import datetime as dt
import math

from apigen.catalog import api

CATEGORY = "Business"


def _holidays(country: str, subdivision: str, years: range):
    import holidays

    try:
        return holidays.country_holidays(country.upper(), subdiv=subdivision or None, years=years)
    except NotImplementedError:
        raise ValueError(f"no holiday data for '{country}' / '{subdivision}'") from None


@api(examples=[{"arguments": {"fixed_costs": 50000, "price_per_unit": 25, "variable_cost_per_unit": 15}, "result": {"units": 5000, "revenue": 125000.0}}])
def break_even_point(fixed_costs: float, price_per_unit: float, variable_cost_per_unit: float) -> dict:
    """Compute the units and revenue needed to cover fixed costs (break-even point), units rounded up.

    Args:
        fixed_costs: Total fixed costs for the period.
        price_per_unit: Selling price per unit.
        variable_cost_per_unit: Variable cost per unit (below the price).
    """
    margin = price_per_unit - variable_cost_per_unit
    if margin <= 0:
        raise ValueError("price must exceed variable cost")
    units = math.ceil(fixed_costs / margin - 1e-9)
    return {"units": units, "revenue": round(units * price_per_unit, 2)}


@api(examples=[{"arguments": {"cost": 10000, "salvage_value": 1000, "useful_life_years": 5}, "result": {"annual_depreciation": 1800.0, "book_values": [10000.0, 8200.0, 6400.0, 4600.0, 2800.0, 1000.0]}}])
def straight_line_depreciation(cost: float, salvage_value: float, useful_life_years: int) -> dict:
    """Compute straight-line depreciation per year and the book value at the end of each year.

    Args:
        cost: Purchase cost of the asset.
        salvage_value: Expected value at the end of its life.
        useful_life_years: Useful life in years (1 to 100).
    """
    if not 1 <= useful_life_years <= 100 or salvage_value > cost:
        raise ValueError("life must be 1-100 years and salvage value at most the cost")
    annual = (cost - salvage_value) / useful_life_years
    return {"annual_depreciation": round(annual, 2), "book_values": [round(cost - annual * y, 2) for y in range(useful_life_years + 1)]}


@api(examples=[{"arguments": {"cost": 10000, "rate_percent": 40, "years": 3}, "result": [6000.0, 3600.0, 2160.0]}])
def declining_balance_depreciation(cost: float, rate_percent: float, years: int) -> list[float]:
    """Compute the book value at the end of each year under declining-balance depreciation.

    Args:
        cost: Purchase cost of the asset.
        rate_percent: Depreciation rate per year in percent (e.g. 40 for double-declining on a 5-year life).
        years: Number of years to report (1 to 100).
    """
    if not 1 <= years <= 100 or not 0 < rate_percent < 100:
        raise ValueError("years must be 1-100 and the rate between 0 and 100")
    return [round(cost * (1 - rate_percent / 100) ** y, 2) for y in range(1, years + 1)]


@api(examples=[{"arguments": {"scores": [10, 9, 9, 8, 7, 6, 3, 10, 9, 5]}, "result": {"nps": 20.0, "promoters": 5, "passives": 2, "detractors": 3}}])
def net_promoter_score(scores: list[int]) -> dict:
    """Compute the Net Promoter Score from 0-10 survey answers: % promoters (9-10) minus % detractors (0-6).

    Args:
        scores: Survey answers, integers from 0 to 10.
    """
    if not scores or any(not 0 <= s <= 10 for s in scores):
        raise ValueError("scores must be integers from 0 to 10")
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    return {"nps": round((promoters - detractors) / len(scores) * 100, 2), "promoters": promoters,
            "passives": len(scores) - promoters - detractors, "detractors": detractors}


@api(examples=[{"arguments": {"start_date": "2025-12-22", "end_date": "2026-01-02", "country": "US"}, "result": 8}])
def business_days_between(start_date: str, end_date: str, country: str = "", subdivision: str = "") -> int:
    """Count working days (Monday-Friday, excluding the country's public holidays) from start to end date inclusive.

    Args:
        start_date: First day, ISO format.
        end_date: Last day, ISO format (not before start_date).
        country: Optional ISO alpha-2 country whose public holidays are excluded.
        subdivision: Optional state or province code for regional holidays.
    """
    start, end = dt.date.fromisoformat(start_date), dt.date.fromisoformat(end_date)
    if end < start or (end - start).days > 3660:
        raise ValueError("end_date must be on or after start_date, within 10 years")
    off = _holidays(country, subdivision, range(start.year, end.year + 1)) if country else {}
    days = (start + dt.timedelta(i) for i in range((end - start).days + 1))
    return sum(d.weekday() < 5 and d not in off for d in days)


@api(examples=[{"arguments": {"start_date": "2025-12-23", "business_days": 3, "country": "GB"}, "result": "2025-12-30"}])
def add_business_days(start_date: str, business_days: int, country: str = "", subdivision: str = "") -> str:
    """Find the date a number of working days after a start date, skipping weekends and public holidays.

    Args:
        start_date: ISO start date (not counted).
        business_days: Working days to add (0 to 2000).
        country: Optional ISO alpha-2 country whose public holidays are skipped.
        subdivision: Optional state or province code for regional holidays.
    """
    if not 0 <= business_days <= 2000:
        raise ValueError("business_days must be between 0 and 2000")
    day = dt.date.fromisoformat(start_date)
    off = _holidays(country, subdivision, range(day.year, day.year + 10)) if country else {}
    while business_days:
        day += dt.timedelta(1)
        business_days -= day.weekday() < 5 and day not in off
    return day.isoformat()


@api(examples=[{"arguments": {"date": "2025-10-03", "country": "DE"}, "result": {"holiday": True, "name": "German Unity Day"}}])
def is_public_holiday(date: str, country: str, subdivision: str = "") -> dict:
    """Check whether a date is a public holiday in a country (optionally a subdivision) and name it.

    Args:
        date: ISO date.
        country: ISO alpha-2 country code.
        subdivision: Optional state or province code.
    """
    day = dt.date.fromisoformat(date)
    name = _holidays(country, subdivision, range(day.year, day.year + 1)).get(day)
    return {"holiday": name is not None, "name": name or ""}


@api(examples=[{"arguments": {"initial_investment": 10000, "annual_cash_flows": [3000, 4000, 5000]}, "result": 2.6}])
def payback_period(initial_investment: float, annual_cash_flows: list[float]) -> float:
    """Compute the years until cumulative cash flows repay an investment (interpolated within the year, two decimals).

    Args:
        initial_investment: Amount invested at the start (positive).
        annual_cash_flows: Net cash inflow of each year.
    """
    remaining = initial_investment
    for year, flow in enumerate(annual_cash_flows):
        if flow >= remaining > 0:
            return round(year + remaining / flow, 2)
        remaining -= flow
    raise ValueError("the investment is not paid back within the given cash flows")


@api(examples=[{"arguments": {"average_order_value": 50, "purchases_per_year": 4, "gross_margin_percent": 40, "annual_churn_percent": 25}, "result": 320.0}])
def customer_lifetime_value(average_order_value: float, purchases_per_year: float, gross_margin_percent: float, annual_churn_percent: float) -> float:
    """Estimate customer lifetime value: annual gross profit per customer divided by the annual churn rate.

    Args:
        average_order_value: Average revenue per order.
        purchases_per_year: Orders per customer per year.
        gross_margin_percent: Gross margin in percent.
        annual_churn_percent: Share of customers lost per year in percent (positive).
    """
    if annual_churn_percent <= 0:
        raise ValueError("churn must be positive")
    return round(average_order_value * purchases_per_year * gross_margin_percent / annual_churn_percent, 2)


@api(examples=[{"arguments": {"customers_at_start": 2000, "customers_lost": 150}, "result": {"churn_percent": 7.5, "retention_percent": 92.5}}])
def churn_rate(customers_at_start: int, customers_lost: int) -> dict:
    """Compute churn and retention rates for a period in percent.

    Args:
        customers_at_start: Customers at the start of the period (positive).
        customers_lost: Customers who left during the period.
    """
    if customers_at_start <= 0 or not 0 <= customers_lost <= customers_at_start:
        raise ValueError("need a positive start count and 0 <= lost <= start")
    churn = customers_lost / customers_at_start * 100
    return {"churn_percent": round(churn, 2), "retention_percent": round(100 - churn, 2)}


@api(examples=[{"arguments": {"vat_number": "FR 61 954 506 077"}, "result": {"valid": True, "country": "FR", "compact": "FR61954506077"}}])
def validate_eu_vat_number(vat_number: str) -> dict:
    """Validate the format and check digits of a European Union VAT identification number (offline, no VIES lookup).

    Args:
        vat_number: VAT number with its two-letter country prefix, e.g. 'FR 61 954 506 077'.
    """
    from stdnum.eu import vat

    compact = vat.compact(vat_number)
    return {"valid": vat.is_valid(compact), "country": compact[:2], "compact": compact}


@api(examples=[{"arguments": {"annual_demand": 1000, "order_cost": 10, "holding_cost_per_unit": 0.5}, "result": {"order_quantity": 200.0, "orders_per_year": 5.0}}])
def economic_order_quantity(annual_demand: float, order_cost: float, holding_cost_per_unit: float) -> dict:
    """Compute the economic order quantity sqrt(2DS/H) and the resulting number of orders per year.

    Args:
        annual_demand: Units demanded per year.
        order_cost: Fixed cost of placing one order.
        holding_cost_per_unit: Cost of holding one unit in stock for a year.
    """
    if min(annual_demand, order_cost, holding_cost_per_unit) <= 0:
        raise ValueError("all inputs must be positive")
    q = math.sqrt(2 * annual_demand * order_cost / holding_cost_per_unit)
    return {"order_quantity": round(q, 2), "orders_per_year": round(annual_demand / q, 2)}
