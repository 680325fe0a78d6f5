import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, Max, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from core.exceptions import DomainError
from core.files import prepare_upload
from core.services import activity_record, state_transition
from demands.enums import DemandState
from demands.models import Demand
from demands.services import demand_mark_listed
from notifications.keys import KeyStamp
from notifications.services import notification_send, notifications_bulk_send
from notifications.sweeps import organisation_members, pages_by_pk, without_message

from .enums import DEFAULT_CHECKLIST, DEFAULT_CONDITIONS, DEFAULT_PROCESS, LIST_TRANSITIONS, BangListState
from .models import Amendment, Bang, BangList, ChecklistItem, DemandOpinion, Indicator, ListFile

LIST_FIELDS = [
    "title", "preamble", "conditions", "process", "opens_at", "deadline", "recommend_deadline",
    "max_partners", "notice_days", "correction_days", "is_targeted",
]
BANG_FIELDS = [
    "title", "kind", "field", "background", "objectives", "field_test", "period_months", "total_investment",
    "subsidy_override", "override_reason", "override_approver", "solver_requirements", "ip_terms", "max_teams",
    "contact_name", "contact_department", "contact_phone",
]


def _require(user: User, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise DomainError(_("您无权执行此操作。"))


def _lock(bang_list: BangList) -> BangList:
    return BangList.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=bang_list.pk)


def _organiser_staff(bang_list: BangList):
    return User.objects.filter(
        organisation_id=bang_list.organiser_id, is_active=True, role_grants__role=Role.STAFF
    ).distinct()


# --- expert screening of pooled demands ----------------------------------------------------


@transaction.atomic
def demand_experts_assign(*, demand: Demand, experts: Iterable[User], by: User) -> list[DemandOpinion]:
    """Ask experts for their screening opinion on an accepted demand; each is told once."""
    demand = Demand.objects.select_related("field__department").get(pk=demand.pk)
    _require(by, "bangs.assign_experts", demand)
    if demand.state not in {DemandState.ACCEPTED, DemandState.LISTED}:
        raise DomainError(_("只能为已入库的需求指派专家。"))
    created = []
    for expert in experts:
        if not expert.has_role(Role.EXPERT):
            raise DomainError(_("%(name)s 不是专家账号。") % {"name": expert.display_name})
        if expert.organisation_id and expert.organisation_id == demand.organisation_id:
            raise DomainError(_("%(name)s 与发榜企业同属一个单位，应当回避。") % {"name": expert.display_name})
        opinion, was_created = DemandOpinion.objects.get_or_create(
            demand=demand, expert=expert, defaults={"assigned_by": by}
        )
        if not was_created:
            continue
        created.append(opinion)
        activity_record(target=demand, by=by, action=_("指派筛选专家"), internal_note=expert.display_name)
        notification_send(
            recipients=[expert],
            event_key=f"opinion:{opinion.pk}:assigned",
            title=_("请对项目需求“%(name)s”提出筛选意见") % {"name": demand.name},
            url=reverse("bangs:opinion", args=[opinion.pk]),
        )
    return created


@transaction.atomic
def demand_opinion_submit(*, opinion: DemandOpinion, recommend: bool, comments: str, by: User) -> DemandOpinion:
    opinion = DemandOpinion.objects.select_for_update().get(pk=opinion.pk)
    _require(by, "bangs.give_opinion", opinion)
    if opinion.submitted_at is not None:
        raise DomainError(_("您已提交过意见，不能修改。"))
    if not comments.strip():
        raise ValidationError({"comments": _("请填写意见。")})
    opinion.recommend = recommend
    opinion.comments = comments.strip()
    opinion.submitted_at = timezone.now()
    opinion.save(update_fields=["recommend", "comments", "submitted_at"])
    activity_record(
        target=opinion.demand, by=by, action=_("提交筛选意见"),
        internal_note=(_("推荐") if recommend else _("不推荐")) + "：" + opinion.comments,
    )
    return opinion


# --- lists ---------------------------------------------------------------------------------


