"""The expert review of a list (issue 10): every change is one function here, in one transaction,
that locks the row it changes, checks the rule on the server and writes the activity log."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from applications.enums import TRANSITIONS as APPLICATION_TRANSITIONS
from applications.enums import ApplicationState
from applications.models import Application
from bangs.enums import LIST_TRANSITIONS, BangListState
from bangs.models import Bang, BangList, Indicator, subsidy_cap
from core.exceptions import DomainError, TransitionError
from core.services import activity_record, state_transition
from demands.models import TechField
from notifications.services import notification_send

from . import recusal
from .aggregate import weighted_total
from .draw import Candidate, Draw, draw, new_seed, next_from_reserve
from .enums import (
    ASSIGNMENT_TRANSITIONS,
    DECISION_TRANSITIONS,
    LIVE_DECISION_STATES,
    MIN_PANEL_SIZE,
    SCORE_TRANSITIONS,
    SERVING,
    WEAK_SHARE,
    AssignmentState,
    DecisionOutcome,
    DecisionState,
    Recommendation,
    ScoreState,
)
from .models import (
    Assignment,
    Award,
    BangDecision,
    Criterion,
    EnterpriseOpinion,
    PanelDraw,
    ReviewPlan,
    Score,
)

LIST_LABELS = dict(BangListState.choices)
MAX_REVIEW_SPAN = datetime.timedelta(days=366)
ASSIGNMENT_LABELS = dict(AssignmentState.choices)


def _require(user: User, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise DomainError(_("您无权执行此操作。"))


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# --- the plan --------------------------------------------------------------------------------


def validate_rubric(rows: list[dict]) -> list[dict]:
    """Criteria as [{"name", "weight", "max_score"}]: named, distinct, weights summing to 100."""
    rows = [r for r in rows if (r.get("name") or "").strip()]
    if not rows:
        raise ValidationError({"criteria": _("请至少设置一个评分项。")})
    names = [r["name"].strip() for r in rows]
    if len(set(names)) != len(names):
        raise ValidationError({"criteria": _("评分项名称不能重复。")})
    weights = []
    for row in rows:
        try:
            weight = int(row.get("weight"))
            max_score = Decimal(str(row.get("max_score")))
        except (TypeError, ValueError, ArithmeticError):
            raise ValidationError({"criteria": _("“%(name)s”的权重或满分不是有效数字。") % {"name": row["name"]}})
        if weight < 1 or max_score < 1 or max_score > 1000 or max_score != max_score.quantize(Decimal("0.1")):
            raise ValidationError({"criteria": _("“%(name)s”的权重须为正整数，满分须在1至1000之间（最多一位小数）。")
                                   % {"name": row["name"]}})
        weights.append(weight)
    if sum(weights) != 100:
        raise ValidationError({"criteria": _("各评分项权重之和须为100，现为%(sum)d。") % {"sum": sum(weights)}})
    return [{"name": r["name"].strip(), "weight": int(r["weight"]), "max_score": Decimal(str(r["max_score"]))}
            for r in rows]


def _rubric_text(criteria) -> str:
    return "；".join(f"{c['name'] if isinstance(c, dict) else c.name}（权重{c['weight'] if isinstance(c, dict) else c.weight}，"
                    f"满分{c['max_score'] if isinstance(c, dict) else c.max_score}）" for c in criteria)


def review_open_refusal(bang_list: BangList, at: datetime.datetime | None = None) -> str | None:
    """Why the review of `bang_list` cannot be opened now, or None."""
    at = (at or timezone.now()).replace(microsecond=0)
    if ReviewPlan.objects.filter(bang_list=bang_list).exists():
        return _("该榜单的评审已经启动，不能重复启动。")
    if bang_list.state != BangListState.PUBLISHED:
        return _("当前状态为“%(state)s”，不能启动评审。") % {"state": bang_list.get_state_display()}
    closes = bang_list.recommend_deadline or bang_list.deadline
    if at <= closes:
        return _("推荐截止时间（%(when)s）之后才能启动评审。") % {"when": _when(closes)}
    return None


@transaction.atomic
def review_open(*, bang_list: BangList, by: User, plan: dict, criteria: list[dict]) -> ReviewPlan:
    """Open the review of a closed list: the plan, its rubric, and every eligible application enters."""
    bang_list = BangList.objects.select_for_update().get(pk=bang_list.pk)
    _require(by, "reviews.manage_review", bang_list)
    if refusal := review_open_refusal(bang_list):
        raise DomainError(refusal)
    rows = validate_rubric(criteria)
    now = timezone.now()
    deadline = plan.get("deadline")
    if deadline is None or deadline <= now or deadline > now + MAX_REVIEW_SPAN:
        raise ValidationError({"deadline": _("评审截止时间须晚于现在，且在一年以内。")})
    if int(plan.get("panel_size") or 0) < MIN_PANEL_SIZE:
        raise ValidationError({"panel_size": _("评审组至少%(n)d人。") % {"n": MIN_PANEL_SIZE}})
    review_plan = ReviewPlan(bang_list=bang_list, opened_by=by, opened_at=now, **plan)
    review_plan.full_clean(exclude=["bang_list", "opened_by"])
    review_plan.save()
    Criterion.objects.bulk_create(Criterion(plan=review_plan, order=i, **row) for i, row in enumerate(rows))
    state_transition(obj=bang_list, to=BangListState.REVIEWING, by=by, table=LIST_TRANSITIONS,
                     action=_("启动专家评审"), labels=LIST_LABELS,
                     note=_("评审截止：%(when)s；每组%(size)d人；评分标准：%(rubric)s") % {
                         "when": _when(review_plan.deadline), "size": review_plan.panel_size,
                         "rubric": _rubric_text(rows)})
    entering = Application.objects.select_for_update().filter(bang__bang_list=bang_list,
                                                               state=ApplicationState.ELIGIBLE)
    for application in entering:
        state_transition(obj=application, to=ApplicationState.UNDER_REVIEW, by=by, table=APPLICATION_TRANSITIONS,
                         action=_("进入专家评审"), labels=dict(ApplicationState.choices))
    return review_plan


def _lock_plan(plan_or_list) -> ReviewPlan:
    list_id = plan_or_list.bang_list_id if isinstance(plan_or_list, ReviewPlan) else plan_or_list.pk
    return ReviewPlan.objects.select_for_update().select_related("bang_list").get(bang_list_id=list_id)


@transaction.atomic
def rubric_save(*, plan: ReviewPlan, criteria: list[dict], by: User) -> ReviewPlan:
    """Replace the rubric: allowed until the first score is submitted, frozen after."""
    plan = _lock_plan(plan)
    _require(by, "reviews.manage_review", plan.bang_list)
    if plan.rubric_frozen_at is not None:
        raise DomainError(_("已有专家提交评分（%(when)s），评分标准已锁定，不能再修改。") % {"when": _when(plan.rubric_frozen_at)})
    rows = validate_rubric(criteria)
    before = _rubric_text(list(plan.criteria.all()))
    plan.criteria.all().delete()
    Criterion.objects.bulk_create(Criterion(plan=plan, order=i, **row) for i, row in enumerate(rows))
    activity_record(target=plan, by=by, action=_("修改评分标准"), note=_("原：%(a)s\n新：%(b)s") % {
        "a": before, "b": _rubric_text(rows)})
    return plan


@transaction.atomic
def plan_deadline_change(*, plan: ReviewPlan, deadline: datetime.datetime, reason: str, by: User) -> ReviewPlan:
    plan = _lock_plan(plan)
    _require(by, "reviews.manage_review", plan.bang_list)
    reason = _required_text(reason, "reason", _("请填写调整理由。"))
    if plan.closed_at is not None:
        raise DomainError(_("评分已结束，不能再调整截止时间。"))
    if deadline is None or deadline <= timezone.now() or deadline > timezone.now() + MAX_REVIEW_SPAN:
        raise ValidationError({"deadline": _("新的评审截止时间须晚于现在，且在一年以内。")})
    old = plan.deadline
    plan.deadline = deadline
    plan.save(update_fields=["deadline"])
    activity_record(target=plan, by=by, action=_("调整评审截止时间"),
                    note=_("%(old)s → %(new)s：%(why)s") % {"old": _when(old), "new": _when(deadline), "why": reason})
    return plan


def _pending_scores(plan: ReviewPlan) -> int:
    """Scores still owed: every accepted seat × every application under review on its bang."""
    owed = 0
    seats = Assignment.objects.filter(draw__plan=plan, state=AssignmentState.ACCEPTED).values_list("pk", "bang_id")
    per_bang: dict[int, int] = {}
    for bang_id in Application.objects.filter(bang__bang_list_id=plan.bang_list_id,
                                              state=ApplicationState.UNDER_REVIEW).values_list("bang_id", flat=True):
        per_bang[bang_id] = per_bang.get(bang_id, 0) + 1
    submitted = Score.objects.filter(assignment__draw__plan=plan, assignment__state=AssignmentState.ACCEPTED,
                                     state=ScoreState.SUBMITTED, application__state=ApplicationState.UNDER_REVIEW).count()
    for _pk, bang_id in seats:
        owed += per_bang.get(bang_id, 0)
    invited = Assignment.objects.filter(draw__plan=plan, state=AssignmentState.INVITED).count()
    return owed - submitted + invited


@transaction.atomic
def scoring_close(*, plan: ReviewPlan, by: User) -> ReviewPlan:
    """End scoring: after the deadline, or before it once every seat has submitted every score.
    The issuing enterprises are then asked for their opinion."""
    plan = _lock_plan(plan)
    _require(by, "reviews.manage_review", plan.bang_list)
    if plan.closed_at is not None:
        raise DomainError(_("评分已于%(when)s结束。") % {"when": _when(plan.closed_at)})
    now = timezone.now()
    if not plan.scoring_closed(now):
        undrawn = (Bang.objects.filter(bang_list_id=plan.bang_list_id, applications__state=ApplicationState.UNDER_REVIEW,
                                       panel_draw__isnull=True).distinct().count())
        if undrawn:
            raise DomainError(_("尚有%(n)d个技术榜未抽取评审组，评审截止前不能结束评分。") % {"n": undrawn})
        if pending := _pending_scores(plan):
            raise DomainError(_("评审截止前，须所有专家完成评分才能提前结束；尚有%(n)d项未完成。") % {"n": pending})
    plan.closed_at = now
    plan.save(update_fields=["closed_at"])
    activity_record(target=plan, by=by, action=_("结束评分"))
    for bang in plan.bang_list.bangs.prefetch_related("issuers"):
        if not bang.applications.filter(state=ApplicationState.UNDER_REVIEW).exists():
            continue
        notification_send(
            recipients=User.objects.filter(organisation__in=bang.issuers.all(), role_grants__role=Role.ENTERPRISE,
                                           is_active=True),
            event_key=f"review:bang:{bang.pk}:closed",
            title=_("技术榜“%(title)s”专家评审已结束，请发表合作意见") % {"title": bang.title},
            url=reverse("reviews:enterprise_bang", args=[bang.pk]),
        )
    return plan


# --- the draw --------------------------------------------------------------------------------


def _respond_by(plan: ReviewPlan, now: datetime.datetime) -> datetime.datetime:
    # Whole seconds, as every deadline here: the answer at hh:mm:ss.999 of the last second counts.
    return min(now + datetime.timedelta(hours=plan.response_hours), plan.deadline).replace(microsecond=0)


def _invite(assignment: Assignment) -> None:
    notification_send(
        recipients=[assignment.expert],
        event_key=f"review:seat:{assignment.pk}:invited",
        title=_("评审邀请：技术榜“%(title)s”，请于%(when)s前确认") % {
            "title": assignment.bang.title, "when": _when(assignment.respond_by)},
        url=reverse("reviews:assignment", args=[assignment.pk]),
    )


def draw_fields(bang: Bang, extra_field_ids) -> list[TechField]:
    ids = [bang.field_id, *[i for i in extra_field_ids if i != bang.field_id]]
    fields = {f.pk: f for f in TechField.objects.filter(pk__in=ids)}
    return [fields[i] for i in ids if i in fields]


@transaction.atomic
def panel_draw(*, bang: Bang, by: User, extra_field_ids=(), widen_reason: str = "", seed: str | None = None) -> PanelDraw:
    """Draw the bang's panel (see reviews/draw.py) and invite it. With too few candidates nothing is
    stored and TooFewCandidates says why. `seed` is for the demo data alone (the same panels on every
    load); no page passes one, so every real draw's seed comes from `secrets`."""
    bang = Bang.objects.select_for_update(of=("self",)).select_related("bang_list", "field").get(pk=bang.pk)
    _require(by, "reviews.manage_review", bang.bang_list)
    plan = ReviewPlan.objects.get(bang_list=bang.bang_list)
    if bang.bang_list.state != BangListState.REVIEWING:
        raise DomainError(_("榜单不在评审阶段，不能抽取专家。"))
    if PanelDraw.objects.filter(bang=bang).exists():
        raise DomainError(_("该技术榜已抽取评审组，不能重复抽取；缺员从候补中依序递补。"))
    now = timezone.now()
    if plan.scoring_closed(now):
        raise DomainError(_("评分已结束，不能再抽取专家。"))
    if not bang.applications.filter(state=ApplicationState.UNDER_REVIEW).exists():
        raise DomainError(_("该技术榜没有进入评审的申报，无需抽取专家。"))
    extra = [i for i in extra_field_ids if i != bang.field_id]
    widen_reason = (widen_reason or "").strip()
    if extra and not widen_reason:
        raise ValidationError({"widen_reason": _("扩大抽取领域须填写理由。")})
    fields = draw_fields(bang, extra)
    candidates, excluded = recusal.screen(bang, plan, [f.pk for f in fields])
    seed = seed or new_seed()
    result = draw(seed, [Candidate(c["id"], c["out_of_region"]) for c in candidates],
                  size=plan.panel_size, out_of_region_share=plan.out_of_region_share)
    record = PanelDraw.objects.create(
        bang=bang, plan=plan, seed=seed, size=plan.panel_size, out_of_region_share=plan.out_of_region_share,
        field_names=[f.name for f in fields], widen_reason=widen_reason if extra else "",
        candidates=candidates, excluded=excluded, order=list(result.order), panel=list(result.panel),
        reserve=list(result.reserve), drawn_by=by, drawn_at=now,
    )
    respond_by = _respond_by(plan, now)
    seats = Assignment.objects.bulk_create(
        Assignment(draw=record, bang=bang, expert_id=expert_id, position=result.order.index(expert_id),
                   invited_at=now, respond_by=respond_by)
        for expert_id in result.panel
    )
    activity_record(target=record, by=by, action=_("随机抽取评审专家"), note=_(
        "技术榜 %(number)s；候选%(n)d人，排除%(x)d人；评审组：%(panel)s") % {
        "number": bang.number, "n": len(candidates), "x": len(excluded),
        "panel": "、".join(c["name"] for c in candidates if c["id"] in set(result.panel))})
    experts = User.objects.in_bulk([s.expert_id for s in seats])
    for seat in seats:
        seat.expert, seat.bang = experts[seat.expert_id], bang
        _invite(seat)
    return record


