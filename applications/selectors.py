from django.db.models import Case, Count, F, Q, QuerySet, When
from django.utils.translation import gettext as _

from accounts.enums import Role
from core.selectors import activity_latest_into

from .enums import ApplicationState
from .models import Application


def application_visibility_q(user) -> Q:
    """Applicants see their unit's; partners theirs, read-only; recommenders what is routed to them;
    organiser staff their lists'. Issuing enterprises and experts see nothing at this stage."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return ~Q(state=ApplicationState.DRAFT)
    org = user.organisation_id
    visible = Q(pk__in=[])
    if org is None:
        return visible
    submitted = ~Q(state=ApplicationState.DRAFT)
    if user.has_role(Role.APPLICANT):
        visible |= Q(lead_id=org)
        # Only a verified unit reads the applications that name it as a partner: anyone can register
        # a credit code nobody holds (or claim a placeholder an applicant typed in), and staff
        # verification is what shows the registrant really is that unit.
        # The partners of the submitted version, not of a revision the lead has not submitted.
        named = Application.submitted_partners.through.objects.filter(
            organisation_id=org, organisation__is_verified=True)
        visible |= submitted & Q(pk__in=named.values("application_id"))
    if user.has_role(Role.RECOMMENDER):
        visible |= submitted & Q(recommender_id=org)
    if user.has_role(Role.STAFF):
        visible |= submitted & Q(bang__bang_list__organiser_id=org)
    return visible


def application_list_for_user(user) -> QuerySet[Application]:
    return Application.objects.select_related("bang__bang_list", "lead__region__parent", "recommender").filter(
        application_visibility_q(user)
    )


# The columns a row of the review queue or the 项目汇总表 shows (with `submitted_summary`), and no
# more: a page that loads every column of seven joined tables spends more on them than on the page.
ROW_FIELDS = (
    "number", "state", "submitted_at", "submitted_summary", "bang__number", "bang__title", "bang__kind",
    "bang__total_investment", "bang__subsidy_override", "lead__name",
)
REGION_FIELDS = ("lead__region__name", "lead__region__level", "lead__region__parent__name")


def application_rows(queryset: QuerySet[Application], *, region: bool = False) -> QuerySet[Application]:
    """Only what a list row shows (ROW_FIELDS), and the lead's region if the row shows it."""
    if region:
        return queryset.select_related(None).select_related("bang", "lead__region__parent").only(
            *ROW_FIELDS, *REGION_FIELDS)
    return queryset.select_related(None).select_related("bang", "lead").only(*ROW_FIELDS)


def submitted_attachment_ids(application: Application, versions) -> set[int]:
    """The attachments named in these submitted versions: what reviewers may open.

    Versions record each file's id; versions made before ids were recorded are matched by hash.
    """
    ids: set[int] = set()
    hashes: set[str] = set()
    for version in versions:
        for row in version.data.get("attachments", []):
            if "id" in row:
                ids.add(row["id"])
            else:
                hashes.add(row.get("sha256", ""))
    if hashes:
        ids |= set(application.attachments.filter(sha256__in=hashes).values_list("pk", flat=True))
    return ids


def application_todo_for_user(user) -> QuerySet[Application]:
    """The unit's applications that wait for the applicant: drafts and returned ones, with `due`
    (the correction deadline of a returned one, else its list's deadline), nearest first."""
    if not user.has_role(Role.APPLICANT) or not user.organisation_id:
        return Application.objects.none()
    due = Case(
        When(state=ApplicationState.RETURNED, then=F("correction_deadline")),
        default=F("bang__bang_list__deadline"),
    )
    return (
        Application.objects.select_related("bang__bang_list")
        .filter(lead_id=user.organisation_id, state__in=[ApplicationState.DRAFT, ApplicationState.RETURNED])
        .annotate(due=due)
        .order_by(F("due").asc(nulls_last=True), "pk")
    )


def application_state_counts(queryset: QuerySet[Application], states) -> dict[str, int]:
    """How many of `queryset` are in each of `states`, in one query."""
    counts = queryset.order_by().aggregate(**{state: Count("pk", filter=Q(state=state)) for state in states})
    return {state: counts[state] or 0 for state in states}


def application_precheck_q(user) -> Q:
    """What waits for the user's pre-check once submitted: for a recommender, what is routed to its
    unit, except its own unit's; for organiser staff, its lists' applications that no recommender
    was routed (they check those directly, see services.preliminary_reviewers)."""
    mine = Q(pk__in=[])
    if not user.organisation_id:
        return mine
    if user.has_role(Role.RECOMMENDER):
        mine |= Q(recommender_id=user.organisation_id) & ~Q(lead_id=user.organisation_id)
    if user.has_role(Role.STAFF):
        mine |= Q(recommender__isnull=True, bang__bang_list__organiser_id=user.organisation_id)
    return mine


def application_precheck_for_user(user) -> QuerySet[Application]:
    """Submitted applications waiting for the user's pre-check, nearest recommendation deadline first."""
    return (
        application_list_for_user(user)
        .filter(application_precheck_q(user), state=ApplicationState.SUBMITTED)
        .order_by(F("bang__bang_list__recommend_deadline").asc(nulls_last=True), "submitted_at", "pk")
    )


def application_return_reason(application: Application) -> str:
    """What the reviewer asked to be corrected when the application was last returned.

    `application_return` writes the reason followed by the correction deadline (and `_decide` the
    version decided on); the page shows the deadline on its own, so only the reason is kept here.
    """
    entry = activity_latest_into(application, ApplicationState.RETURNED)
    if entry is None:
        return ""
    reason, marker, _rest = entry.note.rpartition("\n" + _("补正截止："))
    return reason if marker else entry.note


def avoided_in(data: dict) -> list[dict]:
    """The experts a submitted version (its `data`) asked not to be reviewed by, as
    [{"name", "unit", "reason"}]; none for versions made before the avoid list existed.

    For drawing experts and for the lead and pre-checkers; never for a page experts see."""
    return [
        {"name": row.get("name", ""), "unit": row.get("unit", ""), "reason": row.get("reason", "")}
        for row in (data or {}).get("avoid") or []
    ]
