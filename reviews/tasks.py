from celery import shared_task

from . import services


@shared_task(name="reviews.expire_invitations")
def expire_invitations() -> int:
    """Invitations past their response deadline: expired, each seat filled from the reserve in order.
    The request path refuses a late answer by itself; this only moves the seat on."""
    return services.invitations_expire()


@shared_task(name="reviews.remind_scores")
def remind_scores() -> int:
    """3 days and 1 day before a review deadline, and once when overdue: each once per seat."""
    return services.score_reminders_send()
