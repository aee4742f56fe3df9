"""Commerce: prices, discounts, taxes, carts, shipping and product barcodes (GS1 EAN/UPC via python-stdnum)."""

from __future__ import annotations

import datetime as dt

from apigen.catalog import api

CATEGORY = "Commerce"


@api(examples=[{"arguments": {"price": 80, "discount_percent": 25}, "result": {"final_price": 60.0, "savings": 20.0}}])
def apply_discount(price: float, discount_percent: float) -> dict:
    """Apply a percentage discount to a price and report the final price and the savings.

    Args:
        price: Original price.
        discount_percent: Discount in percent (0 to 100).
    """
    if not 0 <= discount_percent <= 100:
        raise ValueError("discount must be between 0 and 100 percent")
    final = price * (1 - discount_percent / 100)
    return {"final_price": round(final, 2), "savings": round(price - final, 2)}


@api(examples=[{"arguments": {"amount": 100, "tax_rate_percent": 8.25}, "result": {"tax": 8.25, "total": 108.25}},
               {"arguments": {"amount": 119, "tax_rate_percent": 19, "tax_included": True}, "result": {"tax": 19.0, "net": 100.0}}])
def sales_tax(amount: float, tax_rate_percent: float, tax_included: bool = False) -> dict:
    """Add sales tax / VAT to a net amount, or extract the tax contained in a gross amount.

    Args:
        amount: The net amount, or the gross amount when tax_included is true.
        tax_rate_percent: Tax rate in percent.
        tax_included: Whether amount already includes the tax.
    """
    if tax_included:
        net = amount / (1 + tax_rate_percent / 100)
        return {"tax": round(amount - net, 2), "net": round(net, 2)}
    tax = amount * tax_rate_percent / 100
    return {"tax": round(tax, 2), "total": round(amount + tax, 2)}


@api(examples=[{"arguments": {"items": [{"price": 12.5, "quantity": 2}, {"price": 5, "quantity": 3}], "tax_rate_percent": 10, "shipping": 4.99},
                "result": {"subtotal": 40.0, "tax": 4.0, "shipping": 4.99, "total": 48.99}}])
def cart_total(items: list[dict], tax_rate_percent: float = 0.0, shipping: float = 0.0, discount_percent: float = 0.0) -> dict:
    """Total a shopping cart: subtotal of price x quantity, discount, tax on the discounted subtotal, plus shipping.

    Args:
        items: Cart lines, each an object with 'price' and 'quantity'.
        tax_rate_percent: Sales tax rate in percent.
        shipping: Shipping charge (not taxed).
        discount_percent: Order-level discount in percent.
    """
    subtotal = sum(float(i["price"]) * int(i["quantity"]) for i in items)
    discounted = subtotal * (1 - discount_percent / 100)
    tax = discounted * tax_rate_percent / 100
    out = {"subtotal": round(subtotal, 2), "tax": round(tax, 2), "shipping": round(shipping, 2),
           "total": round(discounted + tax + shipping, 2)}
    if discount_percent:
        out["discount"] = round(subtotal - discounted, 2)
    return out


@api(examples=[{"arguments": {"offers": [{"name": "small", "price": 3.49, "quantity": 500}, {"name": "large", "price": 5.99, "quantity": 1000}]},
                "result": {"best": "large", "unit_prices": {"small": 0.00698, "large": 0.00599}}}])
def compare_unit_prices(offers: list[dict]) -> dict:
    """Compare offers by unit price (price / quantity) and name the cheapest per unit.

    Args:
        offers: Offers, each with 'name', 'price' and 'quantity' (in the same unit, e.g. grams).
    """
    if not offers:
        raise ValueError("need at least one offer")
    units = {str(o["name"]): round(float(o["price"]) / float(o["quantity"]), 6) for o in offers}
    return {"best": min(units, key=units.get), "unit_prices": units}


@api(examples=[{"arguments": {"original_price": 250, "sale_price": 175}, "result": 30.0}])
def discount_percent_between(original_price: float, sale_price: float) -> float:
    """Compute the percentage discount from an original price to a sale price (two decimals).

    Args:
        original_price: Price before the sale (positive).
        sale_price: Price during the sale.
    """
    if original_price <= 0:
        raise ValueError("original price must be positive")
    return round((original_price - sale_price) / original_price * 100, 2)


@api(examples=[{"arguments": {"barcode": "4006381333931"}, "result": {"valid": True, "type": "EAN-13"}},
               {"arguments": {"barcode": "036000291452"}, "result": {"valid": True, "type": "UPC-A"}},
               {"arguments": {"barcode": "4006381333932"}, "result": {"valid": False, "type": "EAN-13"}}])
