"""The public notice of a list's proposed awards, objections, and the stand-still (issue 11).

An award becomes final only through `notice_bang_confirm`: its notice period has ended (checked here,
to the second) and no objection on its bang is pending or upheld. Beat calls it when periods end; it
is idempotent, and nothing else confirms an award.
"""

import datetime
import secrets

from django.conf import settings
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
from bangs.models import Bang, BangList
from core.calendar import add_working_days
from core.exceptions import DomainError
from core.files import DOCUMENT_TYPES, prepare_upload, upload_sha256
from core.services import activity_record, state_transition
from notifications.services import notification_send
from reviews.enums import DECISION_TRANSITIONS, DecisionOutcome, DecisionState
from reviews.models import Award, BangDecision

from .enums import (
    NOTICE_BANG_TRANSITIONS,
    OBJECTION_TRANSITIONS,
    PENDING,
    NoticeBangState,
    ObjectionSource,
    ObjectionState,
    ObjectorKind,
    PeriodUnit,
    RefusalGround,
)
from .models import Notice, NoticeAmendment, NoticeBang, Objection, ObjectionFile, ResponseRequest
from .period import notice_end

EVIDENCE_TYPES = ("jpg", "png", *DOCUMENT_TYPES)
LETTER_TYPES = ("pdf", "jpg", "png")
MAX_EVIDENCE = 5


class NeedsConfirmation(DomainError):
    """The period runs into a year without holiday data: staff must see the warning and confirm."""

    def __init__(self, warnings: list[str]):
        super().__init__("；".join(warnings))
        self.warnings = warnings


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise DomainError(_("您无权执行此操作。"))


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


# --- publishing ------------------------------------------------------------------------------


def entry_content(decision: BangDecision) -> dict:
    """What the public is shown about one bang, frozen into the notice."""
    bang = decision.bang
    awards = []
    for award in decision.awards.select_related("application").order_by("rank"):
        summary = award.application.submitted_summary
        awards.append({
            "lead": summary.get("lead", {}).get("name", ""),
            "partners": [p.get("name", "") for p in summary.get("partners", [])],
            "chief": summary.get("fields", {}).get("chief_name", ""),
            "route": award.route_label,
            "subsidy": str(award.subsidy),
        })
    return {
        "list": bang.bang_list.title, "number": bang.number, "title": bang.title,
        "issuers": [o.name for o in bang.issuers.order_by("name")],
        "outcome": decision.outcome, "reason": decision.reason if decision.outcome == DecisionOutcome.UNAWARDED else "",
        "racehorse": len(awards) > 1, "awards": awards,
        "total_subsidy": str(decision.total_subsidy),
    }


def notice_period(bang_list: BangList, published_at: datetime.datetime):
    unit = PeriodUnit.CALENDAR if bang_list.notice_in_calendar_days else PeriodUnit.WORKING
    return unit, notice_end(published_at, unit=unit, days=bang_list.notice_days)


