from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from accounts.selectors import staff_users
from core.exceptions import DomainError
from core.models import ActivityLog
from core.money import format_wan
from core.services import activity_record, state_transition
from notifications.services import notification_send

from .enums import TRANSITIONS, CooperationMode, DemandState
from .models import TEXT_LIMITS, CollectionRound, Demand

DRAFT_FIELDS = [
    "round", "field", "field_other", "contact_name", "contact_title", "contact_mobile", "contact_email",
    "name", "cooperation_mode", "cooperation_other", "background", "content", "basis",
    "solver_requirements", "ip_terms", "field_test", "period_months", "total_investment",
]

REQUIRED_FOR_SUBMIT = [
    "round", "field", "contact_name", "contact_title", "contact_mobile", "contact_email", "name",
    "cooperation_mode", "background", "content", "basis", "solver_requirements", "ip_terms", "field_test",
    "period_months", "total_investment",
]

UNIT_FIELDS_FOR_SUBMIT = [
    "address", "postcode", "legal_rep", "legal_rep_phone", "economic_nature", "staff_size", "last_year_output",
]


def _locked(demand: Demand) -> Demand:
    return (
        Demand.objects.select_for_update(of=("self",))
        .select_related("field__department", "round", "organisation__region__parent")
        .get(pk=demand.pk)
    )


def _require(user: User, perm: str, demand: Demand | None = None) -> None:
    if not user.has_perm(perm, demand):
        raise DomainError(_("您无权执行此操作。"))


def normalize_text(value: str) -> str:
    """Browsers send line breaks as CRLF; a line break is one character, as in the counter."""
    return (value or "").replace("\r\n", "\n").strip()


@transaction.atomic
def demand_save_draft(*, demand: Demand | None, data: dict, by: User) -> Demand:
    """Create or update a demand draft. Incomplete data is fine; nothing is validated but types."""
    values = {name: data.get(name) for name in DRAFT_FIELDS if name in data}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = normalize_text(value)
    if demand is None or demand.pk is None:
        _require(by, "demands.add_demand")
        if values.get("round") is None:
            raise ValidationError({"round": _("请选择征集批次。")})
        demand = Demand.objects.create(organisation=by.organisation, created_by=by, **values)
        activity_record(target=demand, by=by, action=_("创建草稿"), to_state=DemandState.DRAFT)
        return demand
    demand = _locked(demand)
    _require(by, "demands.own_demand", demand)
    if not demand.is_editable:
        raise DomainError(_("当前状态为“%(state)s”，不能修改。") % {"state": demand.get_state_display()})
    changed = [name for name, value in values.items() if getattr(demand, name) != value]
    for name in changed:
        setattr(demand, name, values[name])
    if changed:
        demand.save(update_fields=[*changed, "updated_at"])
    return demand


