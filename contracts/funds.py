"""Money of a project (issue 13, 资金): the issuing enterprise's payments and their 到账 confirmation,
the subsidy due by the 到账 rule and the tranche plan, staff disbursements, and the ledger.

Each write locks its row, checks the state and the permission inside the transaction, writes the
activity log and notifies the other side. The arithmetic is `contracts.subsidy` (pure, Decimal 万元).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import DomainError
from core.files import prepare_upload, upload_sha256
from core.money import format_wan
from core.services import activity_record, state_transition
from notifications.services import notification_send

from . import content as rules_of
from . import subsidy as rule
from .content import Condition
from .enums import RUNNING, PaymentState, ProjectState, TaskBookState
from .models import Disbursement, Payment, Project
from .projects import issuer_users, lead_users, lock_project, project_url, raise_problems, require

ZERO = Decimal("0.00")
RECEIPT_TYPES = ("pdf", "jpg", "png")
PAYMENT_TRANSITIONS = {PaymentState.RECORDED: {PaymentState.CONFIRMED, PaymentState.DISPUTED}}
PAYMENT_LABELS = dict(PaymentState.choices)
# A passed project still receives its acceptance tranche; a terminated, merged or failed one gets nothing more.
DISBURSABLE = (*RUNNING, ProjectState.PASSED)
MAX_AMOUNT = Decimal("9999999999.99")














def _amount(value, problems: dict, name: str = "amount") -> Decimal | None:
    try:
        amount = rules_of.money(value)
    except ValueError:
        problems[name] = [_("请填写有效的金额（万元）。")]
        return None
    if amount <= 0:
        problems[name] = [_("金额须大于0。")]
        return None
    if amount > MAX_AMOUNT:
        problems[name] = [_("金额过大。")]
        return None
    return amount




# --- the issuing enterprise's payments ------------------------------------------------------------


@transaction.atomic
def project_start(project: Project) -> datetime.date:
    """The first day money may be dated: the start of the project in its task book."""
    try:
        return datetime.date.fromisoformat(project.task_book.content["project"]["start"])
    except (KeyError, TypeError, ValueError):
        return timezone.localdate(project.started_at)


@transaction.atomic
def payment_record(*, project: Project, by: User, amount, paid_on: datetime.date, receipt) -> Payment:
    """The issuing enterprise records a payment to the lead with its bank receipt (PDF/JPG/PNG by
    content, SHA-256 kept). Logged; the lead unit is asked to confirm the arrival."""
    project = lock_project(project)
    require(by, "contracts.project_issuer", project)
    if project.state not in RUNNING:
        raise DomainError(_("项目当前状态为“%(state)s”，不能再登记企业资金。") % {"state": project.get_state_display()})
    problems: dict = {}
    value = _amount(amount, problems)
    if paid_on is None:
        problems["paid_on"] = [_("请填写付款日期。")]
    elif paid_on > timezone.localdate():
        problems["paid_on"] = [_("付款日期不能晚于今天。")]
    elif paid_on < project_start(project):
        problems["paid_on"] = [_("付款日期不能早于项目开始日期（%(date)s）。") % {"date": project_start(project).isoformat()}]
    original = ""
    if receipt is None:
        problems["receipt"] = [_("请上传银行回单。")]
    else:
        try:
            original, _extension = prepare_upload(receipt, allowed=RECEIPT_TYPES)
        except ValidationError as error:
            problems["receipt"] = error.messages
    raise_problems(problems)
    digest = upload_sha256(receipt)
    payment = Payment(project=project, amount=value, paid_on=paid_on, receipt_name=original[:200],
                      receipt_sha256=digest, recorded_by=by)
    payment.receipt.save(receipt.name, receipt, save=False)
    payment.save()
    activity_record(target=payment, by=by, action=_("登记企业资金"), to_state=PaymentState.RECORDED,
                    note=_("%(amount)s万元，付款日期%(date)s") % {"amount": format_wan(value), "date": paid_on.isoformat()})
    activity_record(target=project, by=by, action=_("登记企业资金"),
                    note=_("%(amount)s万元，付款日期%(date)s") % {"amount": format_wan(value), "date": paid_on.isoformat()})
    notification_send(
        recipients=lead_users(project), event_key=f"payment:{payment.pk}:recorded",
        title=_("项目“%(number)s”：发榜企业登记了一笔%(amount)s万元的付款，请确认是否到账")
        % {"number": project.project_number, "amount": format_wan(value)},
        url=project_url(project))
    return payment


def _still_running(project: Project) -> None:
    if project.state not in RUNNING:
        raise DomainError(_("项目当前状态为“%(state)s”，不能再处理企业资金。") % {"state": project.get_state_display()})


def _lock_payment(payment: Payment) -> Payment:
    return (Payment.objects.select_for_update(of=("self",))
            .select_related("project__task_book", "project__award__application__lead",
                            "project__award__decision__bang__bang_list")
            .get(pk=payment.pk))


@transaction.atomic
def payment_confirm(*, payment: Payment, by: User, arrived_on: datetime.date) -> Payment:
    """到账确认 by the lead unit: the arrival date (not in the future, not before the payment date).
    Only confirmed arrivals count for the subsidy. Once only; the enterprise is told."""
    payment = _lock_payment(payment)
    project = payment.project
    require(by, "contracts.project_lead", project)
    _still_running(project)
    if payment.state != PaymentState.RECORDED:
        raise DomainError(_("这笔付款已于%(when)s处理（%(state)s），不能重复处理。") % {
            "when": timezone.localtime(payment.answered_at).strftime("%Y-%m-%d %H:%M") if payment.answered_at else "",
            "state": payment.get_state_display()})
    if arrived_on is None:
        raise ValidationError({"arrived_on": _("请填写到账日期。")})
    if arrived_on > timezone.localdate():
        raise ValidationError({"arrived_on": _("到账日期不能晚于今天。")})
    if arrived_on < payment.paid_on:
        raise ValidationError({"arrived_on": _("到账日期不能早于付款日期（%(date)s）。") % {"date": payment.paid_on.isoformat()}})
    state_transition(obj=payment, to=PaymentState.CONFIRMED, by=by, table=PAYMENT_TRANSITIONS, action=_("确认到账"),
                     note=_("到账日期%(date)s") % {"date": arrived_on.isoformat()}, labels=PAYMENT_LABELS,
                     fields={"arrived_on": arrived_on, "answered_by": by, "answered_at": timezone.now()})
    activity_record(target=project, by=by, action=_("确认企业资金到账"),
                    note=_("%(amount)s万元，到账日期%(date)s") % {"amount": format_wan(payment.amount),
                                                             "date": arrived_on.isoformat()})
    notification_send(
        recipients=issuer_users(project), event_key=f"payment:{payment.pk}:confirmed",
        title=_("项目“%(number)s”：牵头单位已确认%(amount)s万元到账")
        % {"number": project.project_number, "amount": format_wan(payment.amount)},
        url=project_url(project))
    return payment


@transaction.atomic
def payment_dispute(*, payment: Payment, by: User, reason: str) -> Payment:
    """The lead unit disputes a recorded payment with a reason (it does not count). Once only."""
    payment = _lock_payment(payment)
    project = payment.project
    require(by, "contracts.project_lead", project)
    _still_running(project)
    if payment.state != PaymentState.RECORDED:
        raise DomainError(_("这笔付款已处理（%(state)s），不能重复处理。") % {"state": payment.get_state_display()})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写异议理由。")})
    state_transition(obj=payment, to=PaymentState.DISPUTED, by=by, table=PAYMENT_TRANSITIONS, action=_("提出到账异议"),
                     note=reason, labels=PAYMENT_LABELS,
                     fields={"dispute_reason": reason[:5000], "answered_by": by, "answered_at": timezone.now()})
    activity_record(target=project, by=by, action=_("对企业资金提出异议"), note=reason)
    notification_send(
        recipients=issuer_users(project), event_key=f"payment:{payment.pk}:disputed",
        title=_("项目“%(number)s”：牵头单位对%(amount)s万元的付款提出异议")
        % {"number": project.project_number, "amount": format_wan(payment.amount)},
        body=reason, url=project_url(project))
    return payment


# --- the subsidy due ------------------------------------------------------------------------------


@dataclass
class Tranche:
    number: int
    label: str
    condition: str
    amount: Decimal
    met: bool
    reason: str


@dataclass
class SubsidyDue:
    """What may be disbursed in `year`, and why: the smaller of the 到账 rule and the tranche room."""

    year: int
    arrived_last_year: Decimal
    rule: Decimal
    tranche_room: Decimal
    due: Decimal
    tranches: list[Tranche] = field(default_factory=list)

    @property
    def limited_by_tranches(self) -> bool:
        return self.tranche_room < self.rule

    @property
    def unmet(self) -> list[Tranche]:
        return [t for t in self.tranches if not t.met]


@dataclass
class Figures:
    """What the money queries give for one project (loaded in bulk by `_figures`)."""

    arrivals_by_year: dict[int, Decimal] = field(default_factory=dict)
    pending: Decimal = ZERO
    pending_count: int = 0
    disputed: Decimal = ZERO
    disputed_count: int = 0
    disbursed_by_year: dict[int, Decimal] = field(default_factory=dict)

    @property
    def arrived(self) -> Decimal:
        return sum(self.arrivals_by_year.values(), ZERO)

    @property
    def disbursed(self) -> Decimal:
        return sum(self.disbursed_by_year.values(), ZERO)


def _cents(total) -> Decimal:
    """A database sum as Decimal 万元 with 2 places: SQLite adds decimals as floats (156.0000000000000,
    or 155.99999999 for sums that do not add up exactly in binary), and the rule compares to the fen."""
    return Decimal(str(total or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _figures(project_ids) -> dict[int, Figures]:
    """Two grouped queries for any number of projects."""
    figures: dict[int, Figures] = defaultdict(Figures)
    payments = (Payment.objects.filter(project_id__in=project_ids)
                .annotate(year=ExtractYear("arrived_on")).values("project_id", "state", "year")
                .annotate(total=Sum("amount"), n=Count("pk")).order_by())
    for row in payments:
        f = figures[row["project_id"]]
        total = _cents(row["total"])
        if row["state"] == PaymentState.CONFIRMED:
            f.arrivals_by_year[row["year"]] = f.arrivals_by_year.get(row["year"], ZERO) + total
        elif row["state"] == PaymentState.RECORDED:
            f.pending += total
            f.pending_count += row["n"]
        else:
            f.disputed += total
            f.disputed_count += row["n"]
    disbursed = (Disbursement.objects.filter(project_id__in=project_ids).annotate(year=ExtractYear("paid_on"))
                 .values("project_id", "year").annotate(total=Sum("amount")).order_by())
    for row in disbursed:
        f = figures[row["project_id"]]
        f.disbursed_by_year[row["year"]] = f.disbursed_by_year.get(row["year"], ZERO) + _cents(row["total"])
    return figures


def _condition(project: Project, condition: str) -> tuple[bool, str]:
    if condition == Condition.SIGNING:
        if project.task_book.state == TaskBookState.IN_FORCE:
            return True, _("任务书已生效")
        return False, _("任务书尚未生效")
    if condition == Condition.MIDTERM:
        if project.midterm_passed_at:
            return True, _("中期评估已于%(date)s通过") % {"date": timezone.localtime(project.midterm_passed_at).date()}
        return False, _("中期评估尚未通过")
    if condition == Condition.ACCEPTANCE:
        if project.state == ProjectState.PASSED:
            return True, _("已通过验收")
        return False, _("尚未通过验收")
    return True, _("其他条件（按任务书约定）")


def _planned(project: Project) -> list[Decimal]:
    """The tranche amounts of the task book, scaled to the subsidy agreed now when a mid-term
    decision raised or lowered it (the last tranche takes the rounding)."""
    amounts = []
    for row in project.task_book.content.get("disbursement", []):
        try:
            amounts.append(rules_of.money(row.get("amount")))
        except ValueError:
            amounts.append(ZERO)
    total = sum(amounts, ZERO)
    if not amounts or total <= 0 or total == project.subsidy:
        return amounts
    scaled = [(a * project.subsidy / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for a in amounts[:-1]]
    return [*scaled, project.subsidy - sum(scaled, ZERO)]


def _tranches(project: Project) -> list[Tranche]:
    rows = []
    planned = _planned(project)
    for number, row in enumerate(project.task_book.content.get("disbursement", []), start=1):
        amount = planned[number - 1]
        condition = row.get("condition") or Condition.OTHER
        met, reason = _condition(project, condition)
        rows.append(Tranche(number=number, label=row.get("label") or _("第%(n)d笔") % {"n": number},
                            condition=condition, amount=amount, met=met, reason=reason))
    return rows


def _due(project: Project, figures: Figures, on: datetime.date) -> SubsidyDue:
    year = on.year
    disbursed = figures.disbursed
    tranches = _tranches(project)
    by_rule = rule.rule_due(year=year, arrivals_by_year=figures.arrivals_by_year, subsidy=project.subsidy,
                            disbursed_total=disbursed, disbursed_this_year=figures.disbursed_by_year.get(year, ZERO))
    room = rule.tranche_room(tranches=[(t.amount, t.met) for t in tranches], disbursed_total=disbursed)
    return SubsidyDue(year=year, arrived_last_year=figures.arrivals_by_year.get(year - 1, ZERO), rule=by_rule,
                      tranche_room=room, due=min(by_rule, room), tranches=tranches)


def subsidy_due(project: Project, on: datetime.date | None = None) -> SubsidyDue:
    """The subsidy that may be disbursed in the year of `on` (today by default), with its parts."""
    on = on or timezone.localdate()
    return _due(project, _figures([project.pk])[project.pk], on)


def _refusal(project: Project, due: SubsidyDue, amount: Decimal) -> str | None:
    if amount <= due.due:
        return None
    if amount <= due.rule and due.unmet:
        unmet = "；".join(f"{t.label}（{t.reason}）" for t in due.unmet)
        return _("拨付批次条件未满足：%(unmet)s。当前按批次计划可拨付%(room)s万元，本次可拨付%(due)s万元。") % {
            "unmet": unmet, "room": format_wan(due.tranche_room), "due": format_wan(due.due)}
    if amount <= due.rule:
        return _("超过批次计划可拨付金额：当前按批次计划可拨付%(room)s万元。") % {"room": format_wan(due.tranche_room)}
    return _("超过按到账规则应拨付的金额：%(year)d年可拨付%(due)s万元（上年度确认到账%(arrived)s万元的30%%，"
             "扣除本年已拨付，且不超过剩余补助；批次计划余额%(room)s万元）。") % {
        "year": due.year, "due": format_wan(due.due), "arrived": format_wan(due.arrived_last_year),
        "room": format_wan(due.tranche_room)}


# --- disbursements --------------------------------------------------------------------------------


@transaction.atomic
def disbursement_record(*, project: Project, by: User, amount, paid_on: datetime.date,
                        document_number: str) -> Disbursement:
    """Staff record a disbursement (拨付). Refused when the project no longer receives money, or the
    amount exceeds what is due in paid_on's year by the 到账 rule and the tranche plan (conditions
    checked). Logged; the lead unit is told."""
    project = lock_project(project)
    require(by, "contracts.project_manage", project)
    if project.state not in DISBURSABLE:
        raise DomainError(_("项目当前状态为“%(state)s”，不再拨付财政资金。") % {"state": project.get_state_display()})
    problems: dict = {}
    value = _amount(amount, problems)
    if paid_on is None:
        problems["paid_on"] = [_("请填写拨付日期。")]
    elif paid_on > timezone.localdate():
        problems["paid_on"] = [_("拨付日期不能晚于今天。")]
    elif paid_on < project_start(project):
        problems["paid_on"] = [_("拨付日期不能早于项目开始日期（%(date)s）。") % {"date": project_start(project).isoformat()}]
    document_number = (document_number or "").strip()
    if not document_number:
        problems["document_number"] = [_("请填写拨付文号。")]
    raise_problems(problems)
    figures = _figures([project.pk])[project.pk]
    due = _due(project, figures, paid_on)
    if refusal := _refusal(project, due, value):
        raise DomainError(refusal)
    # The tranche this money completes: the first whose cumulative amount is not yet covered.
    covered, tranche_number, running = figures.disbursed + value, 0, ZERO
    for t in due.tranches:
        running += t.amount
        tranche_number = t.number
        if running >= covered:
            break
    disbursement = Disbursement.objects.create(project=project, amount=value, paid_on=paid_on,
                                               document_number=document_number[:100], tranche=tranche_number,
                                               recorded_by=by)
    note = _("%(amount)s万元，拨付日期%(date)s，文号%(doc)s") % {
        "amount": format_wan(value), "date": paid_on.isoformat(), "doc": document_number[:100]}
    activity_record(target=disbursement, by=by, action=_("登记拨付"), note=note)
    activity_record(target=project, by=by, action=_("登记拨付"), note=note)
    notification_send(
        recipients=lead_users(project), event_key=f"disbursement:{disbursement.pk}:recorded",
        title=_("项目“%(number)s”：财政补助已拨付%(amount)s万元")
        % {"number": project.project_number, "amount": format_wan(value)},
        body=note, url=project_url(project))
    return disbursement


# --- the ledger -----------------------------------------------------------------------------------


@dataclass
class Ledger:
    project: Project
    subsidy_planned: Decimal
    tranches: list[Tranche]
    enterprise_planned: Decimal
    arrived: Decimal
    pending: Decimal
    pending_count: int
    disputed: Decimal
    disputed_count: int
    due: SubsidyDue
    disbursed: Decimal
    refund_due: Decimal

    @property
    def subsidy_remaining(self) -> Decimal:
        return max(ZERO, self.project.subsidy - self.disbursed)


def _enterprise_planned(content: dict) -> Decimal:
    total = ZERO
    for line in content.get("budget", []):
        try:
            total += rules_of.money(line.get("enterprise"))
        except ValueError:
            continue
    return total


def ledgers(projects, on: datetime.date | None = None) -> list[Ledger]:
    """The ledger of each project (their task books loaded with them): two queries whatever the number."""
    projects = list(projects)
    on = on or timezone.localdate()
    figures = _figures([p.pk for p in projects])
    rows = []
    for project in projects:
        f = figures[project.pk]
        due = _due(project, f, on)
        rows.append(Ledger(project=project, subsidy_planned=project.subsidy, tranches=due.tranches,
                           enterprise_planned=_enterprise_planned(project.task_book.content), arrived=f.arrived,
                           pending=f.pending, pending_count=f.pending_count, disputed=f.disputed,
                           disputed_count=f.disputed_count, due=due, disbursed=f.disbursed,
                           refund_due=project.refund_due))
    return rows


def ledger(project: Project, on: datetime.date | None = None) -> Ledger:
    """Planned (subsidy, tranches, enterprise funding), arrived, pending or disputed, due now,
    disbursed and refund due, for one project."""
    return ledgers([project], on)[0]
