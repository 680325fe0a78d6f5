from decimal import Decimal, InvalidOperation


def format_wan(amount: Decimal | None) -> str:
    """An amount in 万元 without trailing zeros: 500.00 → '500', 1157.90 → '1157.9'."""
    if amount is None:
        return ""
    if isinstance(amount, str):  # amounts kept in JSON (a task book's content) are Decimal strings
        try:
            amount = Decimal(amount)
        except InvalidOperation:
            return amount
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
