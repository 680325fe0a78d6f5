import datetime
import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, OuterRef, Prefetch, Q, Subquery, Value, When, prefetch_related_objects
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import OrganisationKind, Role
from accounts.models import Organisation, User
from accounts.validators import normalize_credit_code, validate_credit_code
from bangs.enums import AttachmentCondition, BangListState
from bangs.models import Bang, BangList
from core.calendar import add_working_days
from core.exceptions import DomainError
from core.files import prepare_upload, upload_sha256
from core.money import format_wan
from core.services import activity_record, state_transition
from notifications.keys import KeyStamp
from notifications.services import notification_send, notifications_bulk_send
from notifications.sweeps import organisation_members, pages_by_pk, without_message

from .enums import ACTIVE_STATES, TRANSITIONS, ApplicationState, CostCategory
from .models import (
    MAX_AVOIDED,
    MIN_LEAD_MONTHS,
    SOURCE_FIELDS,
    Application,
    ApplicationVersion,
    Attachment,
    AvoidedExpert,
    BudgetLine,
    Commitment,
    Milestone,
    Partner,
    RecommenderRoute,
    submitted_summary,
)

S = ApplicationState
LABELS = dict(ApplicationState.choices)

DRAFT_FIELDS = [
    "route_label", "route_description", "chief_name", "chief_title", "chief_unit", "lead_name", "lead_title",
    "lead_unit", "lead_phone", "lead_email", "lead_months", "objectives", "route_innovation", "basis", "team",
    "ip_arrangements", "risks",
]
REQUIRED_FOR_SUBMIT = DRAFT_FIELDS  # every field of the plan is needed to submit


def _require(user: User, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise DomainError(_("您无权执行此操作。"))


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        # The lead's region up to the province: routing reads it (see _route).
        .select_related("bang__bang_list", "lead__region__parent__parent", "recommender")
        .get(pk=application.pk)
    )


# --- who may apply -------------------------------------------------------------------------


def application_start_refusal(*, bang: Bang, user: User, at: datetime.datetime | None = None) -> str | None:
    """Why `user`'s unit may not lead an application on `bang` now, or None if it may."""
    org = user.organisation
    if org is None or not user.has_role(Role.APPLICANT):
        return _("只有揭榜单位的账号可以申报。")
    if org.is_dishonest:
        return _("贵单位已被列入失信名单，不能申报。")
    today = timezone.localdate(at) if at else timezone.localdate()
    bar = org.credit_records.filter(barred_until__gte=today).order_by("-barred_until").first()
    if bar is not None:
        return _("贵单位因%(source)s%(reason)s，%(until)s前不能牵头申报。") % {
            "source": f"{bar.source}：" if bar.source else "", "reason": bar.reason,
            "until": bar.barred_until.isoformat()}
    if bang.issuers.filter(pk=org.pk).exists():
        return _("发榜企业不能揭自己发布的榜。")
    if not bang.bang_list.is_open(at):
        return _("该榜单不在申报时间内（申报截止：%(deadline)s）。") % {
            "deadline": timezone.localtime(bang.bang_list.deadline).strftime("%Y-%m-%d %H:%M:%S")
        }
    existing = Application.objects.filter(bang=bang, lead=org, state__in=ACTIVE_STATES).first()
    if existing is not None:
        return _("贵单位已牵头申报该榜（%(state)s），不能重复牵头。") % {"state": existing.get_state_display()}
    return None


@transaction.atomic
def application_start(*, bang: Bang, by: User) -> Application:
    """Open a draft on `bang` for the user's unit, with the bang's indicators prefilled."""
    # Lock the bang so two first clicks cannot open two drafts for one unit.
    bang = Bang.objects.select_for_update().select_related("bang_list").get(pk=bang.pk)
    refusal = application_start_refusal(bang=bang, user=by)
    if refusal:
        raise DomainError(refusal)
    application = Application.objects.create(
        bang=bang, lead=by.organisation, created_by=by, lead_name=by.full_name, lead_title=by.title,
        lead_unit=by.organisation.name, lead_phone=by.mobile, lead_email=by.email,
        chief_unit=by.organisation.name,
    )
    Commitment.objects.bulk_create(
        Commitment(application=application, indicator=i, value=i.target) for i in bang.indicators.all()
    )
    BudgetLine.objects.bulk_create(BudgetLine(application=application, category=c) for c in CostCategory)
    activity_record(target=application, by=by, action=_("创建申报草稿"), to_state=S.DRAFT)
    return application