def demand_submission_errors(demand: Demand, *, at=None) -> dict[str, list[str]]:
    """Everything that stops `demand` from being submitted, by form field ('__all__' for the rest)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name in REQUIRED_FOR_SUBMIT:
        value = getattr(demand, f"{name}_id" if name in {"round", "field"} else name)
        if value in (None, ""):
            add(name, _("此项为必填项。"))
    if demand.cooperation_mode == CooperationMode.OTHER and not demand.cooperation_other:
        add("cooperation_other", _("选择“其他”合作方式时请说明。"))
    for name, limit in TEXT_LIMITS.items():
        length = len(normalize_text(getattr(demand, name)))
        if length > limit:
            add(name, _("不能超过%(limit)d字（当前%(length)d字）。") % {"limit": limit, "length": length})
    round_: CollectionRound | None = demand.round if demand.round_id else None
    if round_ is not None:
        if not round_.is_open(at):
            add("round", _("该征集批次当前未开放提交。"))
        if demand.total_investment is not None and demand.total_investment < round_.min_self_investment:
            add(
                "total_investment",
                _("企业拟总投入不得低于%(min)s万元。") % {"min": format_wan(round_.min_self_investment)},
            )
        if demand.period_months is not None and demand.period_months > round_.max_period_months:
            add("period_months", _("实施周期不得超过%(max)d个月。") % {"max": round_.max_period_months})
        if demand.field_id and not round_.fields.filter(pk=demand.field_id).exists():
            add("field", _("该批次不征集此领域的需求。"))
    if demand.period_months == 0:
        add("period_months", _("实施周期至少为1个月。"))
    org = demand.organisation
    missing = [str(org._meta.get_field(name).verbose_name) for name in UNIT_FIELDS_FOR_SUBMIT
               if getattr(org, name) in (None, "")]
    if missing:
        add("__all__", _("请先在“单位信息”中补全：%(fields)s。") % {"fields": "、".join(missing)})
    return errors


def _enterprise_recipients(demand: Demand) -> list[User]:
    members = list(
        User.objects.filter(organisation_id=demand.organisation_id, is_active=True, role_grants__role=Role.ENTERPRISE)
    )
    return members or [demand.created_by]


def _notify_enterprise(demand: Demand, log: ActivityLog, title: str) -> None:
    notification_send(
        recipients=_enterprise_recipients(demand),
        event_key=f"demand:{demand.pk}:{log.to_state}:{log.pk}",
        title=title,
        body=log.note,
        url=reverse("demands:detail", args=[demand.pk]),
    )


def demand_submit(*, demand: Demand, by: User) -> Demand:
    """Submit (or resubmit) a demand for screening.

    Validates every rule of the form and the round on the server, snapshots the unit's
    particulars, logs the change and tells the responsible department's staff.
    Raises ValidationError (by field) or DomainError.
    """
    with transaction.atomic():
        demand = _locked(demand)
        if demand.state == DemandState.SUBMITTED:
            raise DomainError(_("该需求已提交，请勿重复提交。"))
        _require(by, "demands.own_demand", demand)
        now = timezone.now()
        errors = demand_submission_errors(demand, at=now)
        if errors:
            raise ValidationError(errors)
        first_time = demand.submitted_at is None
        log = state_transition(
            obj=demand, to=DemandState.SUBMITTED, by=by, table=TRANSITIONS,
            action=_("提交") if first_time else _("重新提交"), labels=dict(DemandState.choices),
            fields={"submitted_at": now, "enterprise_snapshot": demand.organisation.snapshot()},
        )
        department = demand.field.department
        notification_send(
            recipients=staff_users(department=department),
            event_key=f"demand:{demand.pk}:submitted:{log.pk}",
            title=_("新的项目需求待审核：%(name)s") % {"name": demand.name},
            body=_("%(unit)s 提交了项目需求，请在%(dept)s审核队列中处理。")
            % {"unit": demand.organisation.name, "dept": department.name},
            url=reverse("demands:detail", args=[demand.pk]),
        )
    return demand


def demand_withdraw(*, demand: Demand, by: User, reason: str = "") -> Demand:
    """The enterprise takes back a submitted demand before staff screen it."""
    with transaction.atomic():
        demand = _locked(demand)
        if demand.state == DemandState.WITHDRAWN:
            raise DomainError(_("该需求已撤回。"))
        _require(by, "demands.own_demand", demand)
        state_transition(
            obj=demand, to=DemandState.WITHDRAWN, by=by, table=TRANSITIONS, action=_("撤回"),
            note=normalize_text(reason), labels=dict(DemandState.choices),
        )
    return demand


def _screen(*, demand: Demand, by: User, to: str, action: str, note: str, internal_note: str, title: str) -> Demand:
    with transaction.atomic():
        demand = _locked(demand)
        if demand.state == to:
            raise DomainError(_("该需求已处理（%(state)s），无需重复操作。") % {"state": demand.get_state_display()})
        _require(by, "demands.decide_demand", demand)
        log = state_transition(
            obj=demand, to=to, by=by, table=TRANSITIONS, action=action, note=normalize_text(note),
            internal_note=normalize_text(internal_note), fields={"decided_at": timezone.now()},
            labels=dict(DemandState.choices),
        )
        _notify_enterprise(demand, log, title % {"name": demand.name})
    return demand


def demand_accept(*, demand: Demand, by: User, note: str = "", internal_note: str = "") -> Demand:
    """Accept a submitted demand into the demand pool (需求库) and tell the enterprise."""
    return _screen(
        demand=demand, by=by, to=DemandState.ACCEPTED, action=_("审核通过，入库"), note=note,
        internal_note=internal_note, title=_("您的项目需求“%(name)s”已通过审核，进入需求库"),
    )


def demand_return(*, demand: Demand, by: User, reason: str, internal_note: str = "") -> Demand:
    """Return a demand for revision; the enterprise sees the reason."""
    if not normalize_text(reason):
        raise ValidationError({"reason": _("退回修改须填写原因。")})
    return _screen(
        demand=demand, by=by, to=DemandState.RETURNED, action=_("退回修改"), note=reason,
        internal_note=internal_note, title=_("您的项目需求“%(name)s”被退回修改"),
    )


def demand_reject(*, demand: Demand, by: User, reason: str, internal_note: str = "") -> Demand:
    if not normalize_text(reason):
        raise ValidationError({"reason": _("不予通过须填写原因。")})
    return _screen(
        demand=demand, by=by, to=DemandState.REJECTED, action=_("不予通过"), note=reason,
        internal_note=internal_note, title=_("您的项目需求“%(name)s”未通过审核"),
    )


def demand_bulk_accept(*, demands: Iterable[Demand], by: User) -> tuple[list[Demand], list[str]]:
    """Accept several demands; each in its own transaction, so one refusal stops no other."""
    accepted, errors = [], []
    for demand in demands:
        try:
            accepted.append(demand_accept(demand=demand, by=by))
        except DomainError as error:
            errors.append(f"{demand.name}：{error.message}")
    return accepted, errors



def _save_with_log(*, instance, data: dict, by: User, m2m: dict | None = None):
    """Create or update a reference object (round, field) and record who did it."""
    created = instance.pk is None
    if not created:
        instance = type(instance).objects.select_for_update().get(pk=instance.pk)
    changed = [name for name, value in data.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, data[name])
    instance.save() if created else (changed and instance.save(update_fields=changed))
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    activity_record(
        target=instance, by=by, action=_("新建") if created else _("修改"), note=", ".join(changed)
    )
    return instance


@transaction.atomic
def round_save(*, round_: CollectionRound, data: dict, by: User) -> CollectionRound:
    fields = data.pop("fields", None)
    return _save_with_log(instance=round_, data=data, by=by, m2m={"fields": fields} if fields is not None else None)


@transaction.atomic
def tech_field_save(*, field, data: dict, by: User):
    return _save_with_log(instance=field, data=data, by=by)


def demand_mark_listed(*, demand: Demand, by: User, note: str = "") -> Demand:
    """An accepted demand has been published as (part of) a bang. Called when a list is published."""
    with transaction.atomic():
        demand = _locked(demand)
        if demand.state == DemandState.LISTED:
            return demand
        log = state_transition(
            obj=demand, to=DemandState.LISTED, by=by, table=TRANSITIONS, action=_("发榜"), note=note,
            labels=dict(DemandState.choices),
        )
        _notify_enterprise(demand, log, _("您的项目需求“%(name)s”已发榜") % {"name": demand.name})
    return demand
