"""Attachments: stored and served as the type their content shows; refusals read the same everywhere."""

import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services

from ..factories import make_bang_list
from .helpers import PDF, make_applicant

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    """A 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture
def draft(organiser_staff):
    lead = make_applicant()
    application = services.application_start(bang=make_bang_list(by=organiser_staff).bangs.get(), by=lead)
    item = services.required_checklist(application)[0]
    return {"application": application, "lead": lead, "item": item,
            "url": reverse("applications:upload", args=[application.pk, item.pk])}


def test_png_named_pdf_is_listed_and_downloaded_as_png(client, draft):
    client.force_login(draft["lead"])
    client.post(draft["url"], {"file": SimpleUploadedFile("scan.pdf", png_bytes(), content_type="application/pdf")})
    attachment = draft["application"].attachments.get()
    assert attachment.file.name.endswith(".png")
    page = client.get(reverse("applications:edit", args=[draft["application"].pk])).content.decode()
    assert "scan.png" in page and "scan.pdf" not in page

    response = client.get(reverse("applications:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="scan.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()


def test_download_of_an_older_record_named_pdf_still_says_png(client, draft):
    client.force_login(draft["lead"])
    client.post(draft["url"], {"file": SimpleUploadedFile("扫描件.pdf", png_bytes())})
    attachment = draft["application"].attachments.get()
    attachment.original_name = "扫描件.pdf"  # as stored before names followed the content
    attachment.save(update_fields=["original_name"])
    response = client.get(reverse("applications:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E6%89%AB%E6%8F%8F%E4%BB%B6.png"


def test_real_pdf_keeps_its_name_and_type(client, draft):
    client.force_login(draft["lead"])
    client.post(draft["url"], {"file": SimpleUploadedFile("承诺书.pdf", PDF)})
    response = client.get(reverse("applications:attachment", args=[draft["application"].attachments.get().pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E6%89%BF%E8%AF%BA%E4%B9%A6.pdf"


def test_empty_file_is_refused_as_empty(client, draft):
    client.force_login(draft["lead"])
    empty = SimpleUploadedFile("承诺书.pdf", b"")
    response = client.post(draft["url"], {"file": empty}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "文件为空。"}

    response = client.post(draft["url"], {"file": SimpleUploadedFile("承诺书.pdf", b"")}, follow=True)
    assert "文件为空。" in response.content.decode()
    assert not draft["application"].attachments.exists()


def test_upload_answers_json_with_the_new_row(client, draft):
    client.force_login(draft["lead"])
    response = client.post(draft["url"], {"file": SimpleUploadedFile("承诺书.pdf", PDF)},
                           HTTP_ACCEPT="application/json")
    attachment = draft["application"].attachments.get()
    body = response.json()
    assert response.status_code == 200 and body["ok"] is True
    assert body["message"] == "附件已上传。"
    assert "承诺书.pdf" in body["html"]
    assert reverse("applications:attachment", args=[attachment.pk]) in body["html"]


def test_edit_page_says_to_save_first_when_scripts_are_off(client, draft):
    client.force_login(draft["lead"])
    page = client.get(reverse("applications:edit", args=[draft["application"].pk])).content.decode()
    notice = re.search(r'<noscript><div [^>]*data-testid="upload-save-first">(.*?)</div></noscript>', page)
    assert notice and "请先点击“保存草稿”，再上传附件" in notice.group(1)