# --- drafts --------------------------------------------------------------------------------


def _resolve_partner(row: dict) -> Organisation:
    """The unit that holds the credit code, as it stands, or a placeholder for a unit not yet registered.

    An existing unit is never renamed or changed from what an applicant typed: a registered unit's
    particulars are its own, and a placeholder keeps what was first typed until the unit claims it
    by registering (accounts.services.organisation_register).
    """
    code = normalize_credit_code(row["credit_code"])
    try:
        validate_credit_code(code)
    except ValidationError as error:
        raise ValidationError({"partners": [f"{code}：{m}" for m in error.messages]}) from error
    org = Organisation.objects.filter(credit_code=code).first()
    if org is not None and not org.is_placeholder:
        return org
    if not row.get("name") or (org is None and not row.get("region")):
        raise ValidationError({"partners": _("%(code)s 尚未在平台注册，请填写单位名称、类型和所在地区。") % {"code": code}})
    if org is not None:
        return org  # another applicant's placeholder: its typed name stays on that applicant's row
    return Organisation.objects.create(
        credit_code=code, name=row["name"], kind=row.get("kind") or OrganisationKind.OTHER, region=row["region"],
        is_placeholder=True,
    )


@transaction.atomic
def application_save_draft(
    *,
    application: Application,
    data: dict,
    partners: Sequence[dict] | None = None,
    milestones: Sequence[dict] | None = None,
    budget: dict[str, dict] | None = None,
    commitments: dict[int, str] | None = None,
    avoided: Sequence[dict] | None = None,
    by: User,
) -> Application:
    """Save whatever was typed. Only types, the list's partner limit and the avoid list's rules are
    checked here. A part passed as None is left as it is."""
    application = _locked(application)
    _require(by, "applications.own_application", application)
    # Checked here, on the locked row and the clock of this transaction: the edit form is not the guard.
    if refusal := application.content_refusal(timezone.now()):
        raise DomainError(refusal)
    values = {k: (v.replace("\r\n", "\n").strip() if isinstance(v, str) else v) for k, v in data.items()
              if k in DRAFT_FIELDS}
    changed = [k for k, v in values.items() if getattr(application, k) != v]
    for name in changed:
        setattr(application, name, values[name])
    application.save(update_fields=[*changed, "updated_at"])
    if partners is not None:
        limit = application.bang.bang_list.max_partners
        if len(partners) > limit:
            raise ValidationError({"partners": _("联合体成员单位不能超过%(n)d家。") % {"n": limit}})
        orgs = [_resolve_partner(row) for row in partners]
        if application.lead_id in {o.pk for o in orgs}:
            raise ValidationError({"partners": _("牵头单位不能同时作为成员单位。")})
        if len({o.pk for o in orgs}) != len(orgs):
            raise ValidationError({"partners": _("同一单位不能重复添加。")})
        application.partners.all().delete()
        Partner.objects.bulk_create(
            Partner(application=application, organisation=org, role=row["role"], work_share=row["work_share"], order=i,
                    **({"typed_name": (row.get("name") or "").strip(), "typed_kind": row.get("kind") or "",
                        "typed_region": row.get("region") or org.region} if org.is_placeholder else {}))
            for i, (org, row) in enumerate(zip(orgs, partners, strict=True))
        )
    if milestones is not None:
        application.milestones.all().delete()
        Milestone.objects.bulk_create(Milestone(application=application, order=i, **row) for i, row in enumerate(milestones))
    if budget is not None:
        for line in application.budget_lines.all():
            row = budget.get(line.category)
            if row is None:
                continue
            for source in SOURCE_FIELDS:
                setattr(line, source, row.get(source) or Decimal("0"))
            line.save(update_fields=SOURCE_FIELDS)
    if commitments is not None:
        for commitment in application.commitments.all():
            if commitment.indicator_id in commitments:
                commitment.value = (commitments[commitment.indicator_id] or "").strip()
                commitment.save(update_fields=["value"])
    if avoided is not None:
        rows = _clean_avoided(avoided)
        application.avoided_experts.all().delete()
        AvoidedExpert.objects.bulk_create(AvoidedExpert(application=application, order=i, **row)
                                          for i, row in enumerate(rows))
    return application