@transaction.atomic
def bang_list_create(*, data: dict, invited: Iterable = (), by: User) -> BangList:
    """A new draft list of the user's organiser, with the default announcement and checklist."""
    _require(by, "bangs.add_banglist")
    values = {name: data[name] for name in LIST_FIELDS if name in data}
    values.setdefault("conditions", list(DEFAULT_CONDITIONS))
    values.setdefault("process", DEFAULT_PROCESS)
    bang_list = BangList.objects.create(organiser=by.organisation, created_by=by, **values)
    bang_list.invited.set(invited)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(bang_list=bang_list, kind=kind, title=str(kind.label), required=required, condition=condition,
                      order=i)
        for i, (kind, required, condition) in enumerate(DEFAULT_CHECKLIST)
    )
    activity_record(target=bang_list, by=by, action=_("新建榜单"), to_state=BangListState.DRAFT)
    return bang_list


def _require_draft(bang_list: BangList, by: User) -> None:
    _require(by, "bangs.manage_banglist", bang_list)
    if bang_list.state != BangListState.DRAFT:
        raise DomainError(_("榜单已发布，不能直接修改；请发布更正/补充通知。"))


@transaction.atomic
def bang_list_update(*, bang_list: BangList, data: dict, invited: Iterable | None = None, by: User) -> BangList:
    bang_list = _lock(bang_list)
    _require_draft(bang_list, by)
    changed = [n for n in LIST_FIELDS if n in data and getattr(bang_list, n) != data[n]]
    for name in changed:
        setattr(bang_list, name, data[name])
    if changed:
        bang_list.save(update_fields=[*changed, "updated_at"])
    if invited is not None:
        bang_list.invited.set(invited)
    return bang_list


@transaction.atomic
def bang_list_set_rows(*, bang_list: BangList, model, rows: Sequence[dict], by: User) -> None:
    """Replace a draft list's checklist or contacts with `rows` (in order)."""
    bang_list = _lock(bang_list)
    _require_draft(bang_list, by)
    model.objects.filter(bang_list=bang_list).delete()
    model.objects.bulk_create(model(bang_list=bang_list, order=i, **row) for i, row in enumerate(rows))


@transaction.atomic
def bang_list_file_add(*, bang_list: BangList, upload, title: str, by: User) -> ListFile:
    _require(by, "bangs.manage_banglist", bang_list)
    original, _ext = prepare_upload(upload)
    attached = ListFile.objects.create(
        bang_list=bang_list, title=title or original, file=upload, original_name=original, uploaded_by=by
    )
    activity_record(target=bang_list, by=by, action=_("上传附件"), note=attached.title)
    return attached


def bang_list_publication_errors(bang_list: BangList, *, at: datetime.datetime | None = None) -> list[str]:
    """What keeps a list from being published; an empty list means it is complete."""
    at = at or timezone.now()
    errors = []
    bangs = list(bang_list.bangs.prefetch_related("indicators", "issuers"))
    if not bangs:
        errors.append(_("榜单中还没有技术榜。"))
    for bang in bangs:
        if not bang.indicators.all():
            errors.append(_("第%(n)d榜“%(title)s”缺少考核指标。") % {"n": bang.number, "title": bang.title})
        if not bang.has_contact and not bang_list.contacts.exists():
            errors.append(_("第%(n)d榜“%(title)s”缺少联系人。") % {"n": bang.number, "title": bang.title})
        if not bang.issuers.all():
            errors.append(_("第%(n)d榜“%(title)s”缺少发榜企业。") % {"n": bang.number, "title": bang.title})
    if bang_list.deadline <= at:
        errors.append(_("申报截止时间必须晚于当前时间。"))
    if bang_list.opens_at >= bang_list.deadline:
        errors.append(_("申报开始时间必须早于截止时间。"))
    if bang_list.recommend_deadline and bang_list.recommend_deadline < bang_list.deadline:
        errors.append(_("推荐截止时间不能早于申报截止时间。"))
    if bang_list.is_targeted and not bang_list.invited.exists():
        errors.append(_("定向发榜须至少邀请一个单位。"))
    return errors


