"""Pages of the expert review: staff (plan, draw, panels, ranking, proposal), experts (invitations,
scoring) and the issuing enterprise (its say). Each loads its object through a scoped selector and
checks a rules permission; each change is one call into reviews.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import Role
from applications.enums import ApplicationState
from applications.models import Application, Attachment
from applications.selectors import submitted_attachment_ids
from bangs.enums import BangListState
from bangs.models import Bang, BangList
from bangs.selectors import bang_list_for_organiser
from core.exceptions import DomainError
from core.files import file_response
from core.forms import formset_rows
from core.params import FilterParams, parse_ids
from core.selectors import activity_list_for
from core.views import paginate, perform, querystring_without_page

from . import services
from .blind import for_expert
from .enums import AssignmentState, DecisionState, ScoreState
from .forms import (
    CarryForm,
    CriterionFormSet,
    DeadlineForm,
    DrawForm,
    OpinionForm,
    PlanForm,
    ProposalForm,
    ReasonForm,
    RespondForm,
    ScoreForm,
    default_rubric,
)
from .models import Assignment, BangDecision, PanelDraw, ReviewPlan, Score
from .selectors import (
    IN_REVIEW,
    bang_ranking,
    counted_scores,
    decisions_of,
    enterprise_bangs,
    expert_seats,
    late_experts,
    live_decision,
    may_see_other_scores,
    not_entered,
    panel_seats,
    reviewed_version,
)


def _form_messages(request, form) -> None:
    """A one-field form posted from a list row: its errors as messages, in the form's own words
    (a missing reason, one too long, a NUL character)."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


def _apply_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- staff -----------------------------------------------------------------------------------


def _staff_list(request, pk: int) -> BangList:
    bang_list = get_object_or_404(bang_list_for_organiser(request.user), pk=pk)
    if not request.user.has_perm("reviews.manage_review", bang_list):
        raise PermissionDenied
    return bang_list


def _staff_bang(request, pk: int) -> Bang:
    bang = get_object_or_404(Bang.objects.select_related("bang_list", "field")
                             .filter(bang_list__in=bang_list_for_organiser(request.user)), pk=pk)
    if not request.user.has_perm("reviews.manage_review", bang.bang_list):
        raise PermissionDenied
    return bang


def _plan(bang_list) -> ReviewPlan:
    plan = ReviewPlan.objects.filter(bang_list=bang_list).prefetch_related("criteria").first()
    if plan is None:
        raise Http404
    return plan


@login_required
def list_review(request, pk: int):
    """The review of one list: its plan, each bang's panel and result, who did not enter and why."""
    bang_list = _staff_list(request, pk)
    plan = ReviewPlan.objects.filter(bang_list=bang_list).prefetch_related("criteria").first()
    if plan is None:
        return redirect("reviews:open", pk=pk)
    bangs = list(bang_list.bangs.select_related("field").annotate(
        entered=Count("applications", filter=Q(applications__state__in=IN_REVIEW), distinct=True),
        serving=Count("review_assignments", filter=Q(review_assignments__state__in=[
            AssignmentState.INVITED, AssignmentState.ACCEPTED]), distinct=True),
        accepted=Count("review_assignments", filter=Q(review_assignments__state=AssignmentState.ACCEPTED),
                       distinct=True),
    ).order_by("number"))
    drawn = set(PanelDraw.objects.filter(bang__in=bangs).values_list("bang_id", flat=True))
    decisions = decisions_of(bang_list)
    for bang in bangs:
        bang.drawn = bang.pk in drawn
        bang.decision = decisions.get(bang.pk)
    now = timezone.now()
    return render(request, "reviews/list_review.html", {
        "bang_list": bang_list, "plan": plan, "bangs": bangs, "not_entered": not_entered(bang_list),
        "proposed": any(b.decision is not None and b.decision.state == DecisionState.PROPOSED for b in bangs),
        "closed": plan.scoring_closed(now), "late": late_experts(plan) if plan.scoring_closed(now) or
        plan.deadline <= now else [], "activity": activity_list_for(plan),
        "deadline_form": DeadlineForm(), "reason_form": ReasonForm(),
    })


