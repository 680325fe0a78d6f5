"""How a unit is shown: a placeholder (typed in by an applicant, not registered) is marked unverified."""

from collections.abc import Iterable, Mapping

from django import template

register = template.Library()


@register.inclusion_tag("includes/_unit_badge.html")
def unit_badge(org=None, placeholder: bool = False, flag: str = "") -> dict:
    """The "未注册·信息未核实" badge after a placeholder unit's name, "未核验" after a registered unit
    staff have not verified yet (flag "unverified", from accounts.selectors.unit_flags).

    ``{% unit_badge org %}`` for a unit, ``{% unit_badge flag=flag %}`` for a snapshot row.
    """
    is_placeholder = placeholder or flag == "placeholder" or bool(getattr(org, "is_placeholder", False))
    return {"placeholder": is_placeholder, "unverified": not is_placeholder and flag == "unverified"}


@register.simple_tag
def unit_flags_for(rows: Iterable[Mapping]) -> dict[str, str]:
    """{credit code: "placeholder" | "unverified"} for snapshot rows ({"credit_code": ...}), one query."""
    from accounts.selectors import unit_flags

    rows = list(rows or [])
    flags = unit_flags(row.get("credit_code") for row in rows)
    # A name typed for an unregistered unit stays unchecked, whoever registered the code since.
    flags.update({row["credit_code"]: "placeholder" for row in rows if row.get("is_placeholder")})
    return flags


@register.filter
def flag_of(flags: Mapping[str, str], credit_code: str) -> str:
    """{{ partner_flags|flag_of:p.credit_code }}: the unit's flag, or "" for a verified unit."""
    return (flags or {}).get(credit_code, "")
