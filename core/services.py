from collections.abc import Mapping

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
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


@transaction.atomic
def form_template_save(*, template, title: str, description: str, order: int, upload, by):
    """Create a 下载中心 entry or replace its file; the file is checked by content and renamed to its
    real type. Logged with the new file's SHA-256, so which version was offered when can be traced."""
    import hashlib

    from .files import DOCUMENT_TYPES, prepare_upload
    from .models import FormTemplate

    template = FormTemplate.objects.select_for_update().get(pk=template.pk) if template.pk else FormTemplate()
    if not template.pk and upload is None:
        raise ValidationError({"upload": _("请选择要上传的文件。")})
    template.title, template.description, template.order = title.strip(), description.strip(), order
    note = template.title
    if upload is not None:
        try:
            original, _extension = prepare_upload(upload, DOCUMENT_TYPES)
        except ValidationError as error:
            raise ValidationError({"upload": error.messages}) from error
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        template.file, template.original_name, template.size = upload, original, upload.size
        template.sha256 = digest.hexdigest()
        note = f"{template.title}：{original}（SHA-256 {template.sha256[:12]}…）"
    template.updated_at, template.updated_by = timezone.now(), by
    created = template.pk is None
    template.save()
    activity_record(target=template, by=by, action=_("上传表格模板") if created else _("更新表格模板"), note=note)
    return template