@login_required
def review_open(request, pk: int):
    bang_list = _staff_list(request, pk)
    if ReviewPlan.objects.filter(bang_list=bang_list).exists():
        if request.method == "POST":
            messages.error(request, _("该榜单的评审已经启动，不能重复启动。"))
        return redirect("reviews:list", pk=pk)
    refusal = services.review_open_refusal(bang_list)
    data = request.POST if request.method == "POST" else None
    form = PlanForm(data)
    rubric = CriterionFormSet(data, initial=default_rubric(), prefix="criteria")
    if request.method == "POST" and not refusal:
        if form.is_valid() and rubric.is_valid():
            try:
                services.review_open(bang_list=bang_list, by=request.user, plan=form.cleaned_data,
                                     criteria=formset_rows(rubric))
            except ValidationError as error:
                _apply_errors(form, error)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("评审已启动。请为各技术榜抽取评审专家。"))
                return redirect("reviews:list", pk=pk)
        messages.error(request, _("未能启动评审，请按提示修改。您填写的内容仍在页面上。"))
    eligible = Application.objects.filter(bang__bang_list=bang_list, state=ApplicationState.ELIGIBLE).count()
    return render(request, "reviews/open.html", {
        "bang_list": bang_list, "form": form, "rubric": rubric, "refusal": refusal, "eligible": eligible,
        "not_entered": not_entered(bang_list) if not refusal else [],
    })


@login_required
def rubric_edit(request, pk: int):
    bang_list = _staff_list(request, pk)
    plan = _plan(bang_list)
    initial = [{"name": c.name, "weight": c.weight, "max_score": c.max_score} for c in plan.criteria.all()]
    rubric = CriterionFormSet(request.POST if request.method == "POST" else None, initial=initial, prefix="criteria")
    error = None
    if request.method == "POST":
        if rubric.is_valid():
            try:
                services.rubric_save(plan=plan, criteria=formset_rows(rubric), by=request.user)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("reviews:list", pk=pk)
            else:
                messages.success(request, _("评分标准已保存。"))
                return redirect("reviews:list", pk=pk)
        messages.error(request, error or _("未能保存，请按提示修改。"))
    return render(request, "reviews/rubric.html", {"bang_list": bang_list, "plan": plan, "rubric": rubric,
                                                   "error": error})


@login_required
@require_POST
def deadline_change(request, pk: int):
    bang_list = _staff_list(request, pk)
    plan = _plan(bang_list)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        perform(request, lambda: services.plan_deadline_change(plan=plan, by=request.user, **form.cleaned_data),
                success=_("评审截止时间已调整。"))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("reviews:list", pk=pk)


@login_required
@require_POST
def scoring_close(request, pk: int):
    bang_list = _staff_list(request, pk)
    plan = _plan(bang_list)
    perform(request, lambda: services.scoring_close(plan=plan, by=request.user),
            success=_("评分已结束，已请发榜企业发表合作意见。"))
    return redirect("reviews:list", pk=pk)


@login_required
def bang_panel(request, pk: int):
    """A bang's panel: the draw (or the form to make it), each seat and its state, the reserve."""
    bang = _staff_bang(request, pk)
    plan = _plan(bang.bang_list)
    record = PanelDraw.objects.filter(bang=bang).first()
    form = DrawForm(request.POST if request.method == "POST" else None, bang=bang)
    if request.method == "POST" and record is not None:
        messages.error(request, _("该技术榜已抽取评审组，不能重复抽取；缺员从候补中依序递补。"))
        return redirect("reviews:panel", pk=pk)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.panel_draw(bang=bang, by=request.user,
                                    extra_field_ids=[f.pk for f in form.cleaned_data["extra_fields"]],
                                    widen_reason=form.cleaned_data["widen_reason"])
            except ValidationError as error:
                _apply_errors(form, error)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("评审组已抽取，邀请已发出。"))
                return redirect("reviews:panel", pk=pk)
    seats = panel_seats(bang)
    used = {s.expert_id for s in seats}
    reserve = []
    if record is not None:
        names = {c["id"]: c for c in record.candidates}
        reserve = [{**names[e], "position": record.order.index(e) + 1} for e in record.reserve if e not in used]
    return render(request, "reviews/panel.html", {
        "bang": bang, "plan": plan, "record": record, "form": form, "seats": seats, "reserve": reserve,
        "reason_form": ReasonForm(), "activity": activity_list_for(record) if record else [],
        "entered": bang.applications.filter(state__in=IN_REVIEW).count(),
        "short": record is not None and sum(1 for s in seats if s.state in (
            AssignmentState.INVITED, AssignmentState.ACCEPTED)) < record.size,
    })