_AVOID_LIMITS = {"name": 64, "unit": 200, "reason": 300}


def _clean_avoided(avoided: Sequence[dict]) -> list[dict]:
    """The avoid list's rows, checked here and not only by the form: blank rows dropped, name, unit
    and reason all given, at most MAX_AVOIDED, the same expert (name and unit) once."""
    rows = []
    for row in avoided:
        cleaned = {key: " ".join(str(row.get(key) or "").split()) for key in _AVOID_LIMITS}
        if not any(cleaned.values()):
            continue
        if not all(cleaned.values()):
            raise ValidationError({"avoided": _("申请回避的专家须填写姓名、工作单位和回避理由。")})
        for key, limit in _AVOID_LIMITS.items():
            if len(cleaned[key]) > limit:
                raise ValidationError({"avoided": _("申请回避的专家信息过长（%(key)s不超过%(n)d字）。") % {
                    "key": str(AvoidedExpert._meta.get_field(key).verbose_name), "n": limit}})
        rows.append(cleaned)
    if len(rows) > MAX_AVOIDED:
        raise ValidationError({"avoided": _("申请回避的专家不能超过%(n)d名。") % {"n": MAX_AVOIDED}})
    if len({(r["name"].casefold(), r["unit"].casefold()) for r in rows}) != len(rows):
        raise ValidationError({"avoided": _("同一专家（姓名和工作单位相同）不能重复填写。")})
    return rows


@transaction.atomic
def application_attachment_add(*, application: Application, item_id: int, upload, by: User) -> Attachment:
    """Store an upload for one checklist item, checked by content; the previous file is kept, superseded."""
    application = _locked(application)
    _require(by, "applications.own_application", application)
    if refusal := application.content_refusal(timezone.now()):
        raise DomainError(refusal)
    item = application.bang.bang_list.checklist.filter(pk=item_id).first()
    if item is None:
        raise DomainError(_("该材料不在本榜单的申报材料清单中。"))
    original, _ext = prepare_upload(upload)
    digest = upload_sha256(upload)
    application.attachments.filter(item=item, superseded=False).update(superseded=True)
    attachment = Attachment.objects.create(
        application=application, item=item, file=upload, original_name=original, size=upload.size,
        sha256=digest, uploaded_by=by,
    )
    activity_record(target=application, by=by, action=_("上传附件"), note=f"{item.title}：{original}")
    return attachment


def required_checklist(application: Application):
    """The list's checklist with its conditions applied to this application."""
    consortium = bool(application.partners.all())  # from the prefetch when the caller made one
    enterprise_lead = application.lead.kind == OrganisationKind.ENTERPRISE
    items = []
    for item in application.bang.bang_list.checklist.all():
        if item.condition == AttachmentCondition.CONSORTIUM and not consortium:
            continue
        if item.condition == AttachmentCondition.ENTERPRISE_LEAD and not enterprise_lead:
            continue
        items.append(item)
    return items


def budget_totals(application: Application) -> dict:
    lines = list(application.budget_lines.all())
    by_source = {s: sum((getattr(line, s) for line in lines), Decimal("0")) for s in SOURCE_FIELDS}
    return {"by_source": by_source, "total": sum(by_source.values(), Decimal("0")), "lines": lines}


# --- submission ----------------------------------------------------------------------------


def _with_content(application: Application) -> Application:
    """Load what the submission checks and the snapshot read, once each (they used to load the
    partners, budget, commitments and attachments twice)."""
    prefetch_related_objects(
        [application],
        Prefetch("partners", queryset=Partner.objects.select_related("organisation__region", "typed_region")),
        "milestones", "budget_lines",
        Prefetch("commitments", queryset=Commitment.objects.select_related("indicator")),
        "avoided_experts",
        Prefetch("attachments", queryset=Attachment.objects.filter(superseded=False).select_related("item"),
                 to_attr="current_attachments"),
        "bang__bang_list__checklist",
    )
    return application


