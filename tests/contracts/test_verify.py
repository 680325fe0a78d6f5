"""/verify/: anyone checks a task book by fingerprint or by uploading its PDF, and learns nothing
confidential."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contracts.enums import TaskBookState
from contracts.models import SigningParty, TaskBook
from core.pdf import html_to_pdf

from .helpers import finalised

pytestmark = pytest.mark.django_db

URL = reverse("verify:verify")
PHONE = "13912345678"


@pytest.fixture
def issued(organiser_staff):
    task_book = finalised(organiser_staff)
    with task_book.pdf.open("rb") as handle:
        return task_book, handle.read()


def _upload(client, data: bytes, name="任务书.pdf"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_verify_page_is_open_to_anonymous_visitors(client):
    page = _page(client.get(URL))
    assert "任务书核验" in page
    assert 'name="fp"' in page and 'name="file"' in page
    assert "csrfmiddlewaretoken" in page


def test_verify_by_qr_link_shows_the_issued_task_book(client, issued):
    task_book, _data = issued
    page = _page(client.get(URL, {"fp": task_book.fingerprint}))
    assert "这是本平台签发的任务书。" in page
    assert task_book.project_number in page and task_book.project_name in page
    assert "已定稿，待签署" in page
    for party in task_book.parties.all():
        assert party.name in page
        assert party.get_kind_display() in page
    assert "尚未签署" in page and "尚未生效" in page


def test_verify_by_typed_fingerprint_accepts_upper_case_spaces_and_prefix(client, issued):
    task_book, _data = issued
    fp = task_book.fingerprint.upper()
    typed = "SHA256: " + " ".join(fp[i:i + 8] for i in range(0, 64, 8))
    page = _page(client.get(URL, {"fp": typed}))
    assert "这是本平台签发的任务书。" in page
    assert task_book.project_number in page


def test_verify_shows_signatures_in_force_and_superseded(client, issued):
    task_book, _data = issued
    day = timezone.now() - datetime.timedelta(days=2)
    SigningParty.objects.filter(task_book=task_book).update(signed_at=day)
    TaskBook.objects.filter(pk=task_book.pk).update(state=TaskBookState.SUPERSEDED, in_force_at=day)
    page = _page(client.get(URL, {"fp": task_book.fingerprint}))
    assert "已被变更取代" in page
    assert f"已签署 {timezone.localtime(day):%Y-%m-%d}" in page
    assert "尚未签署" not in page and "尚未生效" not in page


def test_verify_unknown_fingerprint_says_not_found(client, issued):
    page = _page(client.get(URL, {"fp": "0" * 64}))
    assert "没有找到内容指纹为" in page
    assert issued[0].project_number not in page


def test_a_draft_is_never_found(client, organiser_staff):
    from .helpers import drafted

    from contracts.fingerprint import fingerprint

    task_book = drafted(organiser_staff)
    assert task_book.fingerprint == ""
    page = _page(client.get(URL, {"fp": fingerprint(task_book.content)}))
    assert "没有找到内容指纹为" in page
    assert task_book.project_number not in page


@pytest.mark.parametrize("junk", ["xyz", "", "g" * 64, "a" * 63, "a" * 500, "\x00" * 5, "<script>", "1' OR 1=1 --"])
def test_verify_junk_fingerprint_is_refused_next_to_the_field(client, junk):
    page = _page(client.get(URL, {"fp": junk}))
    assert "这是本平台签发的任务书" not in page
    assert "is-invalid" in page


def test_uploaded_issued_pdf_is_reported_identical(client, issued):
    task_book, data = issued
    page = _page(_upload(client, data))
    assert "该文件与平台签发的任务书完全一致" in page
    assert task_book.project_number in page


def test_uploaded_pdf_with_one_byte_changed_is_not_matching(client, issued):
    task_book, data = issued
    position = data.index(b"(WeasyPrint") + 1
    changed = data[:position] + b"X" + data[position + 1:]
    page = _page(_upload(client, changed))
    assert "该文件与平台签发的任务书不一致" in page
    assert "完全一致" not in page
    # It still names the task book it claims to be, from the fingerprint in its metadata.
    assert f"文件自称是项目 {task_book.project_number} 的任务书" in page


def test_uploaded_unrelated_pdf_is_not_recognised(client, issued):
    page = _page(_upload(client, html_to_pdf("<p>另一份文件</p>")))
    assert "该文件与平台签发的任务书不一致" in page
    assert "未能识别该文件" in page
    assert issued[0].project_number not in page


def test_uploaded_broken_pdf_is_not_recognised(client, issued):
    _task_book, data = issued
    page = _page(_upload(client, data[:2000]))
    assert "未能识别该文件" in page or "文件自称是项目" in page
    assert "完全一致" not in page


@pytest.mark.parametrize("data", [b"just text, not a pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100])
def test_upload_that_is_not_a_pdf_is_refused(client, data):
    page = _page(_upload(client, data, name="任务书.pdf"))
    assert "文件内容不是允许的格式（PDF）" in page


def test_upload_over_the_size_limit_is_refused(client, issued, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    _task_book, data = issued
    page = _page(_upload(client, data + b"\n" * (1024 * 1024)))
    assert "超过了1MB的限制" in page


def test_post_without_a_file_asks_for_one(client):
    page = _page(client.post(URL, {}))
    assert "请选择要上传的文件。" in page


def test_verify_page_shows_nothing_confidential(client, issued):
    task_book, data = issued
    lead = task_book.award.application.lead
    lead.legal_rep_phone = PHONE
    lead.save(update_fields=["legal_rep_phone"])
    task_book.award.application.__class__.objects.filter(pk=task_book.award.application_id).update(lead_phone=PHONE)
    for page in (_page(client.get(URL, {"fp": task_book.fingerprint})), _page(_upload(client, data))):
        assert task_book.project_number in page
        assert PHONE not in page
        assert "500.00" not in page  # the enterprise's budget line
        assert f"{task_book.award.subsidy:.2f}" not in page
        for person in task_book.content["staffing"]:
            assert person["name"] not in page
        assert "经费" not in page.replace("不显示经费", "")


def test_verify_refuses_other_methods(client):
    assert client.delete(URL).status_code == 405
