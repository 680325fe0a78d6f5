from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from .models import ActivityLog


def activity_list_for(target: Model) -> QuerySet[ActivityLog]:
    return ActivityLog.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).select_related("actor")


def activity_latest_into(target: Model, state: str) -> ActivityLog | None:
    """The latest entry that moved `target` into `state`: where the reason for that state was written."""
    return activity_list_for(target).filter(to_state=state).order_by("-created_at", "-id").first()
