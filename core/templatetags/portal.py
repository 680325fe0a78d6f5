from django import template

register = template.Library()


@register.filter
def label(value, choices):
    """The display label of a stored choice value: {{ entry.to_state|label:state_choices }}."""
    return dict(choices).get(value, value)


@register.filter
def char_count(value) -> int:
    return len((value or "").replace("\r\n", "\n"))


@register.filter
def wan(value) -> str:
    """An amount in 万元 without trailing zeros."""
    from core.money import format_wan

    return format_wan(value)
