"""Scoped querysets for the staff and lead-unit pages of notices (issue 11)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.enums import Role
from accounts.rules import is_portal_staff
from bangs.selectors import bang_list_for_organiser
from reviews.models import Award

from .enums import ObjectionState
from .models import Notice, Objection, ResponseRequest

# Accepted for handling and not decided: the handling deadline runs.
HANDLING = [ObjectionState.ACCEPTED, ObjectionState.INVESTIGATING]


def notices_for_organiser(user) -> QuerySet[Notice]:
    if not is_portal_staff(user):
        return Notice.objects.none()
    return Notice.objects.filter(bang_list__in=bang_list_for_organiser(user)).select_related("bang_list")


def objections_for_organiser(user) -> QuerySet[Objection]:
    """The objections on the notices of the user's organiser (none for anyone but its staff)."""
    if not is_portal_staff(user):
        return Objection.objects.none()
    return Objection.objects.filter(entry__notice__bang_list__in=bang_list_for_organiser(user))


def overdue_q(now=None) -> Q:
    return Q(state__in=HANDLING, handling_deadline__lt=now or timezone.now())


def response_requests_for_lead(user) -> QuerySet[ResponseRequest]:
    """Requests addressed to the user's unit as lead of an award the objection is about."""
    if not (user.is_authenticated and user.organisation_id and user.has_role(Role.APPLICANT)):
        return ResponseRequest.objects.none()
    decisions = Award.objects.filter(application__lead_id=user.organisation_id).values("decision_id")
    return ResponseRequest.objects.filter(objection__entry__decision_id__in=decisions)


def approval_awards_for(user) -> QuerySet[Award]:
    """Confirmed awards (with a project number) the user may print the 立项通知 of."""
    confirmed = Award.objects.filter(project_number__isnull=False)
    if not user.is_authenticated:
        return confirmed.none()
    scope = Q(pk__in=[])
    if is_portal_staff(user):
        scope |= Q(decision__bang__bang_list__in=bang_list_for_organiser(user))
    if user.organisation_id and user.has_role(Role.APPLICANT):
        scope |= Q(application__lead_id=user.organisation_id)
    return confirmed.filter(scope)