def draw_of(record: PanelDraw) -> Draw:
    return Draw(seed=record.seed, order=tuple(record.order), panel=tuple(record.panel), reserve=tuple(record.reserve))


def replay(record: PanelDraw) -> tuple[bool, Draw]:
    """Recompute the draw from its record alone; whether it gives the stored order, panel and reserve."""
    again = draw(record.seed, [Candidate(c["id"], c["out_of_region"]) for c in record.candidates],
                 size=record.size, out_of_region_share=record.out_of_region_share)
    return again == draw_of(record), again


def _replace(seat: Assignment, *, by: User | None, now: datetime.datetime) -> Assignment | None:
    """Fill the seat `seat` left with the next expert in the reserve order (never a fresh pick).
    An expert since deactivated is passed over, and that is logged. None when the reserve is spent."""
    record = PanelDraw.objects.select_for_update().get(pk=seat.draw_id)
    seats = list(record.assignments.all())
    serving = [s.expert_id for s in seats if s.state in SERVING and s.pk != seat.pk]
    used = {s.expert_id for s in seats}
    candidates = [Candidate(c["id"], c["out_of_region"]) for c in record.candidates]
    plan = ReviewPlan.objects.get(pk=record.plan_id)
    if plan.scoring_closed(now):
        # An invitation now could not be answered (its deadline would be the review's, passed).
        activity_record(target=record, by=by, action=_("评分已结束，不再递补"),
                        note=_("技术榜 %(number)s 的评审组缺员一人。") % {"number": seat.bang.number})
        return None
    while True:
        expert_id = next_from_reserve(draw_of(record), serving=serving, used=used, candidates=candidates,
                                      out_of_region_share=record.out_of_region_share, size=record.size)
        if expert_id is None:
            activity_record(target=record, by=by, action=_("候补专家已用尽"),
                            note=_("技术榜 %(number)s 的评审组缺员一人，候补顺序中已无可递补的专家。") % {
                                "number": seat.bang.number})
            return None
        expert = User.objects.select_related("expert_profile").get(pk=expert_id)
        profile = getattr(expert, "expert_profile", None)
        inactive = not (expert.is_active and profile is not None and profile.is_active)
        # The plan's load cap holds for replacements too: panels joined since the draw count.
        at_cap = plan.load_cap is not None and Assignment.objects.filter(
            draw__plan=plan, expert_id=expert_id, state__in=SERVING).count() >= plan.load_cap
        if not inactive and not at_cap:
            break
        used.add(expert_id)
        note = (_("%(name)s 已停用，按候补顺序跳过。") if inactive else
                _("%(name)s 已参加本榜单%(n)d个评审组，达到上限，按候补顺序跳过。")) % {
            "name": expert.display_name, "n": plan.load_cap}
        activity_record(target=record, by=by, action=_("跳过候补专家"), note=note)
    new = Assignment.objects.create(draw=record, bang=seat.bang, expert=expert, position=record.order.index(expert_id),
                                    replaces=seat, invited_at=now, respond_by=_respond_by(plan, now))
    activity_record(target=record, by=by, action=_("候补递补"), note=_(
        "%(old)s（%(state)s）由候补第%(pos)d位 %(new)s 递补") % {
        "old": seat.expert.display_name, "state": seat.get_state_display(), "pos": new.position + 1,
        "new": expert.display_name})
    _invite(new)
    return new