def _current_attachments(application: Application):
    if hasattr(application, "current_attachments"):
        return application.current_attachments
    return application.attachments.filter(superseded=False).select_related("item")


def application_submission_errors(application: Application) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name in REQUIRED_FOR_SUBMIT:
        if getattr(application, name) in (None, ""):
            add(name, _("此项为必填项。"))
    if application.lead_months is not None and application.lead_months < MIN_LEAD_MONTHS:
        add("lead_months", _("项目负责人每年用于项目的工作时间不少于%(n)d个月。") % {"n": MIN_LEAD_MONTHS})
    bang_list = application.bang.bang_list
    partners = list(application.partners.all())
    if len(partners) > bang_list.max_partners:
        add("partners", _("联合体成员单位不能超过%(n)d家。") % {"n": bang_list.max_partners})
    for partner in partners:
        if partner.organisation.is_dishonest:
            add("partners", _("成员单位“%(name)s”已被列入失信名单。") % {"name": partner.organisation.name})
    if not application.milestones.all():
        add("milestones", _("请填写进度安排。"))
    totals = budget_totals(application)
    if totals["total"] <= 0:
        add("budget", _("请填写经费预算。"))
    cap = application.bang.subsidy_cap
    if cap is not None and totals["by_source"]["subsidy"] > cap:
        add("budget", _("申请财政补助%(asked)s万元，超过本榜补助上限%(cap)s万元。")
            % {"asked": format_wan(totals["by_source"]["subsidy"]), "cap": format_wan(cap)})
    for commitment in application.commitments.all():
        if not commitment.value:
            add("commitments", _("请填写指标“%(name)s”的承诺值。") % {"name": commitment.indicator.name})
    present = {a.item_id for a in _current_attachments(application)}
    for item in required_checklist(application):
        if item.required and item.pk not in present:
            add("attachments", _("缺少必须提交的材料：%(title)s。") % {"title": item.title})
    return errors


def application_snapshot(application: Application) -> dict:
    """Everything that was submitted, in a form that can be shown and hashed later."""
    totals = budget_totals(application)
    return {
        "bang": {"id": application.bang_id, "number": application.bang.number, "title": application.bang.title,
                 "list": application.bang.bang_list.title},
        "lead": application.lead.snapshot(),
        "fields": {name: getattr(application, name) for name in DRAFT_FIELDS},
        "partners": [
            {"name": p.shown_name, "credit_code": p.organisation.credit_code, "role": p.role,
             "work_share": str(p.work_share), "in_region": p.shown_region.in_region,
             "is_placeholder": p.organisation.is_placeholder}
            for p in application.partners.all()
        ],
        "milestones": [
            {"due_date": m.due_date.isoformat(), "deliverable": m.deliverable, "indicator": m.indicator}
            for m in application.milestones.all()
        ],
        "budget": {
            "lines": [{"category": line.category, **{s: str(getattr(line, s)) for s in SOURCE_FIELDS}}
                      for line in totals["lines"]],
            "by_source": {s: str(v) for s, v in totals["by_source"].items()},
            "total": str(totals["total"]),
        },
        "commitments": [
            {"indicator": c.indicator.name, "target": c.indicator.target, "unit": c.indicator.unit, "value": c.value,
             "weaker": c.is_weaker}
            for c in application.commitments.all()
        ],
        "attachments": [
            {"id": a.pk, "item": a.item.title, "name": a.original_name, "sha256": a.sha256, "size": a.size}
            for a in _current_attachments(application)
        ],
        # 申请回避: shown to the lead and those who pre-check it, never to experts (see _snapshot.html).
        "avoid": [{"name": a.name, "unit": a.unit, "reason": a.reason} for a in application.avoided_experts.all()],
    }