@login_required
def draw_replay(request, pk: int):
    """Recompute the draw from its record and show whether it matches, with each candidate's hash."""
    record = get_object_or_404(PanelDraw.objects.select_related("bang__bang_list", "drawn_by")
                               .filter(bang__bang_list__in=bang_list_for_organiser(request.user)), pk=pk)
    if not request.user.has_perm("reviews.manage_review", record.bang.bang_list):
        raise PermissionDenied
    from .draw import place

    matches, again = services.replay(record)
    names = {c["id"]: c for c in record.candidates}
    rows = [{**names[e], "place": place(record.seed, e), "position": i + 1, "on_panel": e in again.panel}
            for i, e in enumerate(again.order)]
    return render(request, "reviews/replay.html", {"record": record, "matches": matches, "again": again,
                                                   "rows": rows})


@login_required
@require_POST
def assignment_remove(request, pk: int):
    seat = get_object_or_404(Assignment.objects.select_related("bang__bang_list")
                             .filter(bang__bang_list__in=bang_list_for_organiser(request.user)), pk=pk)
    if not request.user.has_perm("reviews.manage_review", seat.bang.bang_list):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_messages(request, form)
    else:
        perform(request, lambda: services.assignment_remove(assignment=seat, by=request.user,
                                                            reason=form.cleaned_data["reason"]),
                success=_("已移出，并按候补顺序递补。"))
    return redirect("reviews:panel", pk=seat.bang_id)