def _vacate(seat: Assignment, *, to: str, by: User | None, action: str, reason: str,
            now: datetime.datetime) -> Assignment | None:
    state_transition(obj=seat, to=to, by=by, table=ASSIGNMENT_TRANSITIONS, action=action, note=reason,
                     labels=ASSIGNMENT_LABELS, fields={"responded_at": now, "reason": reason})
    return _replace(seat, by=by, now=now)


def _lock_seat(seat: Assignment) -> Assignment:
    return (Assignment.objects.select_for_update(of=("self",)).select_related("bang__bang_list", "expert")
            .get(pk=seat.pk))


@transaction.atomic
def invitation_respond(*, assignment: Assignment, by: User, answer: str, reason: str = "") -> Assignment:
    """The drawn expert accepts ("no conflict"), declares a conflict, or declines, before the
    response deadline. A conflict or a decline is filled from the reserve."""
    seat = _lock_seat(assignment)
    if seat.expert_id != by.pk:
        raise DomainError(_("您无权执行此操作。"))
    if seat.state != AssignmentState.INVITED:
        raise TransitionError(_("该邀请已处理（%(state)s）。") % {"state": seat.get_state_display()})
    now = timezone.now()
    if now.replace(microsecond=0) > seat.respond_by:
        raise DomainError(_("确认期限（%(when)s）已过，该邀请已失效。") % {"when": _when(seat.respond_by)})
    reason = (reason or "").strip()
    if answer == "accept":
        state_transition(obj=seat, to=AssignmentState.ACCEPTED, by=by, table=ASSIGNMENT_TRANSITIONS,
                         action=_("确认无利益冲突，接受评审"), labels=ASSIGNMENT_LABELS, fields={"responded_at": now})
    elif answer == "conflict":
        reason = _required_text(reason, "reason", _("请说明利益冲突的情况。"))
        _vacate(seat, to=AssignmentState.CONFLICT, by=by, action=_("申明回避"), reason=reason, now=now)
    elif answer == "decline":
        _vacate(seat, to=AssignmentState.DECLINED, by=by, action=_("谢绝评审"), reason=reason, now=now)
    else:
        raise DomainError(_("未知的操作。"))
    return seat


