from celery import shared_task

from . import services


@shared_task(name="bangs.remind_deadline_soon")
def remind_deadline_soon() -> int:
    """Three days before a list closes, tell its organiser's staff. Safe to run any number of times."""
    return services.deadline_reminders_send()


@shared_task(name="bangs.notify_deadline_passed")
def notify_deadline_passed() -> int:
    """Once a list's deadline has passed, tell its organiser's staff. Safe to run late or twice."""
    return services.deadline_passed_send()
