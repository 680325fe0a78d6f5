"""Stage reports (阶段报告) and self-management (自主调整), issue 13 section 2.

The lead unit files a report for each stage of the task book's schedule; the issuing enterprise
comments; the organiser's staff accept it or return it with a reason. Beat reminds the lead before
the due date and once when it has passed. The team records its own technical-route adjustments and
budget reallocations: told to the enterprise and staff, kept in the log, never approved.

Every change locks its row, checks the state and the permission, and writes the activity log. A
submitted report is frozen: no service here changes what was submitted.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from applications.enums import CostCategory
from core.exceptions import DomainError
from core.files import prepare_upload, upload_sha256
from core.services import activity_record, state_transition
from notifications.services import notification_send

from .enums import REPORT_TRANSITIONS, RUNNING, ChangeKind, ReportState
from .models import Project, ProjectFile, SelfChange, StageReport
from .projects import issuer_users, lead_users, project_url, require, staff_users

LABELS = dict(ReportState.choices)
# Not yet filed (or sent back): the lead may submit, beat reminds, and past its date it is overdue.
OPEN = (ReportState.DUE, ReportState.RETURNED)
ATTACHMENT_TYPES = ("pdf", "doc", "docx", "xls", "xlsx", "jpg", "png")
MAX_ATTACHMENTS = 10
MAX_PROGRESS = 1000
MAX_TEXT = 5000
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2




def _lock_report(report: StageReport) -> StageReport:
    # Locking the report row serialises a double click, the lead's submit against staff's decision,
    # and the beat's claim (which updates the same row).
    return (StageReport.objects.select_for_update(of=("self",))
            .select_related("project__task_book", "project__award__decision__bang__bang_list",
                            "project__award__application")
            .get(pk=report.pk))




def report_url(report: StageReport) -> str:
    return reverse("contracts:report_detail", args=[report.project_id, report.stage])


# --- who hears about it -------------------------------------------------------------------------










# --- overdue ------------------------------------------------------------------------------------


def is_overdue(report: StageReport, today: datetime.date | None = None) -> bool:
    """Not filed (due or returned) and its due date has passed."""
    return report.state in OPEN and report.due_date < (today or timezone.localdate())


def overdue_q(today: datetime.date | None = None) -> Q:
    return Q(state__in=OPEN, due_date__lt=today or timezone.localdate())


def reports_overdue_for_staff(user, today: datetime.date | None = None) -> QuerySet[StageReport]:
    """The overdue reports of running projects on the lists of the staff member's organiser."""
    qs = StageReport.objects.filter(overdue_q(today), project__state__in=RUNNING)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if not user.has_role(Role.STAFF) or not user.organisation_id:
        return qs.none()
    return qs.filter(project__award__decision__bang__bang_list__organiser_id=user.organisation_id)


# --- the report ---------------------------------------------------------------------------------


def indicators_of(project: Project) -> list[dict]:
    """The indicators of the task book in force: what a report gives progress on."""
    return [row for row in project.task_book.content.get("indicators", []) if row.get("key")]


def _amount(value, field: str, errors: dict) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        errors.setdefault(field, []).append(_("请填写金额（万元），如 12.50。"))
        return None
    if not amount.is_finite():
        errors.setdefault(field, []).append(_("请填写金额（万元），如 12.50。"))
        return None
    if amount < 0:
        errors.setdefault(field, []).append(_("金额不能为负数。"))
        return None
    if amount != amount.quantize(CENT):
        errors.setdefault(field, []).append(_("金额最多保留两位小数（万元）。"))
        return None
    if amount > MAX_AMOUNT:
        errors.setdefault(field, []).append(_("金额过大，请核对（单位为万元）。"))
        return None
    return amount.quantize(CENT)


def submit_refusal(report: StageReport) -> str | None:
    """Why the report cannot be filed now (already filed and frozen, or the project stopped), or None."""
    if report.state not in OPEN:
        if report.submitted_at is None:
            return _("该阶段报告已提交，不能重复提交或修改。")
        return _("该阶段报告已于%(when)s提交，不能重复提交或修改。") % {
            "when": f"{timezone.localtime(report.submitted_at):%Y-%m-%d %H:%M}"}
    if report.project.state not in RUNNING:
        return _("项目当前状态为“%(state)s”，不能提交阶段报告。") % {"state": report.project.get_state_display()}
    return None