@login_required
def ranking(request, pk: int):
    """Staff: the ranking with every expert's total, the spread, the enterprise's opinion, and the proposal."""
    bang = _staff_bang(request, pk)
    plan = _plan(bang.bang_list)
    rows = bang_ranking(bang, plan)
    seats = list(Assignment.objects.filter(bang=bang, state=AssignmentState.ACCEPTED).select_related("expert")
                 .prefetch_related("scores").order_by("position"))
    for row in rows:
        row.cells = [row.expert_totals.get(s.expert_id) for s in seats]
    names = {row.pk: row.lead_name for row in rows}
    for seat in seats:
        seat.submitted = [(score, names.get(score.application_id, "")) for score in seat.scores.all()
                          if score.state == ScoreState.SUBMITTED]
    decision = live_decision(bang)
    closed = plan.scoring_closed()
    proposal = ProposalForm(request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST" and decision is not None:
        messages.error(request, _("该技术榜已有拟定结果；如需改变，请先撤销。"))
        return redirect("reviews:ranking", pk=pk)
    if request.method == "POST":
        if proposal.is_valid():
            try:
                services.award_propose(bang=bang, by=request.user,
                                       application_ids=parse_ids(proposal.cleaned_data["applications"]),
                                       passover_reason=proposal.cleaned_data["passover_reason"],
                                       declined_reason=proposal.cleaned_data["declined_reason"],
                                       override_reason=proposal.cleaned_data["override_reason"],
                                       override_approver=proposal.cleaned_data["override_approver"])
            except ValidationError as error:
                _apply_errors(proposal, error)
            except DomainError as error:
                proposal.add_error(None, error.message)
            else:
                messages.success(request, _("已拟定揭榜团队（待公示）。"))
                return redirect("reviews:ranking", pk=pk)
        messages.error(request, _("未能拟定，请按提示修改。"))
    carry_lists = BangList.objects.filter(organiser_id=bang.bang_list.organiser_id, state=BangListState.DRAFT) \
        .exclude(bangs__carried_from=bang)
    return render(request, "reviews/ranking.html", {
        "bang": bang, "plan": plan, "rows": rows, "seats": seats, "decision": decision, "closed": closed,
        "proposal": proposal, "picked": request.POST.getlist("applications") if request.method == "POST" else [],
        "reason_form": ReasonForm(), "carry_form": CarryForm(lists=carry_lists),
        "cap": bang.subsidy_cap, "history": BangDecision.objects.filter(bang=bang).order_by("-decided_at"),
        "decision_activity": activity_list_for(decision) if decision else [],
    })


@login_required
@require_POST
def bang_unawarded(request, pk: int):
    bang = _staff_bang(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_messages(request, form)
    else:
        perform(request, lambda: services.bang_unawarded(bang=bang, by=request.user, reason=form.cleaned_data["reason"]),
                success=_("已标记为未揭榜。"))
    return redirect("reviews:ranking", pk=pk)


@login_required
def ranking_export(request, pk: int):
    """The list's ranking sheet (Excel): staff of its organiser only."""
    import tempfile

    from django.http import FileResponse

    from .exports import ranking_workbook

    bang_list = _staff_list(request, pk)
    plan = _plan(bang_list)
    bangs = list(bang_list.bangs.order_by("number"))
    out = tempfile.TemporaryFile()
    ranking_workbook(((bang, bang_ranking(bang, plan)) for bang in bangs), out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"ranking-{bang_list.pk}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
def opinion_pdf(request, pk: int):
    """专家组意见 of one bang, printable, with a signature line per panel member."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    from core.pdf import html_to_pdf

    bang = _staff_bang(request, pk)
    plan = _plan(bang.bang_list)
    rows = bang_ranking(bang, plan)
    comments: dict[int, list[str]] = {}
    for application_id, comment in counted_scores(application__bang=bang).order_by("pk").values_list(
            "application_id", "comment"):
        comments.setdefault(application_id, []).append(comment)
    for row in rows:
        row.comments = comments.get(row.pk, [])
        row.recommend = row.recommendations.get("recommend", 0)
        row.after_changes = row.recommendations.get("after_changes", 0)
        row.reject = row.recommendations.get("reject", 0)
    seats = list(Assignment.objects.filter(bang=bang, state=AssignmentState.ACCEPTED)
                 .select_related("expert__expert_profile__unit").order_by("position"))
    html = render_to_string("pdf/panel_opinion.html", {"bang": bang, "plan": plan, "rows": rows, "seats": seats,
                                                       "now": timezone.now()})
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="panel-opinion-{bang.pk}.pdf"'
    return response


def _staff_decision(request, pk: int) -> BangDecision:
    decision = get_object_or_404(BangDecision.objects.select_related("bang__bang_list")
                                 .filter(bang__bang_list__in=bang_list_for_organiser(request.user)), pk=pk)
    if not request.user.has_perm("reviews.manage_review", decision.bang.bang_list):
        raise PermissionDenied
    return decision


@login_required
@require_POST
def decision_withdraw(request, pk: int):
    decision = _staff_decision(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_messages(request, form)
    else:
        perform(request, lambda: services.decision_withdraw(decision=decision, by=request.user,
                                                            reason=form.cleaned_data["reason"]),
                success=_("拟定结果已撤销，可重新拟定。"))
    return redirect("reviews:ranking", pk=decision.bang_id)


@login_required
@require_POST
def decision_carry(request, pk: int):
    decision = _staff_decision(request, pk)
    lists = BangList.objects.filter(organiser_id=decision.bang.bang_list.organiser_id, state=BangListState.DRAFT)
    form = CarryForm(request.POST, lists=lists)
    if not form.is_valid():
        _form_messages(request, form)
        return redirect("reviews:ranking", pk=decision.bang_id)
    new = perform(request, lambda: services.bang_carry_over(decision=decision, into=form.cleaned_data["into"],
                                                            by=request.user),
                  success=_("已转入所选榜单，保留来源。"))
    if new is not None:
        return redirect("bangs:bang_edit", pk=new.pk)
    return redirect("reviews:ranking", pk=decision.bang_id)


def _staff_score(request, pk: int) -> Score:
    # Submitted scores only: a draft is the expert's own until submitted.
    score = get_object_or_404(Score.objects.select_related("assignment__bang__bang_list", "assignment__expert")
                              .filter(assignment__bang__bang_list__in=bang_list_for_organiser(request.user),
                                      state=ScoreState.SUBMITTED), pk=pk)
    if not request.user.has_perm("reviews.manage_review", score.assignment.bang.bang_list):
        raise PermissionDenied
    return score


@login_required
def staff_score(request, pk: int):
    """Staff read one expert's submitted score in full, and may reopen it."""
    score = _staff_score(request, pk)
    plan = _plan(score.assignment.bang.bang_list)
    return render(request, "reviews/staff_score.html", {
        "score": score, "rows": _score_rows(plan, score), "reason_form": ReasonForm(),
        "activity": activity_list_for(score),
    })


@login_required
@require_POST
def score_reopen(request, pk: int):
    score = _staff_score(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_messages(request, form)
    else:
        if perform(request, lambda: services.score_reopen(score=score, by=request.user,
                                                          reason=form.cleaned_data["reason"]),
                   success=_("评分已退回，专家已收到通知。")):
            return redirect("reviews:ranking", pk=score.assignment.bang_id)
    return redirect("reviews:staff_score", pk=pk) if score.state == ScoreState.SUBMITTED \
        else redirect("reviews:ranking", pk=score.assignment.bang_id)


def _score_rows(plan, score):
    return [{"criterion": c, "value": score.values.get(str(c.pk)), "comment": score.criterion_comments.get(str(c.pk), "")}
            for c in plan.criteria.all()]


# --- experts ---------------------------------------------------------------------------------


def _expert_seat(request, pk: int) -> Assignment:
    """One of the user's own seats (another expert's is 404)."""
    if not request.user.has_role(Role.EXPERT):
        raise PermissionDenied
    return get_object_or_404(Assignment.objects.filter(expert_id=request.user.pk)
                             .select_related("bang__bang_list", "bang__field", "expert"), pk=pk)


@login_required
def dashboard(request):
    """The expert's invitations and panels, and each application's score state (four queries)."""
    if not request.user.has_role(Role.EXPERT):
        raise PermissionDenied
    params = FilterParams(request)
    seats = expert_seats(request.user)
    if q := params.text("q"):
        seats = seats.filter(Q(bang__title__icontains=q) | Q(bang__bang_list__title__icontains=q))
    page = paginate(request, seats.order_by("-invited_at", "pk"), 20)
    seats = list(page)
    bang_ids = {s.bang_id for s in seats if s.state == AssignmentState.ACCEPTED}
    owed: dict[int, int] = {}
    for bang_id in Application.objects.filter(bang_id__in=bang_ids, state=ApplicationState.UNDER_REVIEW) \
            .values_list("bang_id", flat=True):
        owed[bang_id] = owed.get(bang_id, 0) + 1
    done: dict[int, int] = {}
    for seat_id in Score.objects.filter(assignment__in=[s.pk for s in seats], state=ScoreState.SUBMITTED,
                                        application__state=ApplicationState.UNDER_REVIEW) \
            .values_list("assignment_id", flat=True):
        done[seat_id] = done.get(seat_id, 0) + 1
    for seat in seats:
        seat.owed, seat.done = owed.get(seat.bang_id, 0), done.get(seat.pk, 0)
        seat.plan = seat.bang.bang_list.review_plan
    return render(request, "reviews/dashboard.html", {
        "page_obj": page, "seats": seats, "querystring": querystring_without_page(request), "filters": request.GET,
        "now": timezone.now(),
    })


@login_required
def assignment(request, pk: int):
    """An invitation (answer it: no conflict, conflict, decline) or an accepted panel's applications."""
    seat = _expert_seat(request, pk)
    plan = seat.bang.bang_list.review_plan
    if request.method == "POST" and seat.state == AssignmentState.ACCEPTED:
        messages.error(request, _("该邀请已处理（%(state)s），不能再次答复。") % {"state": seat.get_state_display()})
        return redirect("reviews:assignment", pk=pk)
    if seat.state == AssignmentState.INVITED:
        form = RespondForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.invitation_respond(assignment=seat, by=request.user, answer=form.cleaned_data["answer"],
                                            reason=form.cleaned_data["reason"])
            except ValidationError as error:
                _apply_errors(form, error)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("reviews:dashboard")
            else:
                answer = form.cleaned_data["answer"]
                messages.success(request, {"accept": _("已接受评审邀请。"), "conflict": _("已申明回避，谢谢。"),
                                           "decline": _("已谢绝本次评审。")}[answer])
                return redirect("reviews:assignment", pk=pk) if answer == "accept" else redirect("reviews:dashboard")
        units = [] if plan.blind else list(
            Application.objects.filter(bang=seat.bang, state=ApplicationState.UNDER_REVIEW)
            .values_list("submitted_summary", flat=True))
        return render(request, "reviews/invitation.html", {"seat": seat, "plan": plan, "form": form,
                                                           "units": units})
    if seat.state != AssignmentState.ACCEPTED:
        raise Http404
    applications = list(Application.objects.filter(bang=seat.bang, state=ApplicationState.UNDER_REVIEW)
                        .only("pk", "number", "bang_id", "submitted_summary").order_by("pk"))
    scores = {s.application_id: s for s in seat.scores.all()}
    for index, application in enumerate(applications, start=1):
        application.my_score = scores.get(application.pk)
        application.label = _("申报%(n)d") % {"n": index} if plan.blind else \
            application.submitted_summary.get("lead", {}).get("name", "")
    return render(request, "reviews/assignment.html", {
        "seat": seat, "plan": plan, "applications": applications, "now": timezone.now(),
        "others_visible": may_see_other_scores(request.user, seat, plan), "reason_form": ReasonForm(),
        "may_leave": plan.accepts_scores() and not any(s.state == ScoreState.SUBMITTED for s in scores.values()),
    })


@login_required
@require_POST
def assignment_conflict(request, pk: int):
    seat = _expert_seat(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        _form_messages(request, form)
        return redirect("reviews:assignment", pk=pk)
    if perform(request, lambda: services.assignment_conflict_later(assignment=seat, by=request.user,
                                                                  reason=form.cleaned_data["reason"]),
               success=_("已申明回避，谢谢。")):
        return redirect("reviews:dashboard")
    return redirect("reviews:assignment", pk=pk)


def _seat_application(request, pk: int, application_pk: int):
    seat = _expert_seat(request, pk)
    if not request.user.has_perm("reviews.score", seat):
        raise Http404
    application = get_object_or_404(
        Application.objects.filter(bang_id=seat.bang_id, state=ApplicationState.UNDER_REVIEW)
        .select_related("decided_version", "bang"), pk=application_pk)
    return seat, application


@login_required
def score(request, pk: int, application_pk: int):
    """The submitted version (as the expert may see it) beside the expert's score form."""
    seat, application = _seat_application(request, pk, application_pk)
    plan = seat.bang.bang_list.review_plan
    criteria = list(plan.criteria.all())
    mine = Score.objects.filter(assignment=seat, application=application).first()
    locked = mine is not None and mine.state == ScoreState.SUBMITTED
    form = ScoreForm(request.POST if request.method == "POST" and not locked else None, criteria=criteria, score=mine)
    if request.method == "POST" and not locked:
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                services.score_save(assignment=seat, application=application, by=request.user, values=form.values(),
                                    comments=form.comments(), comment=form.cleaned_data["comment"],
                                    recommendation=form.cleaned_data["recommendation"],
                                    submit=submit and request.POST.get("confirmed") == "1")
            except ValidationError as error:
                _apply_errors(form, error)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("reviews:score", pk=pk, application_pk=application_pk)
            else:
                if submit and request.POST.get("confirmed") == "1":
                    messages.success(request, _("评分已提交，不能再修改。"))
                    return redirect("reviews:assignment", pk=pk)
                if submit:
                    return redirect("reviews:score_confirm", pk=pk, application_pk=application_pk)
                messages.success(request, _("草稿已保存。"))
                return redirect("reviews:score", pk=pk, application_pk=application_pk)
        messages.error(request, _("未能保存，请按提示修改。您填写的内容仍在页面上。"))
    version = reviewed_version(application)
    data = for_expert(version.data if version else {}, blind=plan.blind)
    attachments = []
    if version is not None and not plan.blind:
        ids = submitted_attachment_ids(application, [version])
        attachments = list(Attachment.objects.filter(pk__in=ids).select_related("item").order_by("item__order"))
    return render(request, "reviews/score.html", {
        "seat": seat, "plan": plan, "application": application, "version": version, "snapshot": data,
        "form": form, "mine": mine, "locked": locked, "rows": _score_rows(plan, mine) if locked else [],
        "attachments": attachments, "accepts": plan.accepts_scores(),
    })


@login_required
def score_confirm(request, pk: int, application_pk: int):
    """What is about to be submitted, with the weighted total; the submit button posts it, confirmed."""
    seat, application = _seat_application(request, pk, application_pk)
    plan = seat.bang.bang_list.review_plan
    mine = Score.objects.filter(assignment=seat, application=application).first()
    if mine is None or mine.state == ScoreState.SUBMITTED:
        return redirect("reviews:score", pk=pk, application_pk=application_pk)
    criteria = list(plan.criteria.all())
    errors = services.score_errors(criteria, mine.values, mine.criterion_comments, mine.comment, mine.recommendation)
    total = None
    if not errors:
        from .aggregate import weighted_total

        total = weighted_total(criteria, mine.values)
    return render(request, "reviews/score_confirm.html", {
        "seat": seat, "application": application, "mine": mine, "rows": _score_rows(plan, mine), "errors": errors,
        "total": total, "form": ScoreForm(criteria=criteria, score=mine),
    })


@login_required
def panel_scores(request, pk: int):
    """The other experts' scores of this panel: only after submitting all of one's own, and only if the
    plan allows it. Never with their names."""
    seat = _expert_seat(request, pk)
    plan = seat.bang.bang_list.review_plan
    if not may_see_other_scores(request.user, seat, plan):
        raise Http404
    rows = list(counted_scores(assignment__bang=seat.bang).exclude(assignment=seat)
                .select_related("application").order_by("application_id", "pk"))
    # The same labels as the panel's page: "申报1", "申报2" … in blind review, else the lead's name.
    order = list(Application.objects.filter(bang=seat.bang, state__in=IN_REVIEW)
                 .order_by("pk").values_list("pk", flat=True))
    for score in rows:
        score.label = (_("申报%(n)d") % {"n": order.index(score.application_id) + 1}
                       if plan.blind else score.application.submitted_summary.get("lead", {}).get("name", ""))
    return render(request, "reviews/panel_scores.html", {"seat": seat, "rows": rows, "plan": plan})


@login_required
def seat_attachment(request, pk: int, attachment_pk: int):
    """An attachment of a submitted version, served through the seat's permission."""
    seat = _expert_seat(request, pk)
    if not request.user.has_perm("reviews.score", seat) or seat.bang.bang_list.review_plan.blind:
        raise Http404
    attachment = get_object_or_404(Attachment.objects.select_related("application"), pk=attachment_pk,
                                   application__bang_id=seat.bang_id,
                                   application__state=ApplicationState.UNDER_REVIEW)
    version = reviewed_version(attachment.application)
    if version is None or attachment.pk not in submitted_attachment_ids(attachment.application, [version]):
        raise Http404
    return file_response(attachment.file, attachment.original_name)


# --- the issuing enterprise ------------------------------------------------------------------


@login_required
def enterprise_index(request):
    if not request.user.has_role(Role.ENTERPRISE):
        raise PermissionDenied
    bangs = paginate(request, enterprise_bangs(request.user), 20)
    for bang in bangs:
        bang.closed = bang.bang_list.review_plan.scoring_closed()
    return render(request, "reviews/enterprise_index.html", {"page_obj": bangs, "querystring": ""})


def _enterprise_bang(request, pk: int) -> Bang:
    if not request.user.has_role(Role.ENTERPRISE):
        raise PermissionDenied
    bang = get_object_or_404(enterprise_bangs(request.user), pk=pk)
    if not request.user.has_perm("reviews.enterprise_opinion", bang):
        raise PermissionDenied
    return bang


@login_required
def enterprise_bang(request, pk: int):
    """After scoring: the ranking (aggregate only, never who scored what) and the plans; the opinion."""
    bang = _enterprise_bang(request, pk)
    plan = bang.bang_list.review_plan
    rows = bang_ranking(bang, plan)
    return render(request, "reviews/enterprise_bang.html", {
        "bang": bang, "rows": rows, "form": OpinionForm(), "decided": live_decision(bang) is not None,
    })


@login_required
def enterprise_application(request, pk: int, application_pk: int):
    bang = _enterprise_bang(request, pk)
    application = get_object_or_404(Application.objects.filter(bang=bang, state__in=IN_REVIEW)
                                    .select_related("decided_version"), pk=application_pk)
    version = reviewed_version(application)
    form = OpinionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.enterprise_opinion_record(application=application, by=request.user,
                                                   willing=form.cleaned_data["willing"],
                                                   reason=form.cleaned_data["reason"])
            except ValidationError as error:
                _apply_errors(form, error)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("reviews:enterprise_bang", pk=pk)
            else:
                messages.success(request, _("意见已记录。"))
                return redirect("reviews:enterprise_bang", pk=pk)
        messages.error(request, _("未能记录，请按提示修改。"))
    return render(request, "reviews/enterprise_application.html", {
        "bang": bang, "application": application, "snapshot": for_expert(version.data if version else {}, blind=False),
        "opinion": getattr(application, "enterprise_opinion", None), "form": form,
        "decided": live_decision(bang) is not None,
    })

