"""The issued task book: readable text, the embedded CJK font, the fingerprint in the footer and in
the metadata, and the platform's PAdES signature over the whole file."""

import io

import pytest
from pypdf import PdfReader
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from contracts import signing
from contracts.pdf import render_task_book
from contracts.verification import claimed_fingerprint

from .helpers import finalised

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(organiser_staff):
    task_book = finalised(organiser_staff)
    with task_book.pdf.open("rb") as handle:
        return task_book, handle.read()


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _validate(data: bytes, cert_path):
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(cert_path))])
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    assert len(reader.embedded_signatures) == 1
    return validate_pdf_signature(reader.embedded_signatures[0], context)


def test_pdf_carries_the_project_the_fingerprint_the_order_and_page_numbers(issued):
    task_book, data = issued
    text = _text(data)
    assert task_book.project_name in text
    assert task_book.project_number in text
    assert task_book.fingerprint in text
    assert "军令状" in text
    assert "第 1 页 共" in text
    for heading in ("一、项目基本信息", "四、考核指标", "七、经费预算", "八、拨付计划", "九、知识产权与利益分配"):
        assert heading in text
    assert "法定代表人或授权代表签字" in text


def test_pdf_shows_budget_totals_and_labels(issued):
    task_book, data = issued
    text = _text(data)
    assert "设备费" in text and "申请财政补助" in text
    # valid_content: equipment = subsidy + 500 + 100 + 0
    total = task_book.award.subsidy + 600
    assert f"{total:.2f}" in text
    assert "任务书生效后" in text


def test_pdf_has_the_fingerprint_in_its_metadata(issued):
    task_book, data = issued
    metadata = PdfReader(io.BytesIO(data)).metadata
    assert task_book.fingerprint in metadata.subject
    assert claimed_fingerprint(data) == task_book.fingerprint


def test_pdf_embeds_the_cjk_font(issued):
    _task_book, data = issued
    embedded = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    embedded.append(str(descriptor["/FontName"]))
    assert any("notoserif" in name.replace("-", "").lower() for name in embedded), embedded


def test_every_page_has_the_footer_with_the_verify_qr_code(issued, settings):
    import segno
    from django.template.loader import render_to_string

    from contracts.pdf import task_book_context, verify_url

    task_book, data = issued
    url = verify_url(task_book.fingerprint)
    assert url == f"{settings.SITE_URL.rstrip('/')}/verify/?fp={task_book.fingerprint}"
    context = task_book_context(task_book, list(task_book.parties.all()))
    assert context["qr"] == segno.make(url, error="m", micro=False).png_data_uri(scale=4, border=0)
    assert f'src="{context["qr"]}"' in render_to_string("pdf/task_book.html", context)
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages, start=1):
        text = page.extract_text()
        assert task_book.fingerprint in text and f"第 {number} 页 共" in text


def test_signature_is_pades_valid_and_covers_the_whole_file(issued, signing_pair):
    task_book, data = issued
    status = _validate(data, signing_pair[1])
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    assert reader.embedded_signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


def test_a_changed_byte_breaks_the_signature(issued, signing_pair):
    _task_book, data = issued
    # One letter of the unsigned document's /Producer: the file still parses, the digest no longer matches.
    position = data.index(b"(WeasyPrint") + 1
    changed = data[:position] + b"X" + data[position + 1:]
    assert len(changed) == len(data) and changed != data
    status = _validate(changed, signing_pair[1])
    assert not status.intact
    assert not status.bottom_line


def test_signer_is_loaded_once_per_key(organiser_staff, signing_pair):
    signing._signer.cache_clear()
    task_book = finalised(organiser_staff)
    data = render_task_book(task_book, list(task_book.parties.all()))
    signing.sign_pdf(data)
    signing.sign_pdf(data)
    assert signing._signer.cache_info().misses == 1


def test_demo_certificate_is_made_once_under_var(settings, tmp_path):
    settings.SIGNING_KEY_FILE = settings.SIGNING_CERT_FILE = ""
    settings.VAR_DIR = tmp_path / "var"
    key_path, cert_path, passphrase = signing.signing_files()
    assert key_path.parent == tmp_path / "var" / "signing" and passphrase == ""
    first = cert_path.read_bytes()
    assert signing.signing_files()[1].read_bytes() == first
    cert = load_cert_from_pemder(str(cert_path))
    assert "演示证书" in cert.subject.human_friendly
    assert cert.key_usage_value.native == {"digital_signature", "non_repudiation"}


def test_make_demo_certificate_is_idempotent_and_skipped_when_a_certificate_is_set(settings, tmp_path, signing_pair):
    from django.core.management import call_command

    settings.VAR_DIR = tmp_path / "var"
    call_command("make_demo_certificate")  # the test pair is set: nothing to make
    assert not (tmp_path / "var" / "signing").exists()
    settings.SIGNING_KEY_FILE = settings.SIGNING_CERT_FILE = ""
    call_command("make_demo_certificate")
    cert = (tmp_path / "var" / "signing" / signing.DEMO_CERT_NAME).read_bytes()
    call_command("make_demo_certificate")
    assert (tmp_path / "var" / "signing" / signing.DEMO_CERT_NAME).read_bytes() == cert
