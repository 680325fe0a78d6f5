"""How a unit is shown: a placeholder (typed in by an applicant, not registered) is marked unverified."""

from collections.abc import Iterable, Mapping

from django import template

register = template.Library()


@register.inclusion_tag("includes/_unit_badge.html")
def unit_badge(org=None, placeholder: bool = False) -> dict:
    """The "未注册·信息未核实" badge after a placeholder unit's name; nothing for a registered unit.

    ``{% unit_badge org %}`` for a unit, ``{% unit_badge placeholder=True %}`` for a snapshot row.
    """
    return {"placeholder": placeholder or bool(getattr(org, "is_placeholder", False))}


@register.simple_tag
def placeholder_codes(rows: Iterable[Mapping]) -> frozenset[str]:
    """Credit codes among snapshot rows ({"credit_code": ...}) whose unit is a placeholder.

    A snapshot holds names and codes, not units, so the flag is looked up (one query). A row that
    recorded the flag itself (``"is_placeholder": True``) counts too.
    """
    from accounts.models import Organisation

    rows = list(rows or [])
    codes = {row.get("credit_code") for row in rows if row.get("credit_code")}
    flagged = {row["credit_code"] for row in rows if row.get("is_placeholder") and row.get("credit_code")}
    if not codes - flagged:
        return frozenset(flagged)
    found = Organisation.objects.filter(credit_code__in=codes - flagged, is_placeholder=True)
    return frozenset(flagged | set(found.values_list("credit_code", flat=True)))