def _route(application: Application) -> Organisation | None:
    """The recommender for the lead's 盟市 (or province); None sends it to the organiser's staff."""
    region = application.lead.region
    candidates = [region.pk]
    if region.parent_id:
        candidates.append(region.parent_id)
        if region.parent.parent_id:
            candidates.append(region.parent.parent_id)
    routes = {r.region_id: r.recommender for r in RecommenderRoute.objects.filter(region_id__in=candidates)
              .select_related("recommender")}
    for region_id in candidates:
        if region_id in routes:
            return routes[region_id]
    return None


def application_submit(*, application: Application, by: User, expected_versions: int | None = None) -> ApplicationVersion:
    """Submit (or resubmit) the application: a new kept version, routed for preliminary review.

    The deadline is checked here, in the transaction that changes the state, from the stored
    timestamp: whether or not any scheduled job ran. `expected_versions` is the number of versions
    the user saw on the confirmation page; a second click or a second tab finds one more and is
    answered "already submitted" instead of making another version.
    """
    with transaction.atomic():
        application = _locked(application)
        _require(by, "applications.own_application", application)
        versions = application.versions.count()
        if expected_versions is not None and versions != expected_versions:
            raise DomainError(_("该申报已提交（回执已生成），请勿重复提交。"))
        now = timezone.now()
        bang_list: BangList = application.bang.bang_list
        if application.state == S.RETURNED:
            if application.correction_deadline is None or now.replace(microsecond=0) > application.correction_deadline:
                raise DomainError(_("补正期限已过，不能再提交。"))
        elif bang_list.state != BangListState.PUBLISHED or not bang_list.accepts_at(now):
            raise DomainError(
                _("申报已于%(deadline)s截止，未能提交。") % {
                    "deadline": timezone.localtime(bang_list.deadline).strftime("%Y-%m-%d %H:%M:%S")}
                if now > bang_list.deadline else _("该榜单不在申报时间内。")
            )
        if application.state == S.SUBMITTED and not application.revising:
            raise DomainError(_("该申报已提交（回执已生成），请勿重复提交。如需修改，请先点击“修改申报”。"))
        if application.state not in {S.DRAFT, S.SUBMITTED, S.WITHDRAWN, S.RETURNED}:
            raise DomainError(_("当前状态为“%(state)s”，不能提交。") % {"state": application.get_state_display()})
        lead = application.lead
        if lead.is_dishonest:
            raise DomainError(_("贵单位已被列入失信名单，不能提交。"))
        if application.bang.issuers.filter(pk=lead.pk).exists():
            raise DomainError(_("发榜企业不能揭自己发布的榜。"))
        if Application.objects.filter(bang=application.bang, lead=lead, state__in=ACTIVE_STATES).exclude(
            pk=application.pk
        ).exclude(state=S.DRAFT).exists():
            raise DomainError(_("贵单位已有一份有效的该榜申报，不能重复牵头。"))
        errors = application_submission_errors(_with_content(application))
        if errors:
            raise ValidationError(errors)

        first = not application.number
        if first:
            application.number = f"JB{timezone.localtime(now):%Y}{application.pk:06d}"
        data = application_snapshot(application)
        payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
        version_number = versions + 1
        version = ApplicationVersion.objects.create(
            application=application, number=version_number, receipt=f"{application.number}-{version_number:02d}",
            submitted_at=now, submitted_by=by, data=data, digest=hashlib.sha256(payload.encode()).hexdigest(),
        )
        # From now on these partners, and no longer the previous version's, read the application.
        application.submitted_partners.set([p.organisation_id for p in application.partners.all()])  # prefetched
        recommender = application.recommender if application.state == S.RETURNED else _route(application)
        state_transition(
            obj=application, to=S.SUBMITTED, by=by, table=TRANSITIONS, labels=LABELS,
            action=_("提交申报") if version_number == 1 else _("重新提交（第%(n)d版）") % {"n": version_number},
            note=version.receipt,
            fields={"number": application.number, "submitted_at": now, "submitted_summary": submitted_summary(data),
                    "recommender": recommender, "revising": False},
        )
        notification_send(
            recipients=preliminary_reviewers(application),
            event_key=f"application:{application.pk}:submitted:{version_number}",
            title=_("新的揭榜申报待形式审查：%(lead)s · %(bang)s") % {"lead": lead.name, "bang": application.bang.title},
            url=reverse("applications:detail", args=[application.pk]),
        )
    return version