def validate_barcode(barcode: str) -> dict:
    """Validate a GS1 product barcode (EAN-8, UPC-A, EAN-13 or GTIN-14) by its check digit.

    Args:
        barcode: The digits of the barcode.
    """
    from stdnum import ean

    digits = ean.compact(barcode)
    kinds = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14"}
    if not digits.isdigit() or len(digits) not in kinds:
        raise ValueError("a barcode has 8, 12, 13 or 14 digits")
    return {"valid": ean.is_valid(digits), "type": kinds[len(digits)]}


@api(examples=[{"arguments": {"digits": "400638133393"}, "result": "4006381333931"}])
def complete_barcode(digits: str) -> str:
    """Append the GS1 check digit to a barcode missing it (7, 11, 12 or 13 digits).

    Args:
        digits: The barcode digits without the check digit.
    """
    from stdnum import ean

    digits = ean.compact(digits)
    if not digits.isdigit() or len(digits) not in (7, 11, 12, 13):
        raise ValueError("give 7, 11, 12 or 13 digits")
    return digits + ean.calc_check_digit(digits)


@api(examples=[{"arguments": {"length_cm": 40, "width_cm": 30, "height_cm": 20, "actual_weight_kg": 5}, "result": {"dimensional_weight_kg": 4.8, "billable_weight_kg": 5.0}}])
def dimensional_weight(length_cm: float, width_cm: float, height_cm: float, actual_weight_kg: float, divisor: float = 5000) -> dict:
    """Compute a parcel's dimensional (volumetric) weight L x W x H / divisor and the billable weight (the larger).

    Args:
        length_cm: Length in centimetres.
        width_cm: Width in centimetres.
        height_cm: Height in centimetres.
        actual_weight_kg: Scale weight in kilograms.
        divisor: Carrier's volumetric divisor in cm^3/kg (5000 is common for express, 6000 for some services).
    """
    dim = length_cm * width_cm * height_cm / divisor
    return {"dimensional_weight_kg": round(dim, 2), "billable_weight_kg": round(max(dim, actual_weight_kg), 2)}


@api(examples=[{"arguments": {"price": 1200, "installments": 12, "annual_rate_percent": 0}, "result": {"payment": 100.0, "total_paid": 1200.0, "interest": 0.0}}])
def installment_plan(price: float, installments: int, annual_rate_percent: float = 0.0) -> dict:
    """Compute the monthly payment, total paid and interest of a buy-now-pay-later or financing plan.

    Args:
        price: Purchase price financed.
        installments: Number of monthly payments (1 to 120).
        annual_rate_percent: Annual interest rate in percent (0 for interest-free).
    """
    if not 1 <= installments <= 120:
        raise ValueError("installments must be between 1 and 120")
    r = annual_rate_percent / 1200
    payment = price / installments if r == 0 else price * r / (1 - (1 + r) ** -installments)
    payment = round(payment, 2)
    return {"payment": payment, "total_paid": round(payment * installments, 2), "interest": round(payment * installments - price, 2)}


@api(examples=[{"arguments": {"unit_cost": 30, "target_margin_percent": 40}, "result": 50.0}])
def price_for_target_margin(unit_cost: float, target_margin_percent: float) -> float:
    """Compute the selling price that yields a target gross margin on a unit cost (price = cost / (1 - margin)).

    Args:
        unit_cost: Cost per unit.
        target_margin_percent: Desired gross margin in percent (below 100).
    """
    if not 0 <= target_margin_percent < 100:
        raise ValueError("margin must be at least 0 and below 100 percent")
    return round(unit_cost / (1 - target_margin_percent / 100), 2)


@api(examples=[{"arguments": {"item_prices": [19.99, 24.99, 9.99], "bundle_price": 45}, "result": {"separate_total": 54.97, "savings": 9.97, "savings_percent": 18.14}}])
def bundle_savings(item_prices: list[float], bundle_price: float) -> dict:
    """Compare a bundle's price with buying its items separately.

    Args:
        item_prices: Prices of the items bought separately.
        bundle_price: Price of the bundle.
    """
    total = sum(item_prices)
    if total <= 0:
        raise ValueError("item prices must add up to a positive total")
    return {"separate_total": round(total, 2), "savings": round(total - bundle_price, 2),
            "savings_percent": round((total - bundle_price) / total * 100, 2)}


@api(examples=[{"arguments": {"delivery_date": "2025-11-28", "return_window_days": 30}, "result": {"last_day": "2025-12-28", "weekday": "Sunday"}}])
def return_deadline(delivery_date: str, return_window_days: int) -> dict:
    """Compute the last day to return an order given its delivery date and the return window.

    Args:
        delivery_date: ISO date the order was delivered.
        return_window_days: Days allowed for returns, counted from delivery.
    """
    last = dt.date.fromisoformat(delivery_date) + dt.timedelta(days=return_window_days)
    return {"last_day": last.isoformat(), "weekday": last.strftime("%A")}
