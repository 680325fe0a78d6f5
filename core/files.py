"""Uploads: checked by content and size, stored under random names, served through views."""

import mimetypes
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
# Office documents only: the download centre's form templates.
DOCUMENT_TYPES = ("pdf", "doc", "docx", "xls", "xlsx")
MAX_NAME = 200  # the original_name columns


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


def validate_upload(upload, allowed=None) -> str:
    """Return the detected extension, or raise ValidationError with a message in Chinese.
    `allowed` narrows ALLOWED_TYPES (a tuple of extensions)."""
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
    if extension not in (allowed or ALLOWED_TYPES):
        label = "、".join(e.upper() for e in allowed) if allowed else ALLOWED_LABEL
        raise ValidationError(
            _("文件内容不是允许的格式（%(allowed)s），请检查后重新上传。") % {"allowed": label},
            code="type",
        )
    return extension


@deconstructible
class RandomUploadPath:
    """upload_to: a random name under `prefix/yyyy/mm/` that reveals nothing of the original."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        # prepare_upload names the file by its content; anything else is stored without a suffix,
        # so a stored name never carries a type (say .html) that the content was not checked for.
        ext = os.path.splitext(filename)[1].lower().lstrip(".")
        suffix = f".{ext}" if ext in ALLOWED_TYPES else ""
        return f"{self.prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other):
        return isinstance(other, RandomUploadPath) and other.prefix == self.prefix


def typed_name(name: str, extension: str) -> str:
    """The user's base name with the extension the content shows: a PNG sent as scan.pdf is scan.png."""
    base = os.path.basename(name or "").strip()
    stem, suffix = os.path.splitext(f"x{base}")  # the "x" makes ".pdf" a suffix, not a stem
    stem = stem[1:]
    # Drop a suffix only if it is a file type ("报告.pdf"), not part of a title ("第1.2版").
    if suffix and mimetypes.guess_type(f"x{suffix}")[0] is not None:
        base = stem.strip()
    base = base or "file"
    return f"{base[:MAX_NAME - len(extension) - 1]}.{extension}"


def prepare_upload(upload, allowed=None) -> tuple[str, str]:
    """Validate `upload`; rename it to its real type. Returns (name to show and serve, extension).

    The name is the user's base name with the detected extension, so what is listed is what is served.
    """
    extension = validate_upload(upload, allowed)
    original = typed_name(upload.name, extension)
    upload.name = f"upload.{extension}"
    return original, extension


def upload_sha256(upload) -> str:
    """The SHA-256 of an upload's content, read in chunks; the file is left at its start."""
    import hashlib

    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def stored_extension(field_file) -> str | None:
    """The type a stored file was saved as (prepare_upload names it by content), else sniffed again."""
    extension = os.path.splitext(field_file.name)[1].lower().lstrip(".")
    if extension in ALLOWED_TYPES:
        return extension
    with field_file.open("rb") as handle:
        return detect_extension(handle)


def file_response(field_file, filename: str):
    """Serve a stored file as a download with the type its content shows, or 404 if it has gone.

    The download keeps the user's base name with the real extension and Content-Type, and
    browsers are told not to guess another type (nosniff).
    """
    from django.http import FileResponse, Http404

    if not field_file or not field_file.storage.exists(field_file.name):
        raise Http404("file missing")
    extension = stored_extension(field_file)
    if extension in ALLOWED_TYPES:
        filename, content_type = typed_name(filename, extension), ALLOWED_TYPES[extension]
    else:
        content_type = "application/octet-stream"
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
