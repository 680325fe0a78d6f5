"""Uploads: checked by content and size, stored under random names, served through views."""

import os
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
ALLOWED_LABEL = "PDF、DOC、DOCX、XLS、XLSX、JPG、PNG"


def detect_extension(upload) -> str | None:
    """The file's real type from its first bytes, whatever its name says."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None:
        return None
    # Office formats are told apart by their content, which may sit beyond the first bytes.
    if kind.extension in {"zip", "docx", "xlsx"}:
        upload.seek(0)
        guessed = filetype.guess(upload.read())
        upload.seek(0)
        return guessed.extension if guessed else None
    return kind.extension


def validate_upload(upload) -> str:
    """Return the detected extension, or raise ValidationError with a message in Chinese."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("文件大小为%(size).1fMB，超过了%(limit)dMB的限制。")
            % {"size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("文件为空。"), code="empty")
    extension = detect_extension(upload)
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("文件内容不是允许的格式（%(allowed)s），请检查后重新上传。") % {"allowed": ALLOWED_LABEL},
            code="type",
        )
    return extension


@deconstructible
class RandomUploadPath:
    """upload_to: a random name under `prefix/yyyy/mm/` that reveals nothing of the original."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        ext = os.path.splitext(filename)[1].lower()[:8]
        return f"{self.prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"

    def __eq__(self, other):
        return isinstance(other, RandomUploadPath) and other.prefix == self.prefix


def prepare_upload(upload) -> tuple[str, str]:
    """Validate `upload`; rename it to its real type. Returns (original name, extension)."""
    original = os.path.basename(upload.name or "")[:200]
    extension = validate_upload(upload)
    upload.name = f"upload.{extension}"
    return original, extension


def file_response(field_file, filename: str):
    """Serve a stored file as a download, or 404 if it has gone from storage."""
    from django.http import FileResponse, Http404

    if not field_file or not field_file.storage.exists(field_file.name):
        raise Http404("file missing")
    return FileResponse(field_file.open("rb"), as_attachment=True, filename=filename)