@transaction.atomic
def assignment_conflict_later(*, assignment: Assignment, by: User, reason: str) -> Assignment:
    """An expert who accepted finds a conflict on reading the plans: they leave before scoring, and the
    seat is filled from the reserve. Not once a score of theirs is submitted (staff remove instead)."""
    seat = _lock_seat(assignment)
    if seat.expert_id != by.pk:
        raise DomainError(_("您无权执行此操作。"))
    reason = _required_text(reason, "reason", _("请说明利益冲突的情况。"))
    if seat.scores.filter(state=ScoreState.SUBMITTED).exists():
        raise DomainError(_("您已提交评分，如需回避请联系管理人员。"))
    _vacate(seat, to=AssignmentState.CONFLICT, by=by, action=_("申明回避"), reason=reason, now=timezone.now())
    return seat


@transaction.atomic
def assignment_remove(*, assignment: Assignment, by: User, reason: str) -> Assignment:
    """Staff take an expert off a panel, with a reason; the seat is filled from the reserve."""
    seat = _lock_seat(assignment)
    _require(by, "reviews.manage_review", seat.bang.bang_list)
    reason = _required_text(reason, "reason", _("请填写移出理由。"))
    plan = ReviewPlan.objects.get(bang_list=seat.bang.bang_list)
    if plan.scoring_closed():
        raise DomainError(_("评分已结束，不能再调整评审组。"))
    _vacate(seat, to=AssignmentState.REMOVED, by=by, action=_("移出评审组"), reason=reason, now=timezone.now())
    notification_send(recipients=[seat.expert], event_key=f"review:seat:{seat.pk}:removed",
                      title=_("您已被移出技术榜“%(title)s”的评审组") % {"title": seat.bang.title}, body=reason,
                      url=reverse("reviews:dashboard"))
    return seat


