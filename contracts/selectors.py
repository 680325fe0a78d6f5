"""Which task books a user may reach. Every view loads through one of these, then checks a rule."""

from django.db.models import Prefetch, Q, QuerySet

from accounts.enums import Role
from reviews.enums import DecisionState
from reviews.models import Award

from .models import SigningParty, TaskBook


def task_books_for(user) -> QuerySet[TaskBook]:
    """The task books of the user's unit (as lead, partner or issuer) and of its organiser's lists."""
    qs = TaskBook.objects.select_related("award__application__lead", "award__decision__bang__bang_list")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if not user.organisation_id:
        return qs.none()
    org = user.organisation_id
    q = Q(pk__in=[])
    if user.has_role(Role.STAFF):
        q |= Q(award__decision__bang__bang_list__organiser_id=org)
    if user.has_role(Role.APPLICANT):
        q |= Q(award__application__lead_id=org) | Q(award__application__submitted_partners=org)
    if user.has_role(Role.ENTERPRISE):
        q |= Q(award__decision__bang__issuers=org)
    return qs.filter(pk__in=TaskBook.objects.filter(q).values("pk"))


def current(task_books: QuerySet[TaskBook]) -> QuerySet[TaskBook]:
    """Only each award's latest revision."""
    return task_books.filter(amendment__isnull=True)


def confirmed_awards(bang_list) -> QuerySet[Award]:
    """The list's confirmed, numbered awards, each with its current revision (`current_books`, at
    most one: the revision no amendment replaced) and that revision's parties. Three queries."""
    latest = (TaskBook.objects.filter(amendment__isnull=True)
              .prefetch_related(Prefetch("parties", queryset=SigningParty.objects.select_related("confirmed_by"))))
    return (Award.objects.filter(decision__bang__bang_list=bang_list, decision__state=DecisionState.CONFIRMED,
                                 project_number__isnull=False)
            .select_related("decision__bang", "application__lead")
            .prefetch_related(Prefetch("task_books", queryset=latest, to_attr="current_books")))


def projects_for(user) -> QuerySet:
    """The projects whose task book the user may read (lead, partner, issuer, organiser staff)."""
    from .models import Project

    return (Project.objects.filter(task_book__in=task_books_for(user).values("pk"))
            .select_related("award__application__lead", "award__decision__bang__bang_list", "task_book"))
