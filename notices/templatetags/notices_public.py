from decimal import Decimal, InvalidOperation

from django import template

from ..selectors import countdown as _countdown

register = template.Library()


@register.filter
def countdown(ends_at) -> str:
    """{{ notice.ends_at|countdown }}: "剩余3天5小时", or "公示期已结束"."""
    return _countdown(ends_at)


@register.filter
def wan_text(value) -> str:
    """An amount in 万元 stored as text in a notice's frozen content ("200.00" → "200")."""
    from core.money import format_wan

    try:
        return format_wan(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return ""