def invitations_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire invitations past their response deadline and fill each seat from the reserve. Safe to
    run twice or in parallel: each seat is locked and its state checked before it changes."""
    now = now or timezone.now()
    expired = 0
    due = list(Assignment.objects.filter(state=AssignmentState.INVITED, respond_by__lt=now.replace(microsecond=0))
               .values_list("pk", flat=True))
    for pk in due:
        with transaction.atomic():
            seat = Assignment.objects.select_for_update(of=("self",)).select_related("bang", "expert").get(pk=pk)
            if seat.state != AssignmentState.INVITED or seat.respond_by >= now.replace(microsecond=0):
                continue
            _vacate(seat, to=AssignmentState.EXPIRED, by=None, action=_("逾期未确认"),
                    reason=_("确认期限%(when)s已过") % {"when": _when(seat.respond_by)}, now=now)
            expired += 1
    return expired


# --- scoring ---------------------------------------------------------------------------------


def score_errors(criteria, values: dict, comments: dict, comment: str, recommendation: str) -> dict:
    """What stops a score from being submitted, by field: every criterion within its maximum, a
    comment on each weak one, an overall comment and a recommendation."""
    errors: dict[str, str] = {}
    for criterion in criteria:
        key = str(criterion.pk)
        value = values.get(key)
        if value in (None, ""):
            errors[f"c{key}"] = _("请为“%(name)s”打分。") % {"name": criterion.name}
            continue
        if Decimal(value) < criterion.max_score * WEAK_SHARE and not (comments.get(key) or "").strip():
            errors[f"n{key}"] = _("“%(name)s”得分低于满分的60%%，请说明理由。") % {"name": criterion.name}
    if not (comment or "").strip():
        errors["comment"] = _("请填写总体意见。")
    if recommendation not in Recommendation.values:
        errors["recommendation"] = _("请选择推荐意见。")
    return errors


@transaction.atomic
def score_save(*, assignment: Assignment, application: Application, by: User, values: dict, comments: dict,
               comment: str, recommendation: str, submit: bool = False) -> Score:
    """Save the expert's scores as a draft, or submit them (then they are locked). Refused after the
    review deadline, checked here to the second; the rubric is frozen by the first submission."""
    plan = ReviewPlan.objects.select_for_update().get(bang_list_id=assignment.bang.bang_list_id) if submit \
        else ReviewPlan.objects.get(bang_list_id=assignment.bang.bang_list_id)
    seat = _lock_seat(assignment)
    if seat.expert_id != by.pk or seat.state != AssignmentState.ACCEPTED:
        raise DomainError(_("您不是该技术榜评审组的成员，或尚未确认接受评审。"))
    application = Application.objects.only("pk", "bang_id", "state").get(pk=application.pk)
    if application.bang_id != seat.bang_id or application.state != ApplicationState.UNDER_REVIEW:
        raise DomainError(_("该申报不在您的评审范围内。"))
    now = timezone.now()
    if plan.closed_at is not None:
        raise DomainError(_("评分已于%(when)s结束，不能再保存或提交。") % {"when": _when(plan.closed_at)})
    if not plan.accepts_scores(now):
        raise DomainError(_("评审已于%(when)s截止，不能再保存或提交。") % {"when": _when(plan.deadline)})
    score, _created = Score.objects.get_or_create(assignment=seat, application=application)
    score = Score.objects.select_for_update().get(pk=score.pk)
    if score.state == ScoreState.SUBMITTED:
        raise DomainError(_("评分已于%(when)s提交，不能修改。") % {"when": _when(score.submitted_at)})
    criteria = list(plan.criteria.all())
    clean_values, clean_comments, errors = {}, {}, {}
    for criterion in criteria:
        key = str(criterion.pk)
        raw = values.get(key)
        if raw not in (None, ""):
            try:
                value = Decimal(str(raw))
            except ArithmeticError:
                value = None
            if value is None or not value.is_finite() or value < 0 or value > criterion.max_score \
                    or value != value.quantize(Decimal("0.1")):
                errors[f"c{key}"] = _("“%(name)s”的得分须在0至%(max)s之间（最多一位小数）。") % {
                    "name": criterion.name, "max": criterion.max_score}
            else:
                clean_values[key] = str(value)
        if (comments.get(key) or "").strip():
            clean_comments[key] = comments[key].strip()[:2000]
    if errors:
        raise ValidationError(errors)
    recommendation = recommendation if recommendation in Recommendation.values else ""
    score.values, score.criterion_comments = clean_values, clean_comments
    score.comment, score.recommendation = (comment or "").strip()[:5000], recommendation
    if not submit:
        score.save()
        return score
    if errors := score_errors(criteria, clean_values, clean_comments, score.comment, recommendation):
        # Nothing is kept: the page shows what was typed, and the 提交 button saves the draft before
        # the confirmation page, so only a forged or stale confirmation gets here.
        raise ValidationError(errors)
    score.total = weighted_total(criteria, clean_values)
    state_transition(obj=score, to=ScoreState.SUBMITTED, by=by, table=SCORE_TRANSITIONS, action=_("提交评分"),
                     labels=dict(ScoreState.choices),
                     fields={"values": score.values, "criterion_comments": score.criterion_comments,
                             "comment": score.comment, "recommendation": recommendation, "total": score.total,
                             "submitted_at": now})
    if plan.rubric_frozen_at is None:
        plan.rubric_frozen_at = now
        plan.save(update_fields=["rubric_frozen_at"])
    return score


@transaction.atomic
def score_reopen(*, score: Score, by: User, reason: str) -> Score:
    """Staff reopen a submitted score, with a reason that is logged and told to the expert."""
    score = Score.objects.select_for_update(of=("self",)).select_related(
        "assignment__bang__bang_list", "assignment__expert", "application").get(pk=score.pk)
    bang_list = score.assignment.bang.bang_list
    _require(by, "reviews.manage_review", bang_list)
    reason = _required_text(reason, "reason", _("请填写退回理由。"))
    plan = ReviewPlan.objects.get(bang_list=bang_list)
    if plan.scoring_closed():
        raise DomainError(_("评分已结束（或已过评审截止时间），请先调整评审截止时间再退回评分。"))
    state_transition(obj=score, to=ScoreState.DRAFT, by=by, table=SCORE_TRANSITIONS, action=_("退回评分"),
                     note=reason, labels=dict(ScoreState.choices), fields={"total": None, "submitted_at": None})
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    notification_send(
        recipients=[score.assignment.expert], event_key=f"review:score:{score.pk}:reopened:{stamp}",
        title=_("您对“%(bang)s”一份申报的评分已被退回修改") % {"bang": score.assignment.bang.title}, body=reason,
        url=reverse("reviews:score", args=[score.assignment_id, score.application_id]),
    )
    return score


# --- reminders (beat) ------------------------------------------------------------------------

def score_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind experts with scores outstanding 3 days and 1 day before the deadline, and once when
    overdue. Each reminder is claimed on the seat by a conditional update before it is sent, and the
    message's event key is unique per seat, so a rerun or a parallel worker sends nothing twice."""
    now = now or timezone.now()
    sent = 0
    open_plans = ReviewPlan.objects.filter(closed_at__isnull=True)
    for plan in open_plans.filter(deadline__gt=now - datetime.timedelta(days=7)):
        seats = Assignment.objects.filter(draw__plan=plan, state=AssignmentState.ACCEPTED).select_related("bang", "expert")
        owing = [s for s in seats if _owes(s)]
        for seat in owing:
            if now <= plan.deadline:
                # The tightest window that applies: inside the last day only the 1-day reminder goes
                # (and stands for a 3-day one never sent), so two never arrive together.
                left = plan.deadline - now
                if left <= datetime.timedelta(days=1):
                    key, claim = "1d", Assignment.objects.filter(pk=seat.pk, reminded_1d_at__isnull=True)
                    changes = {"reminded_1d_at": now, "reminded_3d_at": seat.reminded_3d_at or now}
                elif left <= datetime.timedelta(days=3):
                    key, claim = "3d", Assignment.objects.filter(pk=seat.pk, reminded_3d_at__isnull=True)
                    changes = {"reminded_3d_at": now}
                else:
                    continue
                if claim.update(**changes):
                    sent += len(notification_send(
                        recipients=[seat.expert], event_key=f"review:seat:{seat.pk}:remind:{key}",
                        title=_("请于%(when)s前完成技术榜“%(title)s”的评审") % {
                            "when": _when(plan.deadline), "title": seat.bang.title},
                        url=reverse("reviews:assignment", args=[seat.pk])))
            elif seat.reminded_overdue_at is None:
                if Assignment.objects.filter(pk=seat.pk, reminded_overdue_at__isnull=True).update(reminded_overdue_at=now):
                    sent += len(notification_send(
                        recipients=[seat.expert], event_key=f"review:seat:{seat.pk}:remind:overdue",
                        title=_("技术榜“%(title)s”的评审已于%(when)s截止，您尚有评分未提交") % {
                            "title": seat.bang.title, "when": _when(plan.deadline)},
                        url=reverse("reviews:assignment", args=[seat.pk])))
    return sent