def preliminary_reviewers(application: Application):
    """Who pre-checks it: the routed recommender's users, else the organiser's staff."""
    if application.recommender_id:
        return User.objects.filter(
            organisation_id=application.recommender_id, is_active=True, role_grants__role=Role.RECOMMENDER
        ).distinct()
    return User.objects.filter(
        organisation_id=application.bang.bang_list.organiser_id, is_active=True, role_grants__role=Role.STAFF
    ).distinct()


def application_withdraw(*, application: Application, by: User) -> Application:
    """The lead takes back a submitted application before the deadline; its versions stay."""
    with transaction.atomic():
        application = _locked(application)
        _require(by, "applications.own_application", application)
        if application.state == S.WITHDRAWN:
            raise DomainError(_("该申报已撤回。"))
        if application.state != S.SUBMITTED:
            raise DomainError(_("当前状态为“%(state)s”，不能撤回。") % {"state": application.get_state_display()})
        if not application.bang.bang_list.accepts_at(timezone.now()):
            raise DomainError(_("申报已截止，不能撤回。"))
        state_transition(obj=application, to=S.WITHDRAWN, by=by, table=TRANSITIONS, labels=LABELS,
                         action=_("撤回申报"), fields={"revising": False})
    return application


def application_revise(*, application: Application, by: User) -> Application:
    """Open a submitted application for changes before the deadline (修改申报).

    Not a state change: the submitted version keeps counting, and stays what reviewers see,
    until the changes are submitted as a new version. Logged.
    """
    with transaction.atomic():
        application = _locked(application)
        _require(by, "applications.own_application", application)
        if application.state != S.SUBMITTED:
            raise DomainError(_("当前状态为“%(state)s”，不能修改申报。") % {"state": application.get_state_display()})
        if application.revising:
            raise DomainError(_("该申报已在修改中。"))
        bang_list = application.bang.bang_list
        if not bang_list.is_open(timezone.now()):
            raise DomainError(_("申报已于%(deadline)s截止，不能再修改。") % {
                "deadline": timezone.localtime(bang_list.deadline).strftime("%Y-%m-%d %H:%M:%S")})
        application.revising = True
        application.save(update_fields=["revising", "updated_at"])
        latest = application.versions.order_by("-number").first()
        activity_record(
            target=application, by=by, action=_("开始修改申报"),
            note=_("已提交的第%(n)d版（%(receipt)s）在重新提交前继续有效。") % {"n": latest.number, "receipt": latest.receipt}
            if latest else "",
        )
    return application


# --- preliminary review (形式审查 / 推荐报送) ----------------------------------------------------


def _decide(*, application: Application, by: User, to: str, action: str, note: str, fields: dict | None = None,
            title: str) -> Application:
    with transaction.atomic():
        application = _locked(application)
        _require(by, "applications.decide_application", application)
        if application.state != S.SUBMITTED:
            raise DomainError(_("当前状态为“%(state)s”，不能进行形式审查。") % {"state": application.get_state_display()})
        recommend_deadline = application.bang.bang_list.recommend_deadline
        if recommend_deadline and timezone.now().replace(microsecond=0) > recommend_deadline:
            raise DomainError(_("推荐截止时间（%(when)s）已过，不能再作形式审查决定。") % {
                "when": timezone.localtime(recommend_deadline).strftime("%Y-%m-%d %H:%M:%S")})
        # The decision is on what was submitted: record which version, whatever is being revised.
        decided = application.versions.order_by("-number").first()
        log = state_transition(
            obj=application, to=to, by=by, table=TRANSITIONS, labels=LABELS, action=action,
            note=f"{note}\n{_('审查版本：')}{decided.receipt}".strip() if decided else note,
            fields={"decided_at": timezone.now(), "decided_version": decided, "revising": False, **(fields or {})},
        )
        notification_send(
            recipients=User.objects.filter(organisation_id=application.lead_id, is_active=True,
                                           role_grants__role=Role.APPLICANT).distinct(),
            event_key=f"application:{application.pk}:{to}:{log.pk}",
            title=title % {"bang": application.bang.title}, body=note,
            url=reverse("applications:detail", args=[application.pk]),
        )
    return application