def bang_list_publish(*, bang_list: BangList, by: User, published_at: datetime.datetime | None = None) -> BangList:
    """Publish a complete draft list: its source demands become "listed", issuers and invitees are told.

    `published_at` records a list that was published earlier outside the portal (imports, demo data);
    completeness is then judged as of that moment.
    """
    with transaction.atomic():
        bang_list = _lock(bang_list)
        if bang_list.state == BangListState.PUBLISHED:
            raise DomainError(_("榜单已发布。"))
        _require(by, "bangs.manage_banglist", bang_list)
        now = published_at or timezone.now()
        errors = bang_list_publication_errors(bang_list, at=now)
        if errors:
            raise ValidationError(errors)
        state_transition(
            obj=bang_list, to=BangListState.PUBLISHED, by=by, table=LIST_TRANSITIONS, action=_("发布榜单"),
            fields={"published_at": now}, labels=dict(BangListState.choices),
        )
        url = reverse("bangs:list_detail", args=[bang_list.pk])
        for bang in bang_list.bangs.prefetch_related("demands", "issuers"):
            for demand in bang.demands.all():
                demand_mark_listed(demand=demand, by=by, note=_("已凝练为技术榜“%(title)s”") % {"title": bang.title})
            notification_send(
                recipients=User.objects.filter(organisation__in=bang.issuers.all(), role_grants__role=Role.ENTERPRISE),
                event_key=f"bang:{bang.pk}:published",
                title=_("您参与出题的技术榜“%(title)s”已发布") % {"title": bang.title},
                url=reverse("bangs:bang_detail", args=[bang.pk]),
            )
        if bang_list.is_targeted:
            notification_send(
                recipients=User.objects.filter(organisation__in=bang_list.invited.all(), is_active=True),
                event_key=f"banglist:{bang_list.pk}:invited",
                title=_("定向邀请：%(title)s") % {"title": bang_list.title},
                url=url,
            )
    return bang_list


def bang_list_withdraw(*, bang_list: BangList, reason: str, by: User) -> BangList:
    if not reason.strip():
        raise ValidationError({"reason": _("撤回榜单须填写原因。")})
    with transaction.atomic():
        bang_list = _lock(bang_list)
        if bang_list.state == BangListState.WITHDRAWN:
            raise DomainError(_("榜单已撤回。"))
        _require(by, "bangs.manage_banglist", bang_list)
        state_transition(
            obj=bang_list, to=BangListState.WITHDRAWN, by=by, table=LIST_TRANSITIONS, action=_("撤回榜单"),
            note=reason.strip(), labels=dict(BangListState.choices),
        )
    return bang_list


def bang_list_amend(
    *, bang_list: BangList, title: str, body: str, new_deadline: datetime.datetime | None = None, by: User
) -> Amendment:
    """Publish a dated correction; a later deadline given here extends the list's deadline."""
    with transaction.atomic():
        bang_list = _lock(bang_list)
        _require(by, "bangs.manage_banglist", bang_list)
        if bang_list.state != BangListState.PUBLISHED:
            raise DomainError(_("只能对已发布的榜单发布更正/补充通知。"))
        if not title.strip() or not body.strip():
            raise ValidationError({"body": _("请填写通知标题和内容。")})
        old_deadline = bang_list.deadline
        if new_deadline is not None:
            if new_deadline <= old_deadline:
                raise ValidationError({"new_deadline": _("新的截止时间必须晚于原截止时间。")})
            if new_deadline <= timezone.now():
                raise ValidationError({"new_deadline": _("新的截止时间必须晚于当前时间。")})
            bang_list.deadline = new_deadline
            bang_list.save(update_fields=["deadline", "updated_at"])
        amendment = Amendment.objects.create(
            bang_list=bang_list, title=title.strip(), body=body.strip(), published_by=by,
            old_deadline=old_deadline if new_deadline else None, new_deadline=new_deadline,
        )
        activity_record(target=bang_list, by=by, action=_("发布更正/补充通知"), note=amendment.title)
    return amendment


# --- bangs ---------------------------------------------------------------------------------


def bang_pool(user: User):
    """Accepted demands the user may condense into bangs (not yet in a bang of a live list)."""
    from demands.selectors import demand_list_for_user

    taken = Bang.demands.through.objects.exclude(bang__bang_list__state=BangListState.WITHDRAWN).values("demand_id")
    return (
        demand_list_for_user(user)
        .filter(state=DemandState.ACCEPTED)
        .exclude(pk__in=taken)
    )