def _owes(seat: Assignment) -> bool:
    applications = Application.objects.filter(bang_id=seat.bang_id, state=ApplicationState.UNDER_REVIEW).count()
    done = seat.scores.filter(state=ScoreState.SUBMITTED, application__state=ApplicationState.UNDER_REVIEW).count()
    return done < applications


# --- the issuing enterprise's say ------------------------------------------------------------


@transaction.atomic
def enterprise_opinion_record(*, application: Application, by: User, willing: bool, reason: str) -> EnterpriseOpinion:
    application = Application.objects.select_for_update(of=("self",)).select_related("bang__bang_list").get(
        pk=application.pk)
    _require(by, "reviews.enterprise_opinion", application.bang)
    if application.state != ApplicationState.UNDER_REVIEW:
        raise DomainError(_("该申报不在评审中。"))
    if BangDecision.objects.filter(bang=application.bang, state__in=LIVE_DECISION_STATES).exists():
        raise DomainError(_("该技术榜已拟定结果，不能再发表意见。"))
    existing = EnterpriseOpinion.objects.filter(application=application).first()
    if existing is not None:
        raise DomainError(_("本单位已于%(when)s发表意见，不能修改。") % {"when": _when(existing.at)})
    reason = _required_text(reason, "reason", _("请填写理由。"))
    opinion = EnterpriseOpinion.objects.create(application=application, willing=bool(willing), reason=reason,
                                               organisation_id=by.organisation_id, by=by)
    # Logged on the opinion, not the application: the applicant's own page shows the application's log.
    activity_record(target=opinion, by=by, action=_("发榜方意见：%(w)s") % {
        "w": _("愿意合作") if willing else _("不愿意合作")}, note=reason)
    return opinion