@transaction.atomic
def notice_publish(*, bang_list: BangList, by: User, title: str, basis: str, how_to_object: str,
                   bang_ids: list[int] | None = None, confirm_warnings: bool = False) -> Notice:
    """Publish the proposed results of `bang_ids` (every proposed bang of the list when None).
    A period that reaches a year without holiday data needs `confirm_warnings`."""
    bang_list = BangList.objects.select_for_update().get(pk=bang_list.pk)
    _require(by, "reviews.manage_review", bang_list)
    if bang_list.state not in (BangListState.REVIEWING, BangListState.NOTICED):
        raise DomainError(_("榜单不在评审或公示阶段，不能发布公示。"))
    decisions = (BangDecision.objects.select_for_update(of=("self",)).filter(
        bang__bang_list=bang_list, state=DecisionState.PROPOSED).select_related("bang__bang_list"))
    if bang_ids is not None:
        decisions = decisions.filter(bang_id__in=bang_ids)
    decisions = list(decisions.order_by("bang__number"))
    if not decisions:
        raise DomainError(_("没有待公示的拟定结果。"))
    if bang_ids is not None and len({d.bang_id for d in decisions}) != len(set(bang_ids)):
        raise DomainError(_("所选技术榜中有尚未拟定结果或已公示的。"))
    title, basis, how_to_object = title.strip(), basis.strip(), how_to_object.strip()
    errors = {name: _("此项为必填项。") for name, value in
              (("title", title), ("basis", basis), ("how_to_object", how_to_object)) if not value}
    if errors:
        raise ValidationError(errors)
    now = timezone.now().replace(microsecond=0)
    unit, end = notice_period(bang_list, now)
    if end.warnings and not confirm_warnings:
        raise NeedsConfirmation(end.warnings)
    notice = Notice.objects.create(
        bang_list=bang_list, title=title, basis=basis, how_to_object=how_to_object, period_unit=unit,
        period_days=bang_list.notice_days, published_at=now, ends_at=end.end_of_day(),
        calendar_warnings=end.warnings, published_by=by)
    for decision in decisions:
        NoticeBang.objects.create(notice=notice, bang=decision.bang, decision=decision, content=entry_content(decision))
        state_transition(obj=decision, to=DecisionState.NOTICED, by=by, table=DECISION_TRANSITIONS,
                         action=_("发布公示"), note=notice.title, labels=dict(DecisionState.choices))
    if bang_list.state == BangListState.REVIEWING:
        state_transition(obj=bang_list, to=BangListState.NOTICED, by=by, table=LIST_TRANSITIONS,
                         action=_("发布揭榜公示"), note=notice.title, labels=dict(BangListState.choices))
    activity_record(target=notice, by=by, action=_("发布揭榜公示"), note=_(
        "公示期%(days)d个%(unit)s，截止%(end)s；%(n)d个技术榜") % {
        "days": notice.period_days, "unit": notice.get_period_unit_display(), "end": _when(notice.ends_at),
        "n": len(decisions)} + ("；" + "；".join(end.warnings) if end.warnings else ""))
    return notice


@transaction.atomic
def notice_amend(*, notice: Notice, by: User, title: str, body: str) -> NoticeAmendment:
    """A dated correction. The notice itself is never edited; a changed award needs a new notice."""
    notice = Notice.objects.select_for_update().select_related("bang_list").get(pk=notice.pk)
    _require(by, "reviews.manage_review", notice.bang_list)
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError({"title" if not title else "body": _("此项为必填项。")})
    amendment = NoticeAmendment.objects.create(notice=notice, title=title, body=body, published_by=by)
    activity_record(target=notice, by=by, action=_("发布公示更正"), note=title)
    return amendment


# --- objections ------------------------------------------------------------------------------

THROTTLE_WINDOW = datetime.timedelta(hours=1)
THROTTLE_COUNT = 3


def phone_key(phone: str) -> str:
    """A phone as its digits: "0471-1234567", "0471 1234567" and "04711234567" are one phone."""
    return "".join(ch for ch in (phone or "") if ch.isascii() and ch.isdigit())


def _new_number(now: datetime.datetime) -> str:
    """YY + date + 6 random digits: not guessable, and shown with the phone to read the status."""
    return f"YY{timezone.localtime(now):%Y%m%d}{secrets.randbelow(10**6):06d}"


def _store(objection: Objection, upload, *, role: str, allowed) -> ObjectionFile:
    try:
        original, _extension = prepare_upload(upload, allowed)
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from error
    return ObjectionFile.objects.create(objection=objection, role=role, file=upload, original_name=original,
                                        size=upload.size, sha256=upload_sha256(upload))


def identity_errors(kind: str, data: dict, *, letter) -> dict:
    """What a filing lacks to be by real name: an individual's name, ID number and mobile; an
    organisation's name, credit code, legal representative, contact and phone, and its sealed letter."""
    if kind == ObjectorKind.PERSON:
        needed = ("name", "id_number", "mobile")
    elif kind == ObjectorKind.ORGANISATION:
        needed = ("unit_name", "credit_code", "legal_rep", "contact_name", "contact_phone")
    else:
        return {"kind": _("请选择异议人类型。")}
    errors = {name: _("实名提出异议，此项为必填项。") for name in needed if not (data.get(name) or "").strip()}
    if kind == ObjectorKind.ORGANISATION and letter is None:
        errors["letter"] = _("单位提出异议须上传法定代表人签字并加盖公章的异议函。")
    return errors