def application_recommend(*, application: Application, by: User, note: str = "") -> Application:
    return _decide(application=application, by=by, to=S.ELIGIBLE, action=_("形式审查通过，予以推荐"), note=note,
                   title=_("您对“%(bang)s”的申报已通过形式审查并获推荐"))


def application_reject(*, application: Application, by: User, reason: str) -> Application:
    if not reason.strip():
        raise ValidationError({"reason": _("不予推荐须填写理由。")})
    return _decide(application=application, by=by, to=S.INELIGIBLE, action=_("形式审查不通过，不予推荐"),
                   note=reason.strip(), title=_("您对“%(bang)s”的申报未通过形式审查"))


def application_return(*, application: Application, by: User, reason: str) -> tuple[Application, list[str]]:
    """Return for correction with a window of N working days (the list's setting), which may run past
    the list's deadline: only this application may then be resubmitted. Returns calendar warnings."""
    if not reason.strip():
        raise ValidationError({"reason": _("退回补正须写明需补正的内容。")})
    bang_list = application.bang.bang_list
    window = add_working_days(timezone.localdate(), bang_list.correction_days)
    deadline = window.end_of_day()
    note = _("%(reason)s\n补正截止：%(deadline)s") % {
        "reason": reason.strip(), "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M:%S")}
    application = _decide(
        application=application, by=by, to=S.RETURNED, action=_("退回补正"), note=note,
        fields={"correction_deadline": deadline}, title=_("您对“%(bang)s”的申报被退回补正"),
    )
    for warning in window.warnings:
        activity_record(target=application, by=by, action=_("工作日计算提示"), internal_note=warning)
    return application, window.warnings


# --- scheduled -----------------------------------------------------------------------------


