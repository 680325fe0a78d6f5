import datetime
import functools

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

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


# --- for list rows: the same output as Django's tags, without their per-call setup -----------------
_SENTINEL = 987654321


@functools.lru_cache(maxsize=256)
def _url_parts(viewname: str, urlconf, prefix: str) -> tuple[str, str]:
    head, _, tail = reverse(viewname, args=[_SENTINEL], urlconf=urlconf).partition(str(_SENTINEL))
    return head, tail


@register.simple_tag
def pk_url(viewname: str, pk) -> str:
    """``{% pk_url 'app:detail' obj.pk %}``: what ``{% url 'app:detail' obj.pk %}`` gives, for a
    route whose only argument is an integer id. Reversed once per route (and script prefix); a list
    of 50 rows reverses 50 times otherwise."""
    head, tail = _url_parts(viewname, get_urlconf(), get_script_prefix())
    return f"{head}{int(pk)}{tail}"


@register.filter
def minute(value) -> str:
    """A moment as "2026-05-01 09:30", Beijing time: ``{{ value|date:"Y-m-d H:i" }}``, cheaper."""
    if not isinstance(value, datetime.datetime):
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@register.filter
def second(value) -> str:
    """A moment as "2026-05-01 09:30:05", Beijing time: ``{{ value|date:"Y-m-d H:i:s" }}``, cheaper."""
    if not isinstance(value, datetime.datetime):
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
