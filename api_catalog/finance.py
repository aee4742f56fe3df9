"""Finance: loan, investment and return calculations."""

from __future__ import annotations

from apigen.catalog import api

CATEGORY = "Finance"


@api(examples=[{"arguments": {"principal": 200000, "annual_rate_percent": 6, "years": 30}, "result": 1199.1}])
def monthly_mortgage_payment(principal: float, annual_rate_percent: float, years: int) -> float:
    """Compute the fixed monthly payment of an amortising loan, rounded to cents.

    Args:
        principal: Amount borrowed.
        annual_rate_percent: Nominal annual interest rate in percent, e.g. 6.5.
        years: Loan term in years.
    """
    if principal <= 0 or years <= 0 or annual_rate_percent < 0:
        raise ValueError("principal and years must be positive, rate non-negative")
    n = years * 12
    r = annual_rate_percent / 100 / 12
    payment = principal / n if r == 0 else principal * r / (1 - (1 + r) ** -n)
    return round(payment, 2)


@api(examples=[{"arguments": {"principal": 1000, "annual_rate_percent": 5, "years": 10, "compounds_per_year": 12}, "result": 1647.01}])
def compound_interest(principal: float, annual_rate_percent: float, years: float, compounds_per_year: int = 1) -> float:
    """Compute the future value of an investment with compound interest, rounded to cents.

    Args:
        principal: Initial amount invested.
        annual_rate_percent: Annual interest rate in percent.
        years: Investment horizon in years.
        compounds_per_year: How many times interest is compounded per year.
    """
    if compounds_per_year < 1:
        raise ValueError("compounds_per_year must be >= 1")
    rate = annual_rate_percent / 100
    return round(principal * (1 + rate / compounds_per_year) ** (compounds_per_year * years), 2)


@api(examples=[{"arguments": {"initial_value": 100, "final_value": 200, "years": 5}, "result": 14.87}])
def cagr(initial_value: float, final_value: float, years: float) -> float:
    """Compute the compound annual growth rate in percent, rounded to two decimals.

    Args:
        initial_value: Value at the start (positive).
        final_value: Value at the end (positive).
        years: Length of the period in years (positive).
    """
    if initial_value <= 0 or final_value <= 0 or years <= 0:
        raise ValueError("values and years must be positive")
    return round(((final_value / initial_value) ** (1 / years) - 1) * 100, 2)


@api(examples=[{"arguments": {"rate_percent": 8, "cash_flows": [-1000, 300, 400, 500]}, "result": 17.63}])
def net_present_value(rate_percent: float, cash_flows: list[float]) -> float:
    """Compute the net present value of cash flows, the first at time 0, rounded to cents.

    Args:
        rate_percent: Discount rate per period in percent.
        cash_flows: Cash flow per period, starting with period 0 (investments negative).
    """
    rate = rate_percent / 100
    return round(sum(cf / (1 + rate) ** t for t, cf in enumerate(cash_flows)), 2)


@api(examples=[{"arguments": {"price": 80, "cost": 50}, "result": {"margin_percent": 37.5, "markup_percent": 60.0, "profit": 30.0}}])
def profit_margin(price: float, cost: float) -> dict:
    """Compute profit, margin and markup of a product from its price and unit cost.

    Args:
        price: Selling price per unit (positive).
        cost: Cost per unit (positive).
    """
    if price <= 0 or cost <= 0:
        raise ValueError("price and cost must be positive")
    profit = price - cost
    return {
        "profit": round(profit, 2),
        "margin_percent": round(profit / price * 100, 2),
        "markup_percent": round(profit / cost * 100, 2),
    }