# --- the award proposal ----------------------------------------------------------------------


def team_investment(application: Application) -> Decimal:
    """The team's total R&D investment (万元): its submitted budget, every source."""
    by_source = application.submitted_summary.get("budget", {}).get("by_source", {})
    return sum((Decimal(str(v or "0")) for v in by_source.values()), Decimal("0"))


def _route_key(label: str) -> str:
    return recusal._norm(label).lower()


@transaction.atomic
def award_propose(*, bang: Bang, by: User, application_ids: list[int], passover_reason: str = "",
                  declined_reason: str = "", override_reason: str = "", override_approver: str = "") -> BangDecision:
    """Propose one team, or several racing (赛马), for `bang`. See the README's rules for who may win."""
    from .selectors import bang_ranking

    bang = Bang.objects.select_for_update(of=("self",)).select_related("bang_list").get(pk=bang.pk)
    _require(by, "reviews.manage_review", bang.bang_list)
    plan = ReviewPlan.objects.get(bang_list=bang.bang_list)
    if not plan.scoring_closed():
        raise DomainError(_("评分结束后才能拟定揭榜团队。"))
    if BangDecision.objects.filter(bang=bang, state__in=LIVE_DECISION_STATES).exists():
        raise DomainError(_("该技术榜已有拟定结果；如需改变，请先撤销。"))
    ids = list(dict.fromkeys(application_ids))
    if not ids:
        raise ValidationError({"applications": _("请至少选择一个团队；没有合适团队时请标记为未揭榜。")})
    if len(ids) > bang.max_teams:
        raise DomainError(_("该技术榜最多支持%(n)d个团队，您选择了%(m)d个。") % {"n": bang.max_teams, "m": len(ids)})
    rows = {row.pk: row for row in bang_ranking(bang, plan)}
    chosen = []
    for pk in ids:
        row = rows.get(pk)
        if row is None:
            raise DomainError(_("所选申报不在该技术榜的评审中。"))
        if row.summary.count == 0:
            raise DomainError(_("“%(lead)s”的申报尚无已提交的评分，不能入选。") % {"lead": row.lead_name})
        chosen.append(row)
    if len(chosen) > 1:
        routes = [_route_key(r.route_label) for r in chosen]
        if "" in routes:
            raise DomainError(_("赛马制的每个团队须有技术路线。"))
        if len(set(routes)) != len(routes):
            raise DomainError(_("赛马制的团队须采用不同的技术路线，所选团队中有相同的技术路线。"))
    worst = max(r.rank for r in chosen)
    passed_over = [r for r in rows.values() if r.rank is not None and r.rank < worst and r.pk not in ids]
    passover_reason = (passover_reason or "").strip()
    if passed_over and not passover_reason:
        raise ValidationError({"passover_reason": _("未选择排名更靠前的团队（%(teams)s），须填写理由。") % {
            "teams": "、".join(f"第{r.rank}名 {r.lead_name}" for r in sorted(passed_over, key=lambda r: r.rank))}})
    declined = [r for r in chosen if r.opinion is not None and not r.opinion.willing]
    declined_reason = (declined_reason or "").strip()
    if declined and not declined_reason:
        raise ValidationError({"declined_reason": _("发榜企业表示不愿与%(teams)s合作，选择其须填写理由。") % {
            "teams": "、".join(r.lead_name for r in declined)}})
    subsidies = {r.pk: subsidy_cap(bang.kind, team_investment(r.application)) or Decimal("0") for r in chosen}
    total = sum(subsidies.values(), Decimal("0"))
    cap = bang.subsidy_cap
    override_reason, override_approver = (override_reason or "").strip(), (override_approver or "").strip()
    over = cap is not None and total > cap
    if over and not (override_reason and override_approver):
        raise ValidationError({"override_reason": _(
            "拟补助合计%(total)s万元，超过本榜上限%(cap)s万元；如确需超出，须记录一事一议理由和批准人。") % {
            "total": total, "cap": cap}})
    decision = BangDecision.objects.create(
        bang=bang, outcome=DecisionOutcome.AWARDED, passover_reason=passover_reason if passed_over else "",
        declined_reason=declined_reason if declined else "",
        override_reason=override_reason if over else "", override_approver=override_approver if over else "",
        total_subsidy=total, decided_by=by)
    Award.objects.bulk_create(
        Award(decision=decision, application=r.application, route_label=r.route_label, rank=r.rank,
              score=r.summary.score, investment=team_investment(r.application), subsidy=subsidies[r.pk])
        for r in chosen)
    note = "；".join(_("第%(rank)d名 %(lead)s（%(route)s，%(score)s分，拟补助%(subsidy)s万元）") % {
        "rank": r.rank, "lead": r.lead_name, "route": r.route_label or "—", "score": r.summary.score,
        "subsidy": subsidies[r.pk]} for r in chosen)
    for label, text in ((_("未按排名选择的理由"), decision.passover_reason), (_("发榜企业不愿合作仍选择的理由"),
                        decision.declined_reason), (_("一事一议"), f"{decision.override_reason}（{decision.override_approver}）"
                                                    if over else "")):
        if text:
            note += f"\n{label}：{text}"
    activity_record(target=decision, by=by, action=_("拟定揭榜团队（赛马）") if len(chosen) > 1 else _("拟定揭榜团队"),
                    to_state=DecisionState.PROPOSED, note=note)
    return decision