@transaction.atomic
def objection_file(*, entry: NoticeBang, kind: str, data: dict, grounds: str, evidence=(), letter=None,
                   source: str = ObjectionSource.ONLINE, scan=None, by: User | None = None,
                   at: datetime.datetime | None = None, received_at: datetime.datetime | None = None) -> Objection:
    """File an objection against one bang of a notice, within its period (checked here, to the second,
    whatever any scheduled job did). Staff record a paper objection (录入) with its scan and the time
    the letter arrived, which is what the period is checked against (a letter that came in time may be
    typed in after the period)."""
    entry = NoticeBang.objects.select_for_update(of=("self",)).select_related("notice__bang_list").get(pk=entry.pk)
    notice = entry.notice
    now = at or timezone.now()
    if source == ObjectionSource.PAPER:
        _require(by, "reviews.manage_review", notice.bang_list)
        if scan is None:
            raise ValidationError({"scan": _("请上传书面异议的扫描件。")})
        if received_at is None or received_at > now:
            raise ValidationError({"received_at": _("请填写收到书面异议的时间（不晚于现在）。")})
        now = received_at
    if not notice.accepts_objections(now):
        if now < notice.published_at:
            raise DomainError(_("公示尚未开始。"))
        raise DomainError(_("公示期已于%(end)s结束，不再受理异议。") % {"end": _when(notice.ends_at)})
    if entry.state != NoticeBangState.NOTICED:
        raise DomainError(_("该技术榜的公示结果已处理，不再受理异议。"))
    errors = identity_errors(kind, data, letter=letter if source == ObjectionSource.ONLINE else scan)
    grounds = (grounds or "").strip()
    if not grounds:
        errors["grounds"] = _("请写明异议理由。")
    elif len(grounds) > 2000:
        errors["grounds"] = _("异议理由不超过2000字。")
    if len(evidence) > MAX_EVIDENCE:
        errors["files"] = _("证明材料最多%(n)d个。") % {"n": MAX_EVIDENCE}
    if errors:
        raise ValidationError(errors)
    fields = {name: (data.get(name) or "").strip() for name in (
        ("name", "id_number", "mobile", "email") if kind == ObjectorKind.PERSON
        else ("unit_name", "credit_code", "legal_rep", "contact_name", "contact_phone", "email"))}
    if "id_number" in fields:
        fields["id_number"] = fields["id_number"].upper()
    if "credit_code" in fields:
        fields["credit_code"] = fields["credit_code"].upper()
    phone = phone_key(fields.get("mobile") or fields.get("contact_phone"))
    if source == ObjectionSource.ONLINE:
        # Person or unit, however the number is written: one phone, one allowance.
        recent = sum(1 for mobile, contact in Objection.objects.filter(filed_at__gte=now - THROTTLE_WINDOW)
                     .values_list("mobile", "contact_phone") if phone in (phone_key(mobile), phone_key(contact)))
        if recent >= THROTTLE_COUNT:
            raise DomainError(_("同一联系电话一小时内最多提交%(n)d份异议，请稍后再试。") % {"n": THROTTLE_COUNT})
    if Objection.objects.filter(entry=entry, grounds=grounds, filed_at__gte=now - THROTTLE_WINDOW,
                                **{k: v for k, v in fields.items() if k in ("id_number", "credit_code") and v}).exists():
        raise DomainError(_("相同内容的异议已经提交，请凭受理编号查询办理情况，勿重复提交。"))
    objection = Objection(entry=entry, kind=kind, source=source, grounds=grounds, filed_at=now,
                          recorded_by=by if source == ObjectionSource.PAPER else None, **fields)
    objection.number = _new_number(now)
    while Objection.objects.filter(number=objection.number).exists():
        objection.number = _new_number(now)
    objection.full_clean(exclude=["entry", "recorded_by"])
    objection.save()
    for upload in evidence:
        _store(objection, upload, role=ObjectionFile.EVIDENCE, allowed=EVIDENCE_TYPES)
    if letter is not None and source == ObjectionSource.ONLINE:
        _store(objection, letter, role=ObjectionFile.LETTER, allowed=LETTER_TYPES)
    if scan is not None:
        _store(objection, scan, role=ObjectionFile.SCAN, allowed=LETTER_TYPES)
    # The log names no objector: it is read by more people than the handlers.
    activity_record(target=objection, by=by, action=_("录入书面异议") if source == ObjectionSource.PAPER
                    else _("提交异议"), to_state=ObjectionState.FILED,
                    note=_("%(number)s. %(title)s") % {"number": entry.bang.number, "title": entry.bang.title})
    staff = User.objects.filter(organisation_id=notice.bang_list.organiser_id, is_active=True,
                                role_grants__role=Role.STAFF).distinct()
    notification_send(recipients=staff, event_key=f"objection:{objection.pk}:filed",
                      title=_("收到对“%(title)s”公示结果的异议（%(number)s）") % {
                          "title": entry.bang.title, "number": objection.number},
                      url=reverse("notices:objection", args=[objection.pk]))
    return objection


