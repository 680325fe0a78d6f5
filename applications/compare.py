"""Field-by-field comparison of two application snapshots (what `application_snapshot` returns and
every ApplicationVersion keeps), for reviewers and the lead to see what a new version changed."""

from django.utils.translation import gettext as _

from .enums import CostCategory, FundingSource
from .models import Application
from .selectors import avoided_in


def _field_label(name: str) -> str:
    return str(Application._meta.get_field(name).verbose_name)


def _rows(snapshot: dict, *, avoid: bool = False) -> list[tuple[str, str, str, str]]:
    """(key, section, label, value) for every comparable item of a snapshot, in reading order; the
    avoid list (申请回避) only with `avoid`."""
    if not snapshot:
        return []
    rows = []
    lead = snapshot.get("lead", {})
    rows.append(("lead", _("牵头单位"), _("牵头单位"), f"{lead.get('name', '')}（{lead.get('credit_code', '')}）"))
    for partner in snapshot.get("partners", []):
        code = partner.get("credit_code", "")
        rows.append((f"partner:{code}", _("联合体成员"), f"{partner.get('name', '')}（{code}）",
                     f"{partner.get('name', '')}：{partner.get('role', '')}，{partner.get('work_share', '')}%"))
    for name, value in snapshot.get("fields", {}).items():
        rows.append((f"field:{name}", _("实施方案"), _field_label(name), "" if value is None else str(value)))
    milestones = [f"{m.get('due_date', '')}：{m.get('deliverable', '')}" + (f"（{m['indicator']}）" if m.get("indicator") else "")
                  for m in snapshot.get("milestones", [])]
    rows.append(("milestones", _("进度安排"), _("进度安排"), "\n".join(milestones)))
    categories = dict(CostCategory.choices)
    sources = dict(FundingSource.choices)
    budget = snapshot.get("budget", {})
    for line in budget.get("lines", []):
        value = "；".join(f"{sources[s]} {line.get(s, '0')}" for s in sources)
        rows.append((f"budget:{line.get('category')}", _("经费预算（万元）"),
                     str(categories.get(line.get("category"), line.get("category"))), value))
    rows.append(("budget:total", _("经费预算（万元）"), _("合计"), str(budget.get("total", ""))))
    for commitment in snapshot.get("commitments", []):
        rows.append((f"commitment:{commitment.get('indicator')}", _("指标承诺"), commitment.get("indicator", ""),
                     f"{commitment.get('value', '')}{commitment.get('unit', '')}"))
    for attachment in snapshot.get("attachments", []):
        rows.append((f"attachment:{attachment.get('item')}", _("申报材料"), attachment.get("item", ""),
                     f"{attachment.get('name', '')}（SHA-256 {attachment.get('sha256', '')[:12]}…）"))
    if avoid:
        # One row for the list: its order carries no meaning, but a whole list reads best side by side.
        entries = [f"{row['name']}（{row['unit']}）：{row['reason']}" for row in avoided_in(snapshot)]
        rows.append(("avoid", _("申请回避的专家"), _("申请回避的专家"), "\n".join(entries)))
    return rows


def compare_snapshots(a: dict, b: dict, *, changed_only: bool = False, avoid: bool = False) -> list[dict]:
    """Rows {section, label, a, b, changed}: every item of either snapshot, in b's order with a's
    removed items after; an item present on one side only shows empty on the other.

    The avoid list (申请回避) is compared only with `avoid`: for the lead and those who pre-check the
    application, never for experts."""
    left = {key: (section, label, value) for key, section, label, value in _rows(a, avoid=avoid)}
    right = {key: (section, label, value) for key, section, label, value in _rows(b, avoid=avoid)}
    keys = list(right) + [key for key in left if key not in right]
    result = []
    for key in keys:
        section, label, _value = right.get(key) or left[key]
        a_value = left[key][2] if key in left else ""
        b_value = right[key][2] if key in right else ""
        changed = a_value != b_value
        if changed_only and not changed:
            continue
        result.append({"section": section, "label": label, "a": a_value, "b": b_value, "changed": changed})
    return result