@transaction.atomic
def bang_unawarded(*, bang: Bang, by: User, reason: str) -> BangDecision:
    """No suitable team: the bang is 未揭榜, with the reason."""
    bang = Bang.objects.select_for_update(of=("self",)).select_related("bang_list").get(pk=bang.pk)
    _require(by, "reviews.manage_review", bang.bang_list)
    reason = _required_text(reason, "reason", _("请填写未揭榜的理由。"))
    plan = ReviewPlan.objects.get(bang_list=bang.bang_list)
    entered = bang.applications.filter(state=ApplicationState.UNDER_REVIEW).exists()
    if entered and not plan.scoring_closed():
        raise DomainError(_("评分结束后才能拟定结果。"))
    if BangDecision.objects.filter(bang=bang, state__in=LIVE_DECISION_STATES).exists():
        raise DomainError(_("该技术榜已有拟定结果；如需改变，请先撤销。"))
    decision = BangDecision.objects.create(bang=bang, outcome=DecisionOutcome.UNAWARDED, reason=reason, decided_by=by)
    activity_record(target=decision, by=by, action=_("标记为未揭榜"), to_state=DecisionState.PROPOSED, note=reason)
    return decision


@transaction.atomic
def decision_withdraw(*, decision: BangDecision, by: User, reason: str) -> BangDecision:
    decision = BangDecision.objects.select_for_update(of=("self",)).select_related("bang__bang_list").get(pk=decision.pk)
    _require(by, "reviews.manage_review", decision.bang.bang_list)
    reason = _required_text(reason, "reason", _("请填写撤销理由。"))
    if decision.bang.carried_to.exists():
        raise DomainError(_("该技术榜已转入其他榜单，不能撤销。"))
    state_transition(obj=decision, to=DecisionState.WITHDRAWN, by=by, table=DECISION_TRANSITIONS,
                     action=_("撤销拟定结果"), note=reason, labels=dict(DecisionState.choices))
    return decision


@transaction.atomic
def bang_carry_over(*, decision: BangDecision, into: BangList, by: User) -> Bang:
    """Put a bang marked 未揭榜 into a later (draft) list of the same organiser, keeping its provenance."""
    decision = BangDecision.objects.select_for_update(of=("self",)).select_related("bang__bang_list").get(pk=decision.pk)
    old = decision.bang
    _require(by, "reviews.manage_review", old.bang_list)
    into = BangList.objects.select_for_update().get(pk=into.pk)
    _require(by, "bangs.change_banglist", into)
    if decision.outcome != DecisionOutcome.UNAWARDED or decision.state not in LIVE_DECISION_STATES:
        raise DomainError(_("只有标记为未揭榜的技术榜才能转入其他榜单。"))
    if into.organiser_id != old.bang_list.organiser_id:
        raise DomainError(_("只能转入本单位的榜单。"))
    if old.carried_to.filter(bang_list=into).exists():
        raise DomainError(_("该技术榜已转入这个榜单。"))
    number = (into.bangs.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    new = Bang.objects.create(
        bang_list=into, number=number, carried_from=old,
        **{name: getattr(old, name) for name in (
            "title", "kind", "field_id", "background", "objectives", "field_test", "period_months", "total_investment",
            "solver_requirements", "ip_terms", "max_teams", "contact_name", "contact_department", "contact_phone")})
    new.issuers.set(old.issuers.all())
    new.demands.set(old.demands.all())
    Indicator.objects.bulk_create(
        Indicator(bang=new, name=i.name, target=i.target, unit=i.unit, test_method=i.test_method, order=i.order)
        for i in old.indicators.all())
    activity_record(target=into, by=by, action=_("转入未揭榜技术榜"),
                    note=_("%(number)s. %(title)s（转自“%(list)s”第%(old)d榜）") % {
                        "number": number, "title": new.title, "list": old.bang_list.title, "old": old.number})
    activity_record(target=decision, by=by, action=_("转入其他榜单"), note=into.title)
    return new
