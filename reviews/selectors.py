"""What each user may see of the review, and the ranking, in a fixed number of queries."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from applications.enums import ApplicationState
from applications.models import Application
from bangs.models import Bang
from core.models import ActivityLog

from .aggregate import Summary, rank, summarise
from .enums import LIVE_DECISION_STATES, AssignmentState, ScoreState, Visibility
from .models import Assignment, BangDecision, EnterpriseOpinion, ReviewPlan, Score

# The states an application is in once it entered the review.
IN_REVIEW = [ApplicationState.UNDER_REVIEW, ApplicationState.AWARDED, ApplicationState.NOT_AWARDED]


@dataclass
class RankingRow:
    application: Application
    summary: Summary
    expert_totals: dict = field(default_factory=dict)  # expert id → total
    recommendations: dict = field(default_factory=dict)  # recommendation → count
    opinion: EnterpriseOpinion | None = None
    rank: int | None = None

    @property
    def pk(self) -> int:
        return self.application.pk

    @property
    def lead_name(self) -> str:
        return self.application.submitted_summary.get("lead", {}).get("name") or self.application.lead.name

    @property
    def route_label(self) -> str:
        return self.application.submitted_summary.get("fields", {}).get("route_label", "")


def counted_scores(**filters):
    """Submitted scores of experts still on the panel: the only ones that count."""
    return Score.objects.filter(state=ScoreState.SUBMITTED, assignment__state=AssignmentState.ACCEPTED, **filters)


def bang_ranking(bang: Bang, plan: ReviewPlan) -> list[RankingRow]:
    """The bang's applications in the review, ranked by their aggregated score (three queries)."""
    applications = list(Application.objects.filter(bang=bang, state__in=IN_REVIEW).select_related("lead")
                        .only("pk", "state", "number", "bang_id", "lead__name", "submitted_summary"))
    rows = {a.pk: RankingRow(application=a, summary=summarise([], threshold=plan.divergence_threshold))
            for a in applications}
    totals: dict[int, list] = {}
    for application_id, expert_id, total, recommendation in counted_scores(application__bang=bang).values_list(
            "application_id", "assignment__expert_id", "total", "recommendation"):
        if application_id not in rows:
            continue
        totals.setdefault(application_id, []).append(total)
        row = rows[application_id]
        row.expert_totals[expert_id] = total
        row.recommendations[recommendation] = row.recommendations.get(recommendation, 0) + 1
    for application_id, values in totals.items():
        rows[application_id].summary = summarise(values, threshold=plan.divergence_threshold)
    for opinion in EnterpriseOpinion.objects.filter(application__bang=bang):
        if opinion.application_id in rows:
            rows[opinion.application_id].opinion = opinion
    return rank(list(rows.values()))


def panel_seats(bang: Bang) -> list[Assignment]:
    return list(Assignment.objects.filter(bang=bang).select_related("expert", "replaces__expert")
                .order_by("invited_at", "position"))


def live_decision(bang: Bang) -> BangDecision | None:
    return (BangDecision.objects.filter(bang=bang, state__in=LIVE_DECISION_STATES)
            .prefetch_related("awards__application__lead").first())


def late_experts(plan: ReviewPlan) -> list[dict]:
    """Accepted experts with scores still to submit, and how many (for staff after the deadline)."""
    seats = list(Assignment.objects.filter(draw__plan=plan, state=AssignmentState.ACCEPTED)
                 .select_related("expert", "bang").order_by("bang__number", "position"))
    per_bang: dict[int, int] = {}
    for bang_id in Application.objects.filter(bang__bang_list_id=plan.bang_list_id,
                                              state=ApplicationState.UNDER_REVIEW).values_list("bang_id", flat=True):
        per_bang[bang_id] = per_bang.get(bang_id, 0) + 1
    done: dict[int, int] = {}
    for seat_id in Score.objects.filter(assignment__draw__plan=plan, state=ScoreState.SUBMITTED,
                                        application__state=ApplicationState.UNDER_REVIEW).values_list("assignment_id",
                                                                                                      flat=True):
        done[seat_id] = done.get(seat_id, 0) + 1
    late = []
    for seat in seats:
        missing = per_bang.get(seat.bang_id, 0) - done.get(seat.pk, 0)
        if missing > 0:
            late.append({"seat": seat, "missing": missing})
    return late


def not_entered(bang_list) -> list[dict]:
    """Applications of the list that did not enter the review, each with its reason."""
    applications = list(Application.objects.filter(bang__bang_list=bang_list)
                        .exclude(state__in=[*IN_REVIEW, ApplicationState.DRAFT])
                        .select_related("bang", "lead").order_by("bang__number", "pk"))
    from django.contrib.contenttypes.models import ContentType

    notes: dict[int, str] = {}
    if applications:
        logs = ActivityLog.objects.filter(content_type=ContentType.objects.get_for_model(Application),
                                          object_id__in=[a.pk for a in applications], to_state=ApplicationState.INELIGIBLE)
        for log in logs.order_by("created_at"):
            notes[log.object_id] = log.note
    reasons = {
        ApplicationState.SUBMITTED: _("推荐截止时仍未完成形式审查"),
        ApplicationState.RETURNED: _("退回补正后未重新提交"),
        ApplicationState.WITHDRAWN: _("申报单位已撤回"),
    }
    rows = []
    for application in applications:
        if application.state == ApplicationState.INELIGIBLE:
            reason = _("形式审查未通过：%(note)s") % {"note": notes.get(application.pk) or _("未说明")}
        else:
            reason = reasons.get(application.state, application.get_state_display())
        rows.append({"application": application, "reason": reason})
    return rows


def may_see_other_scores(user, seat: Assignment, plan: ReviewPlan) -> bool:
    """An expert sees the other experts' scores of the bang only after submitting every score of their
    own, and only if the plan allows it. Staff are not asked here."""
    if plan.visibility != Visibility.AFTER_SUBMIT or seat.expert_id != user.pk or seat.state != AssignmentState.ACCEPTED:
        return False
    owed = Application.objects.filter(bang_id=seat.bang_id, state=ApplicationState.UNDER_REVIEW).count()
    done = seat.scores.filter(state=ScoreState.SUBMITTED, application__state=ApplicationState.UNDER_REVIEW).count()
    return owed > 0 and done >= owed


def expert_seats(user, *, state: str | None = None):
    """The expert's own seats: pending invitations and accepted ones (never others')."""
    seats = Assignment.objects.filter(expert=user).select_related("bang__bang_list__review_plan", "bang__field")
    if state:
        seats = seats.filter(state=state)
    else:
        seats = seats.filter(state__in=[AssignmentState.INVITED, AssignmentState.ACCEPTED])
    return seats


def enterprise_bangs(user):
    """Bangs the user's unit issued whose review has started (the page says which are open to it)."""
    if user.organisation_id is None:
        return Bang.objects.none()
    entered = Application.objects.filter(state__in=IN_REVIEW).values("bang_id")
    return (Bang.objects.filter(issuers=user.organisation_id, bang_list__review_plan__isnull=False, pk__in=entered)
            .select_related("bang_list__review_plan").order_by("-bang_list__review_plan__opened_at", "number"))


def reviewed_version(application: Application):
    """The version the experts review: the one the preliminary review passed, else the latest."""
    if application.decided_version_id:
        return application.decided_version
    return application.versions.order_by("-number").first()


def decisions_of(bang_list) -> dict[int, BangDecision]:
    return {d.bang_id: d for d in BangDecision.objects.filter(bang__bang_list=bang_list, state__in=LIVE_DECISION_STATES)
            .prefetch_related("awards")}

