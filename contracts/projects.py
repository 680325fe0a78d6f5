"""A project begins when its task book is in force (issue 13). Shared by the execution services:
opening the project, its stage reports from the schedule, and who may see it."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from core.exceptions import DomainError

from .enums import ReportState
from .models import Project, StageReport, TaskBook


def require(user, perm: str, obj=None) -> None:
    if user is None or not user.has_perm(perm, obj):
        raise DomainError(_("您无权执行此操作。"))


def raise_problems(problems: dict) -> None:
    if problems:
        raise ValidationError(problems)


def lock_project(project: Project) -> Project:
    """The project's row, locked: money, reports, the mid-term and acceptance on one project are
    serialised (two disbursements cannot both read the same amount due)."""
    return (Project.objects.select_for_update(of=("self",))
            .select_related("task_book", "award__application__lead", "award__decision__bang__bang_list__organiser")
            .get(pk=project.pk))


def project_url(project: Project) -> str:
    return reverse("contracts:project_detail", args=[project.pk])


def disbursed_total(project: Project) -> Decimal:
    total = project.disbursements.aggregate(total=Sum("amount"))["total"]
    # SQLite adds decimals as floats: back to the fen the rules compare in.
    return Decimal(str(total or 0)).quantize(Decimal("0.01"))


def _users(org_ids, role) -> list[User]:
    return list(User.objects.filter(organisation_id__in=list(org_ids), is_active=True, role_grants__role=role)
                .distinct())


def lead_users(project: Project) -> list[User]:
    return _users([project.award.application.lead_id], Role.APPLICANT)


def issuer_users(project: Project) -> list[User]:
    return _users(project.award.decision.bang.issuers.values_list("pk", flat=True), Role.ENTERPRISE)


def staff_users(project: Project) -> list[User]:
    return _users([project.award.decision.bang.bang_list.organiser_id], Role.STAFF)


@transaction.atomic
def project_open(task_book: TaskBook) -> Project:
    """The award's project, opened on its first task book in force, moved onto an amendment in force.
    The schedule's stage goals become the stage reports due; a report not yet filed follows the new dates."""
    project = Project.objects.select_for_update().filter(award_id=task_book.award_id).first()
    if project is None:
        project = Project.objects.create(award_id=task_book.award_id, task_book=task_book,
                                         project_number=task_book.project_number,
                                         subsidy=task_book.award.subsidy)
    elif project.task_book_id != task_book.pk:
        project.task_book = task_book
        project.save(update_fields=["task_book", "updated_at"])
    existing = {r.stage: r for r in project.reports.all()}
    for stage, row in enumerate(task_book.content.get("schedule", []), start=1):
        try:
            due = datetime.date.fromisoformat(row.get("due_date", ""))
        except (TypeError, ValueError):
            continue
        report = existing.get(stage)
        if report is None:
            StageReport.objects.create(project=project, stage=stage, goal=row.get("goal", "")[:300], due_date=due)
        elif report.state == ReportState.DUE and (report.due_date != due or report.goal != row.get("goal", "")):
            report.due_date, report.goal = due, row.get("goal", "")[:300]
            report.save(update_fields=["due_date", "goal"])
    return project
