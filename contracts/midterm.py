"""The mid-term review (中期评估) and racehorse elimination (issue 13, section 3).

Staff of the organiser record one decision per team, with a reason:

- continue / increase / reduce: the review is passed (the mid-term tranche unlocks); increase and
  reduce set the subsidy agreed now (never below what was already disbursed);
- terminate: the team stops (no further disbursement: the funds service refuses a project that is not
  running), and the refund of unspent subsidy (`subsidy.refund_due`) is recorded;
- merge: the team continues inside another running team of the same bang.

The other racehorse teams of the bang carry on: nothing here touches them (a merge only reads the
team it merges into).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import DomainError
from core.services import activity_record, state_transition
from notifications.services import notification_send

from . import subsidy as money_rules
from .enums import PROJECT_TRANSITIONS, RUNNING, MidtermOutcome, ProjectState
from .models import MidtermDecision, Project
from .projects import disbursed_total, issuer_users, lead_users, lock_project, project_url, require

LABELS = dict(ProjectState.choices)
CENT = Decimal("0.01")
PASSING = (MidtermOutcome.CONTINUE, MidtermOutcome.INCREASE, MidtermOutcome.REDUCE)








def amount(value, field: str, *, required: bool = True) -> Decimal | None:
    """A typed amount in 万元 (2 places, not negative), or a ValidationError on `field`."""
    if value in (None, ""):
        if required:
            raise ValidationError({field: [_("请填写金额（万元）。")]})
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("请填写有效的金额（万元）。")]}) from None
    if not number.is_finite() or number < 0:
        raise ValidationError({field: [_("金额不能为负数。")]})
    if number != number.quantize(CENT):
        raise ValidationError({field: [_("金额最多保留两位小数（万元）。")]})
    return number.quantize(CENT)










@transaction.atomic
def midterm_decide(project: Project, by: User, outcome: str, reason: str, new_subsidy=None,
                   merged_into: Project | None = None, spent=None) -> MidtermDecision:
    """Record the mid-term decision on one team (once), and what follows from it."""
    project = lock_project(project)
    require(by, "contracts.project_manage", project)
    if MidtermDecision.objects.filter(project=project).exists():
        raise DomainError(_("该团队的中期评估结论已记录，不能重复记录。"))
    if project.state != ProjectState.IN_PROGRESS:
        raise DomainError(_("项目当前状态为“%(state)s”，不能记录中期评估结论。") % {"state": project.get_state_display()})
    if outcome not in MidtermOutcome.values:
        raise ValidationError({"outcome": [_("请选择评估结论。")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写评估结论的理由。")]})
    disbursed = disbursed_total(project)
    now = timezone.now()
    decision = MidtermDecision(project=project, outcome=outcome, reason=reason, decided_by=by, decided_at=now)
    label = MidtermOutcome(outcome).label
    note = _("中期评估：%(outcome)s。理由：%(reason)s") % {"outcome": label, "reason": reason}

    if outcome in (MidtermOutcome.INCREASE, MidtermOutcome.REDUCE):
        value = amount(new_subsidy, "new_subsidy")
        if outcome == MidtermOutcome.INCREASE and value <= project.subsidy:
            raise ValidationError({"new_subsidy": [_("增加支持时，调整后的财政补助应高于现在的%(now)s万元。")
                                                   % {"now": project.subsidy}]})
        if outcome == MidtermOutcome.REDUCE and value >= project.subsidy:
            raise ValidationError({"new_subsidy": [_("减少支持时，调整后的财政补助应低于现在的%(now)s万元。")
                                                   % {"now": project.subsidy}]})
        if value < disbursed:
            raise ValidationError({"new_subsidy": [_("调整后的财政补助不能低于已拨付的%(done)s万元。")
                                                   % {"done": disbursed}]})
        if value <= 0:
            raise ValidationError({"new_subsidy": [_("不再给予财政补助的，请选择“终止”，并记录应退回的资金。")]})
        decision.new_subsidy = value
        note += _("（财政补助由%(old)s万元调整为%(new)s万元）") % {"old": project.subsidy, "new": value}

    if outcome in PASSING:
        fields = ["midterm_passed_at", "updated_at"]
        project.midterm_passed_at = now
        if decision.new_subsidy is not None:
            project.subsidy = decision.new_subsidy
            fields.append("subsidy")
        project.save(update_fields=fields)
        activity_record(target=project, by=by, action=_("中期评估：%(outcome)s") % {"outcome": label}, note=note)
    elif outcome == MidtermOutcome.TERMINATE:
        spent_value = amount(spent, "spent", required=False)
        if spent_value is not None and spent_value > disbursed:
            raise ValidationError({"spent": [_("已使用的财政资金不能超过已拨付的%(done)s万元。") % {"done": disbursed}]})
        decision.refund_due = money_rules.refund_due(disbursed_total=disbursed, spent=spent_value)
        note += _("应退回未使用的财政资金%(refund)s万元。") % {"refund": decision.refund_due}
        state_transition(obj=project, to=ProjectState.TERMINATED, by=by, table=PROJECT_TRANSITIONS,
                         action=_("中期评估：终止"), note=note, labels=LABELS,
                         fields={"refund_due": decision.refund_due, "closed_at": now})
    else:  # merge
        target = _merge_target(project, merged_into)
        decision.merged_into = target
        note += _("并入%(number)s继续执行。") % {"number": target.project_number}
        state_transition(obj=project, to=ProjectState.MERGED, by=by, table=PROJECT_TRANSITIONS,
                         action=_("中期评估：合并"), note=note, labels=LABELS,
                         fields={"merged_into": target, "closed_at": now})
        activity_record(target=target, by=by, action=_("中期评估：合并"),
                        note=_("%(number)s并入本团队继续执行。") % {"number": project.project_number})
    decision.save()
    notification_send(
        recipients=lead_users(project) + issuer_users(project),
        event_key=f"project:{project.pk}:midterm",
        title=_("项目%(number)s中期评估结论：%(outcome)s") % {"number": project.project_number, "outcome": label},
        body=note, url=project_url(project))
    return decision


def _merge_target(project: Project, merged_into) -> Project:
    if merged_into is None:
        raise ValidationError({"merged_into": [_("请选择并入的团队。")]})
    target_pk = merged_into.pk if isinstance(merged_into, Project) else merged_into
    target = (Project.objects.select_for_update(of=("self",)).select_related("award__decision")
              .filter(pk=target_pk).first())
    if (target is None or target.pk == project.pk
            or target.award.decision.bang_id != project.award.decision.bang_id):
        raise ValidationError({"merged_into": [_("只能并入同一技术榜的其他团队。")]})
    if target.state not in RUNNING:
        raise ValidationError({"merged_into": [_("%(number)s当前状态为“%(state)s”，不能并入。")
                                               % {"number": target.project_number,
                                                  "state": target.get_state_display()}]})
    return target


def merge_candidates(project: Project):
    """The other running teams of the same bang."""
    return (Project.objects.filter(award__decision__bang_id=project.award.decision.bang_id, state__in=RUNNING)
            .exclude(pk=project.pk).select_related("award__application__lead").order_by("project_number"))


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