@transaction.atomic
def bang_save(
    *, bang_list: BangList, bang: Bang | None, data: dict, demands: Iterable[Demand], issuers: Iterable,
    indicators: Sequence[dict], by: User,
) -> Bang:
    """Create or update a bang of a draft list, with its source demands and indicator table."""
    bang_list = _lock(bang_list)
    _require_draft(bang_list, by)
    demands = list(demands)
    pool = set(bang_pool(by).values_list("pk", flat=True))
    current = set(bang.demands.values_list("pk", flat=True)) if bang and bang.pk else set()
    for demand in demands:
        if demand.pk not in pool and demand.pk not in current:
            raise ValidationError({"demands": _("需求“%(name)s”不在需求库中或已被使用。") % {"name": demand.name}})
    values = {name: data[name] for name in BANG_FIELDS if name in data}
    if values.get("subsidy_override") is not None and not (
        values.get("override_reason", "").strip() and values.get("override_approver", "").strip()
    ):
        raise ValidationError({"override_reason": _("“一事一议”须记录理由和批准人。")})
    if bang is None or bang.pk is None:
        number = (bang_list.bangs.aggregate(n=Max("number"))["n"] or 0) + 1
        bang = Bang.objects.create(bang_list=bang_list, number=number, **values)
        action = _("新增技术榜")
    else:
        bang = Bang.objects.select_for_update().get(pk=bang.pk, bang_list=bang_list)
        for name, value in values.items():
            setattr(bang, name, value)
        bang.save()
        action = _("修改技术榜")
    issuers = list(issuers) or list({d.organisation for d in demands})
    bang.demands.set(demands)
    bang.issuers.set(issuers)
    bang.indicators.all().delete()
    Indicator.objects.bulk_create(Indicator(bang=bang, order=i, **row) for i, row in enumerate(indicators))
    activity_record(target=bang_list, by=by, action=action, note=f"{bang.number}. {bang.title}")
    return bang


# --- scheduled -----------------------------------------------------------------------------


def _staff_sweep(lists, *, key: str, title) -> int:
    """Send each of `lists` (annotated with `event_key`) to its organiser's active staff, in bulk.

    Lists whose staff all have the message are left out in the query, so a repeat run reads
    nothing; the staff of a page of lists are read in one query.
    """
    unsent = without_message(User.objects.filter(
        organisation_id=OuterRef("organiser_id"), is_active=True, role_grants__role=Role.STAFF))
    lists = lists.annotate(event_key=Concat(Value("banglist:"), Cast("pk", CharField()), Value(key),
                                            KeyStamp("deadline", precision="minute"), output_field=CharField()))
    sent = 0
    for page in pages_by_pk(lists.filter(Exists(unsent)), "pk", "organiser_id", "event_key", "title", "deadline"):
        staff = organisation_members(organisation_ids=[row[1] for row in page], roles=[Role.STAFF], active_only=True)
        sent += notifications_bulk_send(messages=[
            (user_id, event_key, title(list_title, deadline), "", reverse("bangs:list_detail", args=[pk]))
            for pk, organiser_id, event_key, list_title, deadline in page
            for user_id in staff.get((organiser_id, Role.STAFF), [])
        ])
    return sent


def deadline_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Tell organiser staff of lists closing within 3 days (once per list, thanks to the event key)."""
    now = now or timezone.now()
    soon = BangList.objects.filter(
        state=BangListState.PUBLISHED, deadline__gt=now, deadline__lte=now + datetime.timedelta(days=3)
    )
    return _staff_sweep(soon, key=":deadline_soon:", title=lambda list_title, deadline: _(
        "榜单“%(title)s”将于%(when)s截止申报"
    ) % {"title": list_title, "when": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")})


def deadline_passed_send(*, now: datetime.datetime | None = None) -> int:
    """Tell organiser staff that a list's deadline has passed (once per deadline)."""
    now = now or timezone.now()
    passed = BangList.objects.filter(
        state=BangListState.PUBLISHED, deadline__lte=now, deadline__gt=now - datetime.timedelta(days=30)
    )
    return _staff_sweep(passed, key=":closed:", title=lambda list_title, deadline: _(
        "榜单“%(title)s”已截止申报") % {"title": list_title})
