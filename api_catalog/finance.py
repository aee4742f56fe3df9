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


@api(examples=[{"arguments": {"principal": 5000, "annual_rate_percent": 4, "years": 3}, "result": {"interest": 600.0, "total": 5600.0}}])
def simple_interest(principal: float, annual_rate_percent: float, years: float) -> dict:
    """Compute simple (non-compounding) interest and the total repaid, rounded to cents.

    Args:
        principal: Amount lent or invested.
        annual_rate_percent: Annual interest rate in percent.
        years: Duration in years.
    """
    interest = principal * annual_rate_percent / 100 * years
    return {"interest": round(interest, 2), "total": round(principal + interest, 2)}


@api(examples=[{"arguments": {"cash_flows": [-1000, 500, 500, 500]}, "result": 23.38}])
def internal_rate_of_return(cash_flows: list[float]) -> float:
    """Find the internal rate of return (percent per period, two decimals) of a cash-flow series by bisection.

    Args:
        cash_flows: Cash flow per period starting at period 0; needs at least one negative and one positive flow.
    """
    if not (any(c < 0 for c in cash_flows) and any(c > 0 for c in cash_flows)):
        raise ValueError("cash_flows need both a negative and a positive value")
    npv = lambda r: sum(c / (1 + r) ** t for t, c in enumerate(cash_flows))  # noqa: E731
    low, high = -0.9999, 10.0
    if npv(low) * npv(high) > 0:
        raise ValueError("no IRR between -99.99% and 1000%")
    for _ in range(200):
        mid = (low + high) / 2
        if npv(low) * npv(mid) <= 0:
            high = mid
        else:
            low = mid
    return round((low + high) / 2 * 100, 2)


@api(examples=[{"arguments": {"gain": 1500, "cost": 1000}, "result": 50.0}])
def return_on_investment(gain: float, cost: float) -> float:
    """Compute the return on investment in percent: (final value - cost) / cost, two decimals.

    Args:
        gain: Final value or total proceeds from the investment.
        cost: Amount invested (positive).
    """
    if cost <= 0:
        raise ValueError("cost must be positive")
    return round((gain - cost) / cost * 100, 2)


@api(examples=[{"arguments": {"iban": "GB82 WEST 1234 5698 7654 32"}, "result": {"valid": True, "country": "GB", "compact": "GB82WEST12345698765432"}},
               {"arguments": {"iban": "GB82 WEST 1234 5698 7654 33"}, "result": {"valid": False, "country": "GB", "compact": "GB82WEST12345698765433"}}])
def validate_iban(iban: str) -> dict:
    """Validate an International Bank Account Number (ISO 13616: country format and mod-97 check digits).

    Args:
        iban: The IBAN, with or without spaces.
    """
    from stdnum import iban as _iban

    compact = _iban.compact(iban)
    return {"valid": _iban.is_valid(compact), "country": compact[:2], "compact": compact}


@api(examples=[{"arguments": {"number": "4111 1111 1111 1111"}, "result": {"valid": True, "network": "Visa"}},
               {"arguments": {"number": "4111 1111 1111 1112"}, "result": {"valid": False, "network": "Visa"}}])
def validate_card_number(number: str) -> dict:
    """Check a payment card number with the Luhn checksum and name its network from the leading digits.

    Args:
        number: The card number; spaces and dashes are ignored.
    """
    from stdnum import luhn

    digits = number.replace(" ", "").replace("-", "")
    if not digits.isdigit():
        raise ValueError("the card number must contain only digits")
    prefixes = [("34", "American Express"), ("37", "American Express"), ("4", "Visa"), ("5", "Mastercard"),
                ("2", "Mastercard"), ("6011", "Discover"), ("65", "Discover"), ("35", "JCB")]
    network = next((n for p, n in prefixes if digits.startswith(p)), "unknown")
    return {"valid": luhn.is_valid(digits), "network": network}


@api(examples=[{"arguments": {"returns_percent": [10, 2, -3, 8, 5], "risk_free_percent": 2}, "result": 0.47}])
def sharpe_ratio(returns_percent: list[float], risk_free_percent: float = 0.0) -> float:
    """Compute the Sharpe ratio of periodic returns: mean excess return over the sample standard deviation (two decimals).

    Args:
        returns_percent: Return of each period in percent (at least two).
        risk_free_percent: Risk-free rate per period in percent.
    """
    import statistics

    if len(returns_percent) < 2:
        raise ValueError("need at least two returns")
    excess = [r - risk_free_percent for r in returns_percent]
    return round(statistics.mean(excess) / statistics.stdev(returns_percent), 2)


@api(examples=[{"arguments": {"amount": 1000, "inflation_percent": 3, "years": 10}, "result": 744.09}])
def inflation_adjusted_value(amount: float, inflation_percent: float, years: float) -> float:
    """Compute today's purchasing power of an amount received in the future, given constant annual inflation.

    Args:
        amount: Nominal future amount.
        inflation_percent: Annual inflation rate in percent.
        years: Years until the amount is received.
    """
    return round(amount / (1 + inflation_percent / 100) ** years, 2)


@api(examples=[{"arguments": {"annual_rate_percent": 8}, "result": {"rule_of_72": 9.0, "exact": 9.01}}])
def doubling_time(annual_rate_percent: float) -> dict:
    """Estimate the years for an investment to double at a compound annual rate: rule of 72 and exact value.

    Args:
        annual_rate_percent: Annual growth rate in percent (positive).
    """
    import math

    if annual_rate_percent <= 0:
        raise ValueError("the rate must be positive")
    exact = math.log(2) / math.log(1 + annual_rate_percent / 100)
    return {"rule_of_72": round(72 / annual_rate_percent, 2), "exact": round(exact, 2)}
