"""Money of a project (issue 13, 资金): payments and 到账 confirmation, the subsidy due, disbursements,
the ledger, the hub and its Excel export."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.enums import Role
from contracts import funds
from contracts.enums import PaymentState, ProjectState
from contracts.models import Disbursement, Payment, Project
from core.exceptions import DomainError

from ..factories import UserFactory
from .helpers import lead_user, project_in_force

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = datetime.date(TODAY.year - 1, 3, 1)


def receipt(name="回单.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n" + b" " * 64)


def issuer_of(project):
    return UserFactory(organisation=project.award.decision.bang.issuers.first(), roles=[Role.ENTERPRISE])


def paid(project, issuer, amount, on=LAST_YEAR):
    return funds.payment_record(project=project, by=issuer, amount=Decimal(amount), paid_on=on, receipt=receipt())


def arrived(project, issuer, amount, on=LAST_YEAR):
    """A payment the lead confirmed as arrived on `on`."""
    payment = paid(project, issuer, amount, on)
    return funds.payment_confirm(payment=payment, by=lead_user(project.task_book), arrived_on=on)


@pytest.fixture
def project(organiser_staff):
    return project_in_force(organiser_staff)


@pytest.fixture
def issuer(project):
    return issuer_of(project)


@pytest.fixture
def lead(project):
    return lead_user(project.task_book)


def first_tranche(project) -> Decimal:
    return Decimal(project.task_book.content["disbursement"][0]["amount"])


# --- payments ---------------------------------------------------------------------------------------


def test_only_confirmed_arrivals_count(project, issuer, lead):
    confirmed = arrived(project, issuer, "100")
    pending = paid(project, issuer, "200")
    disputed = paid(project, issuer, "300")
    funds.payment_dispute(payment=disputed, by=lead, reason="未收到该笔款项")
    ledger = funds.ledger(project)
    assert ledger.arrived == Decimal("100.00")
    assert (ledger.pending, ledger.disputed) == (Decimal("200.00"), Decimal("300.00"))
    assert funds.subsidy_due(project).rule == Decimal("30.00")
    assert Payment.objects.get(pk=confirmed.pk).receipt_sha256 and pending.receipt_name == "回单.pdf"


def test_the_rule_reads_the_previous_years_arrivals(project, issuer):
    arrived(project, issuer, "100", on=LAST_YEAR)
    assert funds.subsidy_due(project, on=TODAY).rule == Decimal("30.00")
    # In the year of the arrival itself nothing is due yet (no arrivals the year before).
    assert funds.subsidy_due(project, on=LAST_YEAR).rule == Decimal("0.00")


def test_a_receipt_that_is_not_a_pdf_or_image_is_refused(project, issuer):
    with pytest.raises(Exception) as error:
        funds.payment_record(project=project, by=issuer, amount=Decimal(10), paid_on=LAST_YEAR,
                             receipt=SimpleUploadedFile("回单.pdf", b"just text, not a pdf"))
    assert "receipt" in error.value.message_dict
    assert not Payment.objects.exists()


def test_the_arrival_date_cannot_precede_the_payment(project, issuer, lead):
    payment = paid(project, issuer, "10")
    with pytest.raises(Exception) as error:
        funds.payment_confirm(payment=payment, by=lead, arrived_on=LAST_YEAR - datetime.timedelta(days=1))
    assert "arrived_on" in error.value.message_dict
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.RECORDED


def test_a_replayed_confirm_is_refused_and_changes_nothing(client, project, issuer, lead):
    payment = paid(project, issuer, "10")
    client.force_login(lead)
    url = reverse("contracts:payment_answer", args=[project.pk, payment.pk])
    first = client.post(url, {"action": "confirm", "confirm-arrived_on": LAST_YEAR.isoformat()})
    assert first.status_code == 302
    again = client.post(url, {"action": "dispute", "dispute-reason": "重放"})
    assert again.status_code == 200
    payment.refresh_from_db()
    assert (payment.state, payment.arrived_on, payment.dispute_reason) == (PaymentState.CONFIRMED, LAST_YEAR, "")
    with pytest.raises(DomainError):
        funds.payment_confirm(payment=payment, by=lead, arrived_on=TODAY)


def test_the_enterprise_cannot_confirm_an_arrival(client, project, issuer):
    payment = paid(project, issuer, "10")
    client.force_login(issuer)
    response = client.post(reverse("contracts:payment_answer", args=[project.pk, payment.pk]),
                           {"action": "confirm", "confirm-arrived_on": LAST_YEAR.isoformat()})
    assert response.status_code == 403
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.RECORDED


def test_the_lead_cannot_record_a_payment_or_disburse(client, project, lead):
    client.force_login(lead)
    pay = client.post(reverse("contracts:payment_record", args=[project.pk]),
                      {"amount": "10", "paid_on": LAST_YEAR.isoformat(), "receipt": receipt()})
    disburse = client.post(reverse("contracts:disbursement_record", args=[project.pk]),
                           {"amount": "1", "paid_on": TODAY.isoformat(), "document_number": "财字1号"})
    assert (pay.status_code, disburse.status_code) == (403, 403)
    assert not Payment.objects.exists() and not Disbursement.objects.exists()


def test_the_enterprise_records_a_payment_through_the_page(client, project, issuer):
    client.force_login(issuer)
    response = client.post(reverse("contracts:payment_record", args=[project.pk]),
                           {"amount": "12.5", "paid_on": LAST_YEAR.isoformat(), "receipt": receipt()})
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.state, payment.recorded_by) == (Decimal("12.50"), PaymentState.RECORDED, issuer)
    download = client.get(reverse("contracts:payment_receipt", args=[project.pk, payment.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_a_payment_page_keeps_what_was_typed_and_says_what_is_wrong(client, project, issuer):
    client.force_login(issuer)
    response = client.post(reverse("contracts:payment_record", args=[project.pk]),
                           {"amount": "-5", "paid_on": LAST_YEAR.isoformat()})
    body = response.content.decode()
    assert response.status_code == 200 and "金额须大于0。" in body and "请选择要上传的文件。" in body
    assert LAST_YEAR.isoformat() in body
    assert not Payment.objects.exists()


# --- disbursements ----------------------------------------------------------------------------------


def test_a_disbursement_over_the_amount_due_is_refused(project, issuer, organiser_staff):
    arrived(project, issuer, "100")  # 30 due this year by the rule
    with pytest.raises(DomainError) as error:
        funds.disbursement_record(project=project, by=organiser_staff, amount=Decimal("30.01"), paid_on=TODAY,
                                  document_number="财字1号")
    assert "可拨付30万元" in error.value.message
    assert not Disbursement.objects.exists()


def test_the_midterm_tranche_waits_for_the_midterm_review(project, issuer, organiser_staff):
    first = first_tranche(project)
    arrived(project, issuer, str(first * 10))  # the rule allows far more than the first tranche
    with pytest.raises(DomainError) as error:
        funds.disbursement_record(project=project, by=organiser_staff, amount=first + Decimal(1), paid_on=TODAY,
                                  document_number="财字1号")
    assert "中期评估尚未通过" in error.value.message
    assert not Disbursement.objects.exists()
    Project.objects.filter(pk=project.pk).update(midterm_passed_at=timezone.now())
    project.refresh_from_db()
    funds.disbursement_record(project=project, by=organiser_staff, amount=first + Decimal(1), paid_on=TODAY,
                              document_number="财字1号")
    assert funds.ledger(project).disbursed == first + Decimal(1)


def test_a_terminated_project_receives_no_more(project, issuer, organiser_staff):
    arrived(project, issuer, "100")
    Project.objects.filter(pk=project.pk).update(state=ProjectState.TERMINATED)
    with pytest.raises(DomainError) as error:
        funds.disbursement_record(project=project, by=organiser_staff, amount=Decimal(1), paid_on=TODAY,
                                  document_number="财字1号")
    assert "已终止" in error.value.message
    assert not Disbursement.objects.exists()


def test_a_disbursement_within_the_due_passes_and_the_ledger_shows_it(client, project, issuer, organiser_staff):
    arrived(project, issuer, "100")
    client.force_login(organiser_staff)
    page = client.get(reverse("contracts:disbursement_record", args=[project.pk]))
    assert "可拨付：30 万元" in page.content.decode()
    response = client.post(reverse("contracts:disbursement_record", args=[project.pk]),
                           {"amount": "20", "paid_on": TODAY.isoformat(), "document_number": "财字1号"})
    assert response.status_code == 302
    ledger = funds.ledger(project)
    assert (ledger.disbursed, ledger.due.due) == (Decimal("20.00"), Decimal("10.00"))
    hub = client.get(reverse("contracts:project_detail", args=[project.pk])).content.decode()
    assert "财字1号" in hub
    # The rest of the year's due is 10: 10.01 is refused, with the reason next to the form.
    refused = client.post(reverse("contracts:disbursement_record", args=[project.pk]),
                          {"amount": "10.01", "paid_on": TODAY.isoformat(), "document_number": "财字2号"})
    assert refused.status_code == 200 and "可拨付10万元" in refused.content.decode()
    assert Disbursement.objects.count() == 1


def test_another_organisers_staff_gets_404(client, project, issuer, other_organiser_staff):
    payment = paid(project, issuer, "10")
    client.force_login(other_organiser_staff)
    for url in (reverse("contracts:project_detail", args=[project.pk]),
                reverse("contracts:payment_receipt", args=[project.pk, payment.pk]),
                reverse("contracts:ledger_export", args=[project.award.decision.bang.bang_list_id])):
        assert client.get(url).status_code == 404
    response = client.post(reverse("contracts:disbursement_record", args=[project.pk]),
                           {"amount": "1", "paid_on": TODAY.isoformat(), "document_number": "财字1号"})
    assert response.status_code == 404
    assert not Disbursement.objects.exists()


def test_a_payment_of_another_project_is_not_reachable_through_this_one(client, project, issuer, lead):
    payment = paid(project, issuer, "10")
    client.force_login(lead)
    response = client.post(reverse("contracts:payment_answer", args=[project.pk, payment.pk + 1000]),
                           {"action": "confirm", "confirm-arrived_on": LAST_YEAR.isoformat()})
    assert response.status_code == 404


# --- pages at two sizes -----------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_hub_query_count_does_not_grow_with_payments(client, project, issuer, organiser_staff):
    arrived(project, issuer, "100")
    Disbursement.objects.create(project=project, amount=Decimal(1), paid_on=TODAY, document_number="1",
                                recorded_by=organiser_staff)
    client.force_login(organiser_staff)
    url = reverse("contracts:project_detail", args=[project.pk])
    small = _count(client, url)
    for i in range(3):
        arrived(project, issuer, "5")
        paid(project, issuer, "5")
        Disbursement.objects.create(project=project, amount=Decimal(1), paid_on=TODAY, document_number=f"x{i}",
                                    recorded_by=organiser_staff)
    assert _count(client, url) == small


def test_the_project_list_query_count_does_not_grow(client, organiser_staff):
    first = project_in_force(organiser_staff)
    client.force_login(organiser_staff)
    url = reverse("contracts:project_list")
    small = _count(client, url)
    second = project_in_force(organiser_staff)
    page = client.get(url).content.decode()
    assert first.project_number in page and second.project_number in page
    assert _count(client, url) == small
    filtered = client.get(url, {"q": second.project_number}).content.decode()
    assert second.project_number in filtered and first.project_number not in filtered
    by_list = client.get(url, {"list": first.award.decision.bang.bang_list_id}).content.decode()
    assert first.project_number in by_list and second.project_number not in by_list
    assert reverse("contracts:ledger_export", args=[first.award.decision.bang.bang_list_id]) in by_list


def test_the_ledgers_of_many_projects_take_the_same_queries_as_one(organiser_staff):
    first, second = project_in_force(organiser_staff), project_in_force(organiser_staff)
    issuer = issuer_of(second)
    arrived(second, issuer, "100")
    paid(second, issuer, "5")
    loaded = Project.objects.select_related("task_book")
    with CaptureQueriesContext(connection) as one:
        funds.ledgers(loaded.filter(pk=first.pk))
    with CaptureQueriesContext(connection) as two:
        rows = funds.ledgers(loaded.filter(pk__in=[first.pk, second.pk]).order_by("pk"))
    assert len(one) == len(two)
    assert [r.arrived for r in rows] == [Decimal("0.00"), Decimal("100.00")]


# --- the Excel export -------------------------------------------------------------------------------


def test_the_ledger_export_has_a_row_per_project(client, project, issuer, organiser_staff, lead):
    arrived(project, issuer, "100")
    paid(project, issuer, "7")
    funds.disbursement_record(project=project, by=organiser_staff, amount=Decimal(20), paid_on=TODAY,
                              document_number="财字1号")
    url = reverse("contracts:ledger_export", args=[project.award.decision.bang.bang_list_id])
    client.force_login(lead)
    assert client.get(url).status_code == 404
    client.force_login(organiser_staff)
    response = client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "项目编号"
    assert len(rows) == 3
    row = dict(zip(rows[1], rows[2]))
    assert row["项目编号"] == project.project_number
    assert (row["企业资金确认到账（万元）"], row["待确认（万元）"], row["已拨付（万元）"], row["本年应拨付（万元）"]) == (100, 7, 20, 10)


def test_no_payment_is_recorded_on_a_terminated_project(project, issuer):
    Project.objects.filter(pk=project.pk).update(state=ProjectState.TERMINATED)
    with pytest.raises(DomainError) as error:
        paid(project, issuer, "10")
    assert "不能再登记企业资金" in error.value.message
    assert not Payment.objects.exists()


def test_each_side_is_told(project, issuer, lead, organiser_staff):
    from notifications.models import Notification

    payment = arrived(project, issuer, "100")
    disbursement = funds.disbursement_record(project=project, by=organiser_staff, amount=Decimal(5), paid_on=TODAY,
                                             document_number="财字1号")
    assert Notification.objects.filter(recipient=lead, event_key=f"payment:{payment.pk}:recorded").exists()
    assert Notification.objects.filter(recipient=issuer, event_key=f"payment:{payment.pk}:confirmed").exists()
    assert Notification.objects.filter(recipient=lead, event_key=f"disbursement:{disbursement.pk}:recorded").exists()


# --- from the fresh-clone review ---------------------------------------------------------------------


def test_money_cannot_be_dated_before_the_project_started(project, issuer, organiser_staff):
    start = funds.project_start(project)
    with pytest.raises(Exception) as error:
        paid(project, issuer, "1000", on=datetime.date(1990, 1, 1))
    assert "不能早于项目开始日期" in str(error.value)
    arrived(project, issuer, "1000", on=start)
    with pytest.raises(Exception) as error:
        funds.disbursement_record(project=project, by=organiser_staff, amount=Decimal("1.00"),
                                  paid_on=start - datetime.timedelta(days=1), document_number="内科发〔1991〕1号")
    assert "不能早于项目开始日期" in str(error.value)
    assert not project.disbursements.exists() and project.payments.count() == 1


def test_the_tranche_plan_follows_a_midterm_increase(project, issuer, organiser_staff):
    from contracts import midterm
    from contracts.enums import MidtermOutcome

    planned = sum(Decimal(t["amount"]) for t in project.task_book.content["disbursement"])
    midterm.midterm_decide(project, organiser_staff, MidtermOutcome.INCREASE, "进展超预期", new_subsidy=planned * 2)
    project.refresh_from_db()
    tranches = funds.subsidy_due(project).tranches
    assert sum(t.amount for t in tranches) == project.subsidy == planned * 2
    assert tranches[0].amount == Decimal(project.task_book.content["disbursement"][0]["amount"]) * 2


def test_a_merged_teams_lead_no_longer_answers_payments(organiser_staff):
    from contracts.enums import ProjectState

    from .execution_helpers import racehorse_projects

    first, second = racehorse_projects(organiser_staff)
    payment = paid(second, issuer_of(second), "100")
    Project.objects.filter(pk=second.pk).update(state=ProjectState.MERGED, merged_into=first)
    with pytest.raises(DomainError, match="不能再处理企业资金"):
        funds.payment_confirm(payment=payment, by=lead_user(second.task_book), arrived_on=LAST_YEAR)
    payment.refresh_from_db()
    assert payment.state == PaymentState.RECORDED
