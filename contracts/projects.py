"""A project begins when its task book is in force (issue 13). Shared by the execution services:
opening the project, its stage reports from the schedule, and who may see it."""

import datetime

from django.db import transaction

from .enums import ReportState
from .models import Project, StageReport, TaskBook


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