@transaction.atomic
def report_submit(*, report: StageReport, by: User, progress: dict, spending, problems: str = "",
                  files=()) -> StageReport:
    """The lead unit files the stage report: progress on each indicator of the task book in force,
    spending so far (万元), problems, attachments (checked by content). Due or returned → submitted;
    from then on it is frozen. The issuing enterprise's users and the organiser's staff are told."""
    report = _lock_report(report)
    project = report.project
    require(by, "contracts.project_lead", project)
    if refusal := submit_refusal(report):
        raise DomainError(refusal)
    errors: dict[str, list[str]] = {}
    rows = []
    progress = progress or {}
    for row in indicators_of(project):
        text = str(progress.get(row["key"], "") or "").strip()
        if not text:
            errors.setdefault(f"progress_{row['key']}", []).append(_("请填写该指标的进展。"))
        elif len(text) > MAX_PROGRESS:
            errors.setdefault(f"progress_{row['key']}", []).append(_("最多%(n)d个字。") % {"n": MAX_PROGRESS})
        rows.append({"key": row["key"], "name": row.get("name", ""), "target": row.get("target", ""), "progress": text})
    if spending is None or str(spending).strip() == "":
        errors.setdefault("spending", []).append(_("请填写截至目前的累计支出（万元）。"))
        amount = None
    else:
        amount = _amount(spending, "spending", errors)
    problems = (problems or "").strip()
    if len(problems) > MAX_TEXT:
        errors.setdefault("problems", []).append(_("最多%(n)d个字。") % {"n": MAX_TEXT})
    files = [f for f in (files or []) if f is not None]
    if len(files) > MAX_ATTACHMENTS:
        errors.setdefault("files", []).append(_("最多上传%(n)d个附件。") % {"n": MAX_ATTACHMENTS})
    checked = []
    if "files" not in errors:
        for upload in files:
            try:
                original, _extension = prepare_upload(upload, allowed=ATTACHMENT_TYPES)
            except ValidationError as error:
                errors.setdefault("files", []).extend(
                    f"{upload.name if hasattr(upload, 'name') else ''}：{m}" for m in error.messages)
            else:
                checked.append((upload, original))
    if errors:
        raise ValidationError(errors)
    for upload, original in checked:
        ProjectFile.objects.create(project=project, report=report, purpose="report", file=upload, name=original,
                                   sha256=upload_sha256(upload), uploaded_by=by)
    now = timezone.now()
    state_transition(obj=report, to=ReportState.SUBMITTED, by=by, table=REPORT_TRANSITIONS,
                     action=_("提交第%(n)d阶段报告") % {"n": report.stage}, labels=LABELS,
                     note=_("累计支出%(amount)s万元；附件%(files)d个") % {"amount": amount, "files": len(checked)},
                     fields={"progress": rows, "spending": amount, "problems": problems, "submitted_by": by,
                             "submitted_at": now})
    notification_send(
        recipients=issuer_users(project) + staff_users(project),
        event_key=f"report:{report.pk}:submitted:{now.timestamp()}",
        title=_("项目“%(number)s”提交了第%(n)d阶段报告") % {"number": project.project_number, "n": report.stage},
        url=report_url(report))
    return report


@transaction.atomic
def report_comment(*, report: StageReport, by: User, comment: str) -> StageReport:
    """The issuing enterprise comments on a submitted report. A further comment is appended below
    the earlier ones with its time and unit, never replacing them: a bang may have several issuing
    enterprises, and each one's word, like the report itself, stays as it was given."""
    report = _lock_report(report)
    project = report.project
    require(by, "contracts.project_issuer", project)
    if report.state not in (ReportState.SUBMITTED, ReportState.ACCEPTED):
        raise DomainError(_("报告提交后才能发表意见。") if report.state == ReportState.DUE
                          else _("报告已退回牵头单位修改，请在重新提交后发表意见。"))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("请填写意见。")})
    if len(comment) > MAX_TEXT:
        raise ValidationError({"comment": _("最多%(n)d个字。") % {"n": MAX_TEXT}})
    now = timezone.now()
    who = by.organisation.name if by.organisation_id else by.get_username()
    entry = f"【{timezone.localtime(now):%Y-%m-%d %H:%M} {who}】{comment}"
    report.enterprise_comment = f"{report.enterprise_comment}\n\n{entry}" if report.enterprise_comment else entry
    report.save(update_fields=["enterprise_comment"])
    activity_record(target=report, by=by, action=_("发榜企业发表意见"), note=comment)
    notification_send(
        recipients=lead_users(project) + staff_users(project),
        event_key=f"report:{report.pk}:comment:{now.timestamp()}",
        title=_("发榜企业对项目“%(number)s”第%(n)d阶段报告发表了意见") % {"number": project.project_number,
                                                                         "n": report.stage},
        body=comment, url=report_url(report))
    return report


def _decided(report: StageReport, action: str) -> None:
    if report.state == ReportState.ACCEPTED:
        raise DomainError(_("该阶段报告已通过，不能再%(action)s。") % {"action": action})
    if report.state == ReportState.RETURNED:
        raise DomainError(_("该阶段报告已退回牵头单位修改，不能再%(action)s。") % {"action": action})
    if report.state != ReportState.SUBMITTED:
        raise DomainError(_("该阶段报告尚未提交。"))


