from collections.abc import Mapping

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from .exceptions import TransitionError
from .models import ActivityLog


def activity_record(
    *,
    target: models.Model,
    by,
    action: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    internal_note: str = "",
) -> ActivityLog:
    """Append one row to the activity log of `target`."""
    return ActivityLog.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        actor=by if (by is not None and by.is_authenticated) else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        internal_note=internal_note,
    )


def state_transition(
    *,
    obj: models.Model,
    to: str,
    by,
    table: Mapping[str, set[str]],
    action: str,
    note: str = "",
    internal_note: str = "",
    fields: Mapping[str, object] | None = None,
    labels: Mapping[str, str] | None = None,
) -> ActivityLog:
    """Move `obj` (already locked by the caller) from its state to `to`, or raise TransitionError.

    Saves the state and `fields` with update_fields and writes the activity log. The caller owns
    the transaction and the row lock, so the check and the write see the same state.
    """
    current = obj.state
    if to not in table.get(current, set()):
        labels = labels or {}
        raise TransitionError(
            _("当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"state": labels.get(current, current), "action": action}
        )
    obj.state = to
    update_fields = ["state"]
    for name, value in (fields or {}).items():
        setattr(obj, name, value)
        update_fields.append(name)
    if hasattr(obj, "updated_at"):
        update_fields.append("updated_at")
    obj.save(update_fields=update_fields)
    return activity_record(
        target=obj, by=by, action=action, from_state=current, to_state=to, note=note,
        internal_note=internal_note,
    )


@transaction.atomic
def calendar_day_set(*, date, is_workday: bool, name: str, by):
    """Record a holiday or make-up working day for a year the calendar package does not cover."""
    from .models import CalendarDay

    day, created = CalendarDay.objects.update_or_create(
        date=date, defaults={"is_workday": is_workday, "name": name, "created_by": by}
    )
    activity_record(target=day, by=by, action=_("录入节假日") if created else _("修改节假日"),
                    note=f"{date} {name} {'上班' if is_workday else '休息'}")
    return day
