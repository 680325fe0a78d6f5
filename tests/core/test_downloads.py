"""下载中心: official form templates anyone can download and staff can replace."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import ActivityLog, FormTemplate

from ..factories import make_enterprise_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _post(**overrides):
    data = {"title": "揭榜挂帅项目需求表（附件1）", "description": "企业填报用", "order": "0",
            "upload": SimpleUploadedFile("需求表.pdf", PDF)}
    data.update(overrides)
    return data


def test_staff_upload_anyone_downloads_with_the_real_type(client, staff):
    client.force_login(staff)
    response = client.post(reverse("download_create"), _post(upload=SimpleUploadedFile("模板.doc", PDF)))
    assert response.status_code == 302
    template = FormTemplate.objects.get()
    client.logout()
    page = client.get(reverse("downloads")).content.decode()
    assert "揭榜挂帅项目需求表（附件1）" in page and "上传表格模板" not in page
    home = client.get(reverse("home")).content.decode()
    assert "下载中心" in home and "揭榜挂帅项目需求表（附件1）" in home
    download = client.get(reverse("download", args=[template.pk]))
    assert download["Content-Type"] == "application/pdf" and "%E6%A8%A1%E6%9D%BF.pdf" in download["Content-Disposition"]


def test_staff_replace_the_file_and_it_is_logged(client, staff):
    client.force_login(staff)
    client.post(reverse("download_create"), _post())
    template = FormTemplate.objects.get()
    first = template.sha256
    client.post(reverse("download_edit", args=[template.pk]),
                _post(upload=SimpleUploadedFile("需求表2026版.pdf", PDF + b"% 2026\n")))
    template.refresh_from_db()
    assert template.original_name == "需求表2026版.pdf" and template.sha256 != first
    actions = list(ActivityLog.objects.filter(object_id=template.pk).values_list("action", flat=True))
    assert actions == ["上传表格模板", "更新表格模板"]
    # Leaving the file empty keeps it.
    client.post(reverse("download_edit", args=[template.pk]), _post(title="需求表（新版）", upload=""))
    template.refresh_from_db()
    assert template.title == "需求表（新版）" and template.original_name == "需求表2026版.pdf"


def test_a_new_template_needs_a_file_checked_by_content(client, staff):
    client.force_login(staff)
    response = client.post(reverse("download_create"), _post(upload=""))
    assert "请选择要上传的文件" in response.content.decode()
    response = client.post(reverse("download_create"), _post(upload=SimpleUploadedFile("x.pdf", b"<html>hi</html>")))
    assert "文件内容不是允许的格式" in response.content.decode()
    # A picture is a fine attachment elsewhere, but not a form template (the help text says so).
    response = client.post(reverse("download_create"), _post(upload=SimpleUploadedFile("表.pdf", PNG)))
    assert "文件内容不是允许的格式（PDF、DOC、DOCX、XLS、XLSX）" in response.content.decode()
    assert not FormTemplate.objects.exists()


def test_only_staff_manage_templates(client):
    template = FormTemplate.objects.create(title="t", file=SimpleUploadedFile("t.pdf", PDF), original_name="t.pdf")
    for url in (reverse("download_create"), reverse("download_edit", args=[template.pk])):
        assert client.get(url).status_code == 302  # to the login page
        client.force_login(make_enterprise_user())
        assert client.get(url).status_code == 403
        assert client.post(url, _post()).status_code == 403
        client.logout()
    assert FormTemplate.objects.count() == 1