@transaction.atomic
def report_accept(*, report: StageReport, by: User) -> StageReport:
    """Staff accept a submitted report; the lead is told."""
    report = _lock_report(report)
    project = report.project
    require(by, "contracts.project_manage", project)
    _decided(report, _("审核"))
    now = timezone.now()
    state_transition(obj=report, to=ReportState.ACCEPTED, by=by, table=REPORT_TRANSITIONS,
                     action=_("阶段报告通过"), labels=LABELS, fields={"decided_by": by, "decided_at": now})
    notification_send(
        recipients=lead_users(project),
        event_key=f"report:{report.pk}:accepted",
        title=_("项目“%(number)s”第%(n)d阶段报告已通过") % {"number": project.project_number, "n": report.stage},
        url=report_url(report))
    return report


@transaction.atomic
def report_return(*, report: StageReport, by: User, reason: str) -> StageReport:
    """Staff return a submitted report with a reason; the lead files it again. The lead is told."""
    report = _lock_report(report)
    project = report.project
    require(by, "contracts.project_manage", project)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回理由。")})
    if len(reason) > MAX_TEXT:
        raise ValidationError({"reason": _("最多%(n)d个字。") % {"n": MAX_TEXT}})
    _decided(report, _("退回"))
    if project.state not in RUNNING:
        raise DomainError(_("项目当前状态为“%(state)s”，退回后牵头单位无法重新提交。") % {
            "state": project.get_state_display()})
    now = timezone.now()
    state_transition(obj=report, to=ReportState.RETURNED, by=by, table=REPORT_TRANSITIONS,
                     action=_("退回阶段报告"), note=reason, labels=LABELS,
                     fields={"return_reason": reason, "decided_by": by, "decided_at": now})
    notification_send(
        recipients=lead_users(project),
        event_key=f"report:{report.pk}:returned:{now.timestamp()}",
        title=_("项目“%(number)s”第%(n)d阶段报告被退回，请修改后重新提交") % {"number": project.project_number,
                                                                             "n": report.stage},
        body=reason, url=report_url(report))
    return report


# --- reminders ----------------------------------------------------------------------------------

# The windows, loosest first: (slot column, days before the due date at which the window opens).
WINDOWS = (("reminded_14_at", 14), ("reminded_3_at", 3), ("reminded_overdue_at", -1))


def _window(days_left: int) -> int:
    """Index into WINDOWS of the tightest window a report `days_left` before its date is in."""
    if days_left < 0:
        return 2
    if days_left <= 3:
        return 1
    return 0


def _due_reminders(today: datetime.date) -> QuerySet[StageReport]:
    in_14 = Q(due_date__gt=today + datetime.timedelta(days=3), due_date__lte=today + datetime.timedelta(days=14),
              reminded_14_at__isnull=True)
    in_3 = Q(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=3), reminded_3_at__isnull=True)
    overdue = Q(due_date__lt=today, reminded_overdue_at__isnull=True)
    return (StageReport.objects.filter(in_14 | in_3 | overdue, state__in=OPEN, project__state__in=RUNNING)
            .select_related("project__award__application").order_by("due_date", "pk"))


