"""Who may sit on a bang's panel, and why not (issue 10 §3).

`screen()` returns the candidates (active experts in the draw's fields, with nothing against them)
and the excluded experts of those fields, each with every reason that applies:

- the expert's unit is the lead or a partner of an application on the bang (as submitted);
- the expert's unit issued the bang;
- the expert declared a conflict with one of those units (by credit code);
- an applicant named the expert on its avoid list: the same name (spaces ignored) and the same unit
  (one name containing the other, so "内蒙古大学" matches "内蒙古大学化学化工学院");
- the expert is inactive in the pool, or the account is disabled or no longer has the expert role;
- the expert already sits on as many panels of this list as the plan's load cap allows.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.enums import Role
from applications.enums import ApplicationState
from applications.models import Application

from .enums import SERVING
from .models import Assignment, ExpertProfile

_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub("", text or "").replace("（", "(").replace("）", ")")


def same_unit(a: str, b: str) -> bool:
    a, b = _norm(a), _norm(b)
    return bool(a and b) and (a in b or b in a)


@dataclass
class Parties:
    """The units on one side of a bang: who applied (as lead or partner) and who issued it."""

    applicants: dict[str, str] = field(default_factory=dict)  # credit code → name
    issuers: dict[str, str] = field(default_factory=dict)
    avoid: list[dict] = field(default_factory=list)  # {"name", "unit", "reason", "by"}


def bang_parties(bang) -> Parties:
    parties = Parties()
    for org in bang.issuers.all():
        parties.issuers[org.credit_code] = org.name
    applications = (Application.objects.filter(bang=bang).exclude(state=ApplicationState.DRAFT)
                    .select_related("lead", "decided_version"))
    for application in applications:
        parties.applicants[application.lead.credit_code] = application.lead.name
        for partner in application.submitted_summary.get("partners", []):
            if partner.get("credit_code"):
                parties.applicants[partner["credit_code"]] = partner.get("name", "")
        if application.state == ApplicationState.UNDER_REVIEW:
            version = application.decided_version or application.versions.order_by("-number").first()
            for entry in (version.data.get("avoid", []) if version else []):
                parties.avoid.append({**entry, "by": application.lead.name})
    return parties


def reasons_against(profile: ExpertProfile, parties: Parties, *, load: int, load_cap: int | None) -> list[str]:
    reasons = []
    user = profile.user
    unit = profile.unit
    if not profile.is_active:
        reasons.append(_("已停用：%(why)s") % {"why": profile.deactivated_reason or _("未说明")})
    if not user.is_active or Role.EXPERT not in user.role_codes:
        reasons.append(_("账号已停用或不再具有专家角色"))
    if unit.credit_code in parties.applicants:
        reasons.append(_("所在单位“%(unit)s”是本榜申报单位或联合体成员") % {"unit": unit.name})
    if unit.credit_code in parties.issuers:
        reasons.append(_("所在单位“%(unit)s”是本榜发榜企业") % {"unit": unit.name})
    for conflict in profile.conflicts.all():
        if conflict.credit_code in parties.applicants or conflict.credit_code in parties.issuers:
            name = parties.applicants.get(conflict.credit_code) or parties.issuers.get(conflict.credit_code)
            reasons.append(_("申明与“%(unit)s”有利益冲突：%(why)s") % {"unit": name, "why": conflict.reason})
    for entry in parties.avoid:
        if _norm(entry.get("name", "")) == _norm(user.full_name) and same_unit(entry.get("unit", ""), unit.name):
            reasons.append(_("申报单位“%(by)s”申请回避：%(why)s") % {"by": entry["by"], "why": entry.get("reason", "")})
    if load_cap is not None and load >= load_cap:
        reasons.append(_("已参加本榜单%(n)d个评审组，达到上限") % {"n": load})
    return reasons


def screen(bang, plan, field_ids: list[int]) -> tuple[list[dict], list[dict]]:
    """(candidates, excluded) for a draw on `bang` over `field_ids`, as the draw record keeps them."""
    parties = bang_parties(bang)
    profiles = (ExpertProfile.objects.filter(fields__in=field_ids).distinct()
                .select_related("user", "unit__region").prefetch_related("fields", "conflicts", "user__role_grants")
                .order_by("user_id"))
    loads = dict(Assignment.objects.filter(draw__plan=plan, state__in=SERVING)
                 .values_list("expert_id").annotate(n=Count("pk")).values_list("expert_id", "n"))
    candidates, excluded = [], []
    for profile in profiles:
        user = profile.user
        # role_codes reads the prefetched grants rather than a query per expert
        user.__dict__["role_codes"] = frozenset(g.role for g in user.role_grants.all())
        reasons = reasons_against(profile, parties, load=loads.get(user.pk, 0), load_cap=plan.load_cap)
        entry = {"id": user.pk, "name": user.display_name, "unit": profile.unit.name,
                 "credit_code": profile.unit.credit_code,
                 "fields": sorted(f.name for f in profile.fields.all()),
                 "out_of_region": not profile.unit.region.in_region}
        if reasons:
            excluded.append({**entry, "reasons": reasons})
        else:
            candidates.append(entry)
    return candidates, excluded