def objection_status(number: str, phone: str) -> Objection | None:
    """The objector's own objection, by its number and the phone it was filed with; None otherwise."""
    number, phone = (number or "").strip().upper(), (phone or "").strip()
    if not number or not phone:
        return None
    objection = Objection.objects.filter(number=number).select_related("entry__bang", "entry__notice").first()
    if objection is None or not phone_key(phone) or phone_key(objection.objector_phone) != phone_key(phone):
        return None
    return objection


def _lock_objection(objection: Objection) -> Objection:
    return (Objection.objects.select_for_update(of=("self",))
            .select_related("entry__notice__bang_list", "entry__bang", "entry__decision").get(pk=objection.pk))


def _handling_deadline(now: datetime.datetime) -> datetime.datetime:
    days = settings.OBJECTION_HANDLING_DAYS
    return add_working_days(timezone.localtime(now).date(), days).end_of_day()


@transaction.atomic
def objection_accept(*, objection: Objection, by: User) -> Objection:
    objection = _lock_objection(objection)
    _require(by, "reviews.manage_review", objection.entry.notice.bang_list)
    now = timezone.now()
    state_transition(obj=objection, to=ObjectionState.ACCEPTED, by=by, table=OBJECTION_TRANSITIONS,
                     action=_("受理异议"), labels=dict(ObjectionState.choices),
                     fields={"handling_deadline": _handling_deadline(now)})
    return objection


@transaction.atomic
def objection_refuse(*, objection: Objection, by: User, ground: str, reply: str) -> Objection:
    objection = _lock_objection(objection)
    _require(by, "reviews.manage_review", objection.entry.notice.bang_list)
    if ground not in RefusalGround.values:
        raise ValidationError({"ground": _("请选择不予受理的理由。")})
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("请填写书面答复。")})
    state_transition(obj=objection, to=ObjectionState.REFUSED, by=by, table=OBJECTION_TRANSITIONS,
                     action=_("不予受理"), note=RefusalGround(ground).label, labels=dict(ObjectionState.choices),
                     fields={"refusal_ground": ground, "reply": reply, "replied_at": timezone.now()})
    _reply_email(objection)
    return objection


@transaction.atomic
def response_request(*, objection: Objection, by: User, question: str, deadline: datetime.datetime) -> ResponseRequest:
    """Ask the lead unit(s) of the awards concerned for a written response to the grounds."""
    objection = _lock_objection(objection)
    _require(by, "reviews.manage_review", objection.entry.notice.bang_list)
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": _("请写明需要说明的事项。")})
    if deadline is None or deadline <= timezone.now():
        raise ValidationError({"deadline": _("答复期限须晚于现在。")})
    if objection.state == ObjectionState.ACCEPTED:
        state_transition(obj=objection, to=ObjectionState.INVESTIGATING, by=by, table=OBJECTION_TRANSITIONS,
                         action=_("要求牵头单位说明情况"), labels=dict(ObjectionState.choices))
    elif objection.state != ObjectionState.INVESTIGATING:
        raise DomainError(_("只有已受理的异议才能要求说明情况。"))
    request = ResponseRequest.objects.create(objection=objection, question=question, deadline=deadline, asked_by=by)
    leads = Award.objects.filter(decision=objection.entry.decision).values_list("application__lead_id", flat=True)
    notification_send(
        recipients=User.objects.filter(organisation_id__in=list(leads), role_grants__role=Role.APPLICANT,
                                       is_active=True).distinct(),
        event_key=f"objection-response:{request.pk}:asked",
        title=_("请于%(when)s前就“%(title)s”公示异议作出书面说明") % {
            "when": _when(deadline), "title": objection.entry.bang.title},
        url=reverse("notices:response", args=[request.pk]))
    return request