def draft_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind units with drafts 3 days and 1 day before the deadline, once each.

    Drafts whose unit's applicants all have this reminder are left out in the query, so a repeat
    run reads nothing; the rest are reminded in bulk, a page at a time.
    """
    now = now or timezone.now()
    sent = 0
    for days in (3, 1):
        horizon = now + datetime.timedelta(days=days)
        drafts = Application.objects.filter(
            state=S.DRAFT, bang__bang_list__state=BangListState.PUBLISHED,
            bang__bang_list__deadline__gt=now, bang__bang_list__deadline__lte=horizon,
        ).annotate(event_key=Concat(
            Value("application:"), Cast("pk", CharField()), Value(f":remind:{days}d:"),
            KeyStamp("bang__bang_list__deadline"), output_field=CharField(),
        ))
        drafts = drafts.filter(Exists(without_message(User.objects.filter(
            organisation_id=OuterRef("lead_id"), role_grants__role=Role.APPLICANT))))
        for page in pages_by_pk(drafts, "pk", "lead_id", "event_key", "bang__title", "bang__bang_list__deadline"):
            members = organisation_members(organisation_ids=[row[1] for row in page], roles=[Role.APPLICANT], active_only=False)
            messages = []
            for pk, lead_id, event_key, bang_title, deadline in page:
                title = _("“%(bang)s”将于%(when)s截止申报，您的申报尚未提交") % {
                    "bang": bang_title, "when": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M:%S")}
                url = reverse("applications:edit", args=[pk])
                messages += [(user_id, event_key, title, "", url) for user_id in members.get((lead_id, Role.APPLICANT), [])]
            sent += notifications_bulk_send(messages=messages)
    return sent


def recommender_notices_send() -> int:
    """Make sure each submission's reviewers were told (the submit path tells them; this catches up).

    The reviewers are the routed recommender's users, else the organiser's staff, as in
    `preliminary_reviewers`; submissions whose reviewers all have the notice are left out in the
    query, so the usual run (everyone told at submission) reads nothing.
    """
    versions = (ApplicationVersion.objects.filter(application=OuterRef("pk")).order_by()
                .values("application").annotate(n=Count("pk")).values("n"))
    pending = Application.objects.filter(state=S.SUBMITTED).annotate(
        reviewer_org=Coalesce("recommender_id", "bang__bang_list__organiser_id"),
        reviewer_role=Case(When(recommender_id__isnull=False, then=Value(Role.RECOMMENDER)), default=Value(Role.STAFF),
                           output_field=CharField()),
        event_key=Concat(Value("application:"), Cast("pk", CharField()), Value(":submitted:"),
                         Cast(Coalesce(Subquery(versions), 0), CharField()), output_field=CharField()),
    )
    pending = pending.filter(Exists(without_message(User.objects.filter(
        organisation_id=OuterRef("reviewer_org"), is_active=True, role_grants__role=OuterRef("reviewer_role")))))
    sent = 0
    for page in pages_by_pk(pending, "pk", "reviewer_org", "reviewer_role", "event_key", "lead__name", "bang__title"):
        members = organisation_members(organisation_ids=[row[1] for row in page], roles=[Role.RECOMMENDER, Role.STAFF],
                           active_only=True)
        messages = []
        for pk, reviewer_org, reviewer_role, event_key, lead_name, bang_title in page:
            title = _("新的揭榜申报待形式审查：%(lead)s · %(bang)s") % {"lead": lead_name, "bang": bang_title}
            url = reverse("applications:detail", args=[pk])
            messages += [(user_id, event_key, title, "", url) for user_id in members.get((reviewer_org, reviewer_role), [])]
        sent += notifications_bulk_send(messages=messages)
    return sent


def deadline_summaries_send(*, now: datetime.datetime | None = None) -> int:
    """When a list's deadline passes, send its organiser's staff a summary of what came in.

    Lists whose staff all have the summary are left out in the query; the counts per bang come
    from one grouped query per page of lists.
    """
    now = now or timezone.now()
    lists = BangList.objects.filter(
        state=BangListState.PUBLISHED, deadline__lt=now, deadline__gt=now - datetime.timedelta(days=30)
    ).annotate(event_key=Concat(Value("banglist:"), Cast("pk", CharField()), Value(":summary:"),
                                KeyStamp("deadline"), output_field=CharField()))
    lists = lists.filter(Exists(without_message(User.objects.filter(
        organisation_id=OuterRef("organiser_id"), role_grants__role=Role.STAFF))))
    sent = 0
    for page in pages_by_pk(lists, "pk", "organiser_id", "event_key", "title"):
        counted = ~Q(applications__state__in=[S.DRAFT, S.WITHDRAWN]) & Q(applications__isnull=False)
        bangs = (Bang.objects.filter(bang_list_id__in=[row[0] for row in page])
                 .annotate(n=Count("applications", filter=counted))
                 .order_by("bang_list_id", "number").values_list("bang_list_id", "number", "title", "n"))
        lines: dict[int, list[str]] = {}
        totals: dict[int, int] = {}
        for bang_list_id, number, bang_title, n in bangs:
            lines.setdefault(bang_list_id, []).append(f"{number}. {bang_title}：{n}")
            totals[bang_list_id] = totals.get(bang_list_id, 0) + n
        members = organisation_members(organisation_ids=[row[1] for row in page], roles=[Role.STAFF], active_only=False)
        messages = []
        for pk, organiser_id, event_key, list_title in page:
            title = _("“%(title)s”申报已截止：共收到%(n)d份申报") % {"title": list_title, "n": totals.get(pk, 0)}
            body = "\n".join(lines.get(pk, []))
            url = reverse("applications:list_summary", args=[pk])
            messages += [(user_id, event_key, title, body, url) for user_id in members.get((organiser_id, Role.STAFF), [])]
        sent += notifications_bulk_send(messages=messages)
    return sent


@transaction.atomic
def recommender_route_set(*, region, recommender: Organisation, by: User) -> RecommenderRoute:
    """Send applications from units of `region` (a 盟市 or province) to `recommender` from now on."""
    route, created = RecommenderRoute.objects.update_or_create(region=region, defaults={"recommender": recommender})
    activity_record(target=route, by=by, action=_("设置推荐单位"), note=f"{region} → {recommender}")
    return route
