"""The public task book verify page on a phone, as someone who scanned the QR code opens it: it fits
390 px, passes axe, and an uploaded PDF is checked."""

import pytest
from playwright.sync_api import expect

from .axe import axe_violations, blocking, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def issued(organiser_staff, settings, tmp_path):
    from contracts.signing import demo_certificate_create

    from ..contracts.helpers import finalised

    key_path, cert_path = demo_certificate_create(directory=tmp_path / "signing")
    settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE = str(key_path), str(cert_path)
    task_book = finalised(organiser_staff)
    pdf = tmp_path / "任务书.pdf"
    with task_book.pdf.open("rb") as handle:
        pdf.write_bytes(handle.read())
    return task_book, pdf


def test_verify_page_fits_a_phone_passes_axe_and_checks_an_upload(new_page, issued):
    task_book, pdf = issued
    page = new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"/verify/?fp={task_book.fingerprint}")
    expect(page.get_by_test_id("verify-result")).to_contain_text("这是本平台签发的任务书")
    expect(page.get_by_test_id("verify-task-book")).to_contain_text(task_book.project_number)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    found = blocking(axe_violations(page))
    assert found == [], describe(found)

    page.set_input_files("input[name='file']", str(pdf))
    with page.expect_navigation():
        page.get_by_test_id("verify-upload-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("verify-result")).to_contain_text("完全一致")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    found = blocking(axe_violations(page))
    assert found == [], describe(found)