def reports_remind(now: datetime.datetime | None = None) -> int:
    """Beat: remind the lead of each report not yet filed, 14 days and 3 days before its date and
    once when it has passed. Only the tightest window is sent: the looser slots are marked with it,
    so a report first seen 2 days before gets the 3-day reminder and never a 14-day one later.
    Each slot is claimed by a conditional update, so two workers never send the same reminder."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for report in _due_reminders(today):
        days_left = (report.due_date - today).days
        index = _window(days_left)
        slot = WINDOWS[index][0]
        with transaction.atomic():
            claimed = StageReport.objects.filter(pk=report.pk, state__in=OPEN, **{f"{slot}__isnull": True}).update(
                **{slot: now})
            if not claimed:
                continue
            for looser, _days in WINDOWS[:index]:
                StageReport.objects.filter(pk=report.pk, **{f"{looser}__isnull": True}).update(**{looser: now})
            project = report.project
            if index == 2:
                title = _("项目“%(number)s”第%(n)d阶段报告已逾期，请尽快提交") % {
                    "number": project.project_number, "n": report.stage}
            else:
                title = _("项目“%(number)s”第%(n)d阶段报告将于%(date)s到期（还有%(days)d天）") % {
                    "number": project.project_number, "n": report.stage, "date": report.due_date.isoformat(),
                    "days": days_left}
            notification_send(recipients=lead_users(project), event_key=f"report:{report.pk}:remind:{slot}",
                              title=title, body=report.goal, url=report_url(report))
            sent += 1
    return sent


# --- self-management ----------------------------------------------------------------------------


def budget_now(project: Project) -> dict[str, Decimal]:
    """The subsidy per cost category now: the task book's budget with the team's reallocations
    since it came into force applied in order."""
    allocation: dict[str, Decimal] = {}
    for line in project.task_book.content.get("budget", []):
        try:
            value = Decimal(str(line.get("subsidy", "0") or "0"))
        except (InvalidOperation, ValueError):
            value = Decimal(0)
        category = line.get("category")
        allocation[category] = allocation.get(category, Decimal(0)) + value
    in_force_at = project.task_book.in_force_at
    changes = project.changes.filter(kind=ChangeKind.BUDGET)
    if in_force_at is not None:
        changes = changes.filter(recorded_at__gte=in_force_at)
    for change in changes.order_by("recorded_at", "pk"):
        for row in change.details:
            allocation[row["category"]] = Decimal(row["to"])
    return {k: v.quantize(CENT) for k, v in allocation.items()}


def _budget_rows(project: Project, details) -> list[dict]:
    categories = dict(CostCategory.choices)
    current = budget_now(project)
    errors: dict[str, list[str]] = {}
    rows, seen = [], set()
    if not isinstance(details, list | tuple):
        raise ValidationError({"details": _("请填写调剂明细。")})
    for i, row in enumerate(details):
        if not isinstance(row, dict):
            raise ValidationError({"details": _("调剂明细格式不正确。")})
        category = row.get("category")
        if category not in categories:
            errors.setdefault("details", []).append(_("第%(n)d行：请选择预算科目。") % {"n": i + 1})
            continue
        if category in seen:
            errors.setdefault("details", []).append(_("“%(c)s”重复填写。") % {"c": categories[category]})
            continue
        seen.add(category)
        before = _amount(row.get("from", ""), f"from_{category}", errors)
        after = _amount(row.get("to", ""), f"to_{category}", errors)
        if before is None or after is None:
            continue
        if before != current.get(category, Decimal("0.00")):
            errors.setdefault(f"from_{category}", []).append(
                _("“%(c)s”现有财政补助为%(now)s万元，调剂前金额应与之一致。") % {
                    "c": categories[category], "now": current.get(category, Decimal("0.00"))})
            continue
        if before != after:
            rows.append({"category": category, "from": str(before), "to": str(after)})
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError({"details": _("调剂前后金额没有变化。")})
    total_from = sum(Decimal(r["from"]) for r in rows)
    total_to = sum(Decimal(r["to"]) for r in rows)
    if total_from != total_to:
        raise ValidationError({"details": _("调剂后合计%(to)s万元与调剂前合计%(from)s万元不等：经费调剂不能改变财政补助总额。") % {
            "to": total_to, "from": total_from}})
    return rows


@transaction.atomic
def change_record(*, project: Project, by: User, kind: str, description: str, details=None) -> SelfChange:
    """The lead records a technical-route adjustment or a budget reallocation (自主调整) on its own
    authority: no approval. A reallocation moves subsidy between cost categories without changing
    its total. The issuing enterprise's users and the organiser's staff are told; the log keeps it."""
    project = (Project.objects.select_for_update(of=("self",))
               .select_related("task_book", "award__decision__bang__bang_list", "award__application")
               .get(pk=project.pk))
    require(by, "contracts.project_lead", project)
    if project.state not in RUNNING:
        raise DomainError(_("项目当前状态为“%(state)s”，不能记录自主调整。") % {"state": project.get_state_display()})
    if kind not in ChangeKind.values:
        raise ValidationError({"kind": _("请选择调整类型。")})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("请说明调整的内容和理由。")})
    if len(description) > MAX_TEXT:
        raise ValidationError({"description": _("最多%(n)d个字。") % {"n": MAX_TEXT}})
    rows = _budget_rows(project, details or []) if kind == ChangeKind.BUDGET else []
    change = SelfChange.objects.create(project=project, kind=kind, description=description, details=rows,
                                       recorded_by=by)
    categories = dict(CostCategory.choices)
    note = description
    if rows:
        note += "\n" + "；".join(_("%(c)s：%(a)s → %(b)s万元") % {"c": categories[r["category"]], "a": r["from"], "b": r["to"]}
                                for r in rows)
    label = ChangeKind(kind).label
    activity_record(target=project, by=by, action=_("自主调整：%(kind)s") % {"kind": label}, note=note)
    notification_send(
        recipients=issuer_users(project) + staff_users(project),
        event_key=f"project:{project.pk}:change:{change.pk}",
        title=_("项目“%(number)s”记录了一项%(kind)s") % {"number": project.project_number, "kind": label},
        body=note, url=project_url(project))
    return change