@transaction.atomic
def response_answer(*, request: ResponseRequest, by: User, answer: str, upload=None) -> ResponseRequest:
    request = ResponseRequest.objects.select_for_update(of=("self",)).select_related(
        "objection__entry__decision").get(pk=request.pk)
    leads = set(Award.objects.filter(decision=request.objection.entry.decision)
                .values_list("application__lead_id", flat=True))
    if by.organisation_id not in leads or not by.has_role(Role.APPLICANT):
        raise DomainError(_("您无权执行此操作。"))
    if request.answered_at is not None:
        raise DomainError(_("已于%(when)s提交说明，不能修改。") % {"when": _when(request.answered_at)})
    if request.objection.state != ObjectionState.INVESTIGATING:
        raise DomainError(_("该异议已办结，无需再作说明。"))
    if timezone.now().replace(microsecond=0) > request.deadline:
        raise DomainError(_("答复期限（%(when)s）已过。") % {"when": _when(request.deadline)})
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写书面说明。")})
    if upload is not None:
        try:
            original, _extension = prepare_upload(upload, EVIDENCE_TYPES)
        except ValidationError as error:
            raise ValidationError({"upload": error.messages}) from error
        request.answer_file, request.answer_file_name = upload, original
    request.answer, request.answered_by, request.answered_at = answer, by, timezone.now()
    request.save()
    activity_record(target=request.objection, by=by, action=_("牵头单位提交书面说明"))
    return request


@transaction.atomic
def objection_decide(*, objection: Objection, by: User, upheld: bool, reply: str) -> Objection:
    """成立 or 不成立, with the written reply to the objector. An upheld objection revokes the bang's
    noticed result; staff may then propose again, which needs a new notice."""
    objection = _lock_objection(objection)
    _require(by, "reviews.manage_review", objection.entry.notice.bang_list)
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError({"reply": _("请填写书面答复。")})
    to = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
    state_transition(obj=objection, to=to, by=by, table=OBJECTION_TRANSITIONS,
                     action=_("认定异议成立") if upheld else _("认定异议不成立"), labels=dict(ObjectionState.choices),
                     fields={"reply": reply, "replied_at": timezone.now()})
    if upheld:
        _revoke(objection.entry, by=by, why=_("异议%(number)s成立") % {"number": objection.number})
    _reply_email(objection)
    return objection


def _revoke(entry: NoticeBang, *, by: User, why: str) -> None:
    entry = NoticeBang.objects.select_for_update(of=("self",)).select_related("decision").get(pk=entry.pk)
    if entry.state != NoticeBangState.NOTICED:
        return
    now = timezone.now()
    state_transition(obj=entry, to=NoticeBangState.REVOKED, by=by, table=NOTICE_BANG_TRANSITIONS,
                     action=_("撤销公示结果"), note=why, labels=dict(NoticeBangState.choices), fields={"settled_at": now})
    state_transition(obj=entry.decision, to=DecisionState.REVOKED, by=by, table=DECISION_TRANSITIONS,
                     action=_("异议成立，撤销拟定结果"), note=why, labels=dict(DecisionState.choices))


def _reply_email(objection: Objection) -> None:
    """The written reply, by e-mail when the objector gave an address (always readable by number)."""
    if not objection.email:
        return
    from django.core.mail import send_mail

    body = _("您提交的异议（编号%(number)s）答复如下：\n\n%(reply)s\n\n也可凭编号和联系电话在平台查询。") % {
        "number": objection.number, "reply": objection.reply}
    transaction.on_commit(lambda: send_mail(
        subject=f"[{settings.PORTAL_NAME}] " + _("异议答复（%(number)s）") % {"number": objection.number},
        message=body, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[objection.email], fail_silently=True))


# --- the stand-still -------------------------------------------------------------------------


def confirmation_refusal(entry: NoticeBang, at: datetime.datetime | None = None) -> str | None:
    """Why the bang's noticed result cannot be confirmed now, or None. The one rule every later
    step (the task book) reads too."""
    at = (at or timezone.now()).replace(microsecond=0)
    if entry.state != NoticeBangState.NOTICED:
        return _("该公示结果已处理（%(state)s）。") % {"state": entry.get_state_display()}
    if at <= entry.notice.ends_at:
        return _("公示期至%(end)s，尚未结束。") % {"end": _when(entry.notice.ends_at)}
    if entry.objections.filter(state__in=PENDING).exists():
        return _("尚有未办结的异议。")
    if entry.objections.filter(state=ObjectionState.UPHELD).exists():
        return _("有异议成立。")
    return None


def _project_number(year: int) -> str:
    """The next project number of the year, in the configured format (`PROJECT_NUMBER_FORMAT`)."""
    pattern = settings.PROJECT_NUMBER_FORMAT
    prefix = pattern.split("{seq")[0].format(year=year)
    taken = Award.objects.filter(project_number__startswith=prefix).count()
    return pattern.format(year=year, seq=taken + 1)


