from celery import shared_task

from . import services


@shared_task(name="applications.remind_drafts")
def remind_drafts() -> int:
    """3 days and 1 day before a deadline, remind units whose application is still a draft (once each)."""
    return services.draft_reminders_send()


@shared_task(name="applications.notify_recommenders")
def notify_recommenders() -> int:
    """Catch-up: every submission's reviewers have been told (idempotent by event key)."""
    return services.recommender_notices_send()


@shared_task(name="applications.send_deadline_summaries")
def send_deadline_summaries() -> int:
    """After a list's deadline, send its organiser a summary (once per deadline)."""
    return services.deadline_summaries_send()
