"""Beat: draft the task books of newly confirmed awards, and remind the parties that have not signed.
Both are idempotent: a drafted award is skipped, and each reminder is claimed on its party's row."""

from celery import shared_task

from . import services


@shared_task(name="contracts.draft_due")
def draft_due() -> int:
    """A draft for every confirmed award that has no task book yet."""
    return services.drafts_create_due()


@shared_task(name="contracts.remind_signing")
def remind_signing() -> int:
    """One reminder per party that has not signed an issued task book."""
    return services.signing_reminders_send()


@shared_task(name="contracts.remind_reports")
def remind_reports() -> int:
    """Stage reports not yet filed: a reminder 14 and 3 days before the due date and once overdue,
    each claimed on the report's row, so running this again (or twice at once) sends nothing new."""
    from . import reports

    return reports.reports_remind()
