"""Blind review (匿名评审): the submitted version as an expert of a blind panel sees it, without the
names of the applicant units and people. Free text (team, basis) is the applicant's own words and is
shown as written; the plan's instructions ask applicants to keep names out of it."""

import copy

from django.utils.translation import gettext as _

HIDDEN = "＊＊＊"


def redact(data: dict) -> dict:
    data = copy.deepcopy(data)
    lead = data.get("lead", {})
    for key in list(lead):
        if key not in {"kind", "in_region"}:
            lead[key] = HIDDEN
    lead["name"] = _("牵头单位（匿名）")
    for index, partner in enumerate(data.get("partners", []), start=1):
        partner["name"] = _("成员单位%(n)d（匿名）") % {"n": index}
        partner["credit_code"] = HIDDEN
    fields = data.get("fields", {})
    for key in ("chief_name", "chief_unit", "lead_name", "lead_unit", "lead_phone", "lead_email"):
        if fields.get(key):
            fields[key] = HIDDEN
    data.pop("avoid", None)
    for attachment in data.get("attachments", []):
        attachment["name"] = HIDDEN
    return data


def for_expert(data: dict, *, blind: bool) -> dict:
    """What an expert is shown of a version: never the avoid list; without names if blind."""
    if blind:
        return redact(data)
    data = dict(data)
    data.pop("avoid", None)
    return data
