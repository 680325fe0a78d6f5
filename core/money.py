from decimal import Decimal


def format_wan(amount: Decimal | None) -> str:
    """An amount in 万元 without trailing zeros: 500.00 → '500', 1157.90 → '1157.9'."""
    if amount is None:
        return ""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
