"""How a unit is shown: a placeholder (typed in by an applicant, not registered) is marked unverified."""

from collections.abc import Iterable, Mapping

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def unit_badge(org=None, placeholder: bool = False, flag: str = "") -> str:
    """The "未注册·信息未核实" badge after a placeholder unit's name, "未核验" after a registered unit
    staff have not verified yet (flag "unverified", from accounts.selectors.unit_flags).

    ``{% unit_badge org %}`` for a unit, ``{% unit_badge flag=flag %}`` for a snapshot row. Built here,
    not by an included template: list rows show one per partner, and an inclusion costs a render.
    """
    if placeholder or flag == "placeholder" or getattr(org, "is_placeholder", False):
        return format_html(
            ' <span class="badge bg-warning text-dark" data-testid="unverified-unit" title="{}">{}</span>',
            _("该单位由申报单位代为填写，尚未在平台注册，名称等信息未经核实。"), _("未注册·信息未核实"),
        )
    if flag == "unverified":
        return format_html(
            ' <span class="badge bg-light text-dark border" data-testid="unverified-unit" title="{}">{}</span>',
            _("该单位已注册，尚未经管理人员核验。"), _("未核验"),
        )
    return ""


@register.simple_tag
def region_label(name: str, level: str, parent_name: str | None) -> str:
    """``{% region_label row.region_name row.region_level row.region_parent %}``: what str(Region)
    gives, for a row that carries the names as columns."""
    from accounts.models import Region

    return Region.label(name, level, parent_name)


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
