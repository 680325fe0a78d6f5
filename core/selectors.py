from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from .models import ActivityLog


def activity_list_for(target: Model) -> QuerySet[ActivityLog]:
    return ActivityLog.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).select_related("actor")