@transaction.atomic
def notice_bang_confirm(*, entry: NoticeBang, at: datetime.datetime | None = None) -> bool:
    """Confirm one bang's noticed result if the stand-still allows it. Returns whether this call
    confirmed it: a second call (or a parallel worker) finds it settled and does nothing."""
    entry = (NoticeBang.objects.select_for_update(of=("self",))
             .select_related("notice__bang_list", "decision", "bang").get(pk=entry.pk))
    if entry.state != NoticeBangState.NOTICED:
        return False
    if refusal := confirmation_refusal(entry, at):
        raise DomainError(refusal)
    now = timezone.now()
    state_transition(obj=entry, to=NoticeBangState.CONFIRMED, by=None, table=NOTICE_BANG_TRANSITIONS,
                     action=_("公示期满无异议，确认结果"), labels=dict(NoticeBangState.choices), fields={"settled_at": now})
    decision = BangDecision.objects.select_for_update().get(pk=entry.decision_id)
    state_transition(obj=decision, to=DecisionState.CONFIRMED, by=None, table=DECISION_TRANSITIONS,
                     action=_("公示期满无异议，确认结果"), labels=dict(DecisionState.choices))
    winners = set()
    year = timezone.localtime(now).year
    for award in Award.objects.select_for_update().filter(decision=decision).order_by("rank", "pk"):
        award.project_number = _project_number(year)
        award.save(update_fields=["project_number"])
        winners.add(award.application_id)
    labels = dict(ApplicationState.choices)
    comments = _shared_comments(entry)
    for application in Application.objects.select_for_update().filter(bang=entry.bang,
                                                                       state=ApplicationState.UNDER_REVIEW):
        won = application.pk in winners
        state_transition(obj=application, to=ApplicationState.AWARDED if won else ApplicationState.NOT_AWARDED,
                         by=None, table=APPLICATION_TRANSITIONS, labels=labels,
                         action=_("揭榜成功（立项）") if won else _("未入选"))
        notification_send(
            recipients=User.objects.filter(organisation_id=application.lead_id, role_grants__role=Role.APPLICANT,
                                           is_active=True).distinct(),
            event_key=f"application:{application.pk}:result",
            title=(_("您对“%(title)s”的揭榜申报已确认立项") if won else _("您对“%(title)s”的揭榜申报未入选"))
            % {"title": entry.bang.title},
            body="\n".join(_("专家%(n)d：%(comment)s") % {"n": i, "comment": c}
                           for i, c in enumerate(comments.get(application.pk, []), start=1)),
            url=reverse("applications:detail", args=[application.pk]))
    _conclude_if_settled(entry.notice.bang_list)
    return True


def _shared_comments(entry: NoticeBang) -> dict[int, list[str]]:
    """The experts' overall comments per application, when the review plan shares them: in a fixed
    order, without names or scores."""
    from reviews.models import ReviewPlan
    from reviews.selectors import counted_scores

    plan = ReviewPlan.objects.filter(bang_list_id=entry.bang.bang_list_id).first()
    if plan is None or not plan.share_comments:
        return {}
    comments: dict[int, list[str]] = {}
    for application_id, comment in counted_scores(application__bang=entry.bang).order_by("pk").values_list(
            "application_id", "comment"):
        comments.setdefault(application_id, []).append(comment)
    return comments


def _conclude_if_settled(bang_list: BangList) -> None:
    bang_list = BangList.objects.select_for_update().get(pk=bang_list.pk)
    if bang_list.state != BangListState.NOTICED:
        return
    unsettled = Bang.objects.filter(bang_list=bang_list).exclude(
        review_decisions__state=DecisionState.CONFIRMED).exists()
    if not unsettled:
        state_transition(obj=bang_list, to=BangListState.CONCLUDED, by=None, table=LIST_TRANSITIONS,
                         action=_("全部技术榜结果已确认，榜单结束"), labels=dict(BangListState.choices))


def notices_confirm_due(*, now: datetime.datetime | None = None) -> int:
    """Beat: confirm every noticed bang whose period has ended and that nothing holds back."""
    now = now or timezone.now()
    confirmed = 0
    due = NoticeBang.objects.filter(state=NoticeBangState.NOTICED, notice__ends_at__lt=now.replace(microsecond=0))
    for entry in due.exclude(objections__state__in=[*PENDING, ObjectionState.UPHELD]).distinct():
        try:
            confirmed += notice_bang_confirm(entry=entry, at=now)
        except DomainError:
            continue  # an objection arrived in between: the next run sees it settled or not
    return confirmed
