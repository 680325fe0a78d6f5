"""Files attached to a list: served as the type their content shows; uploaded without a page reload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangs.models import ListFile

from ..applications.test_uploads import png_bytes
from ..factories import make_bang_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def bang_list(organiser_staff):
    return make_bang_list(by=organiser_staff)


def test_png_named_pdf_downloads_as_png(client, organiser_staff, bang_list):
    client.force_login(organiser_staff)
    client.post(reverse("bangs:list_file_upload", args=[bang_list.pk]),
                {"title": "", "file": SimpleUploadedFile("notice.pdf", png_bytes())})
    attached = ListFile.objects.get(bang_list=bang_list)
    client.logout()  # a published list's files are public
    response = client.get(reverse("bangs:file", args=[attached.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="notice.png"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_file_with_only_a_title_downloads_under_the_title_and_real_extension(client, organiser_staff, bang_list):
    client.force_login(organiser_staff)
    client.post(reverse("bangs:list_file_upload", args=[bang_list.pk]),
                {"title": "notice", "file": SimpleUploadedFile("x.pdf", png_bytes())})
    attached = ListFile.objects.get(bang_list=bang_list)
    attached.original_name = ""
    attached.save(update_fields=["original_name"])
    response = client.get(reverse("bangs:file", args=[attached.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="notice.png"'


def test_empty_file_is_refused_as_empty(client, organiser_staff, bang_list):
    client.force_login(organiser_staff)
    url = reverse("bangs:list_file_upload", args=[bang_list.pk])
    response = client.post(url, {"title": "通知", "file": SimpleUploadedFile("a.pdf", b"")},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "文件为空。"}
    response = client.post(url, {"title": "通知", "file": SimpleUploadedFile("a.pdf", b"")}, follow=True)
    assert "文件为空。" in response.content.decode()
    assert not ListFile.objects.filter(bang_list=bang_list).exists()


def test_upload_answers_json_with_the_file_list(client, organiser_staff, bang_list):
    client.force_login(organiser_staff)
    response = client.post(reverse("bangs:list_file_upload", args=[bang_list.pk]),
                           {"title": "正式通知", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")},
                           HTTP_ACCEPT="application/json")
    attached = ListFile.objects.get(bang_list=bang_list)
    body = response.json()
    assert body["ok"] is True and body["message"] == "附件已上传。"
    assert "正式通知" in body["html"] and reverse("bangs:file", args=[attached.pk]) in body["html"]
