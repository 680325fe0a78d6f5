"""The issue 12 and 13 pages the journeys do not pass through with axe, each at 390 px, as the user who
sees it: no serious or critical axe violation, nothing scrolls sideways. The journeys cover the task
book, its draft form, signing, verification, the project page, a stage report, the acceptance
application, the racehorse page and the statistics page."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.enums import Role
from contracts import acceptance as acceptance_services
from contracts import funds, midterm, services
from contracts.enums import MidtermOutcome

from ..contracts.execution_helpers import pdf_upload, racehorse_projects
from ..contracts.helpers import drafted, lead_user
from .axe import axe_violations, blocking, describe
from .conftest import PASSWORD, PHONE, journey_user, login, with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_and_passes(page, url):
    page.goto(url)
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(url), f"{url} went to {page.url}"
    found = blocking(axe_violations(page))
    assert found == [], f"axe on {url} at 390 px:\n{describe(found)}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{url} is {width} px wide at 390 px"


def test_the_other_contract_pages_at_390_px(new_page, organiser_staff):
    staff = with_password(organiser_staff)
    winner, loser = racehorse_projects(staff)
    lead = with_password(lead_user(winner.task_book))
    issuer = journey_user(username="issuer-pages", organisation=winner.award.decision.bang.issuers.first(),
                          roles=[Role.ENTERPRISE])
    start = funds.project_start(winner)
    payment = funds.payment_record(project=winner, by=issuer, amount="100", paid_on=start,
                                   receipt=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n receipt"))
    midterm.midterm_decide(winner, staff, MidtermOutcome.CONTINUE, "进展符合任务书")
    winner.refresh_from_db()
    tests = {row["key"]: {"measured": "5.3", "method": "第三方台架测试", "place": "包头检测中心",
                          "tested_on": timezone.localdate(), "report": pdf_upload(salt=row["key"])}
             for row in acceptance_services.indicators(winner)}
    acceptance = acceptance_services.acceptance_apply(winner, lead, tests, "全部指标完成", early=True)
    draft = drafted(staff)  # another list's draft, for the staff's 定稿 page
    tb = winner.task_book
    services.task_book_amend(task_book=tb, by=staff, reason="调整中试地点")

    page = new_page(viewport=PHONE)
    login(page, staff.username, PASSWORD)
    for url in (
        "/task-books/",
        f"/task-books/{draft.pk}/finalise/",
        f"/task-books/{tb.pk}/versions/2/",
        f"/task-books/lists/{tb.award.decision.bang.bang_list_id}/signing/",
        "/task-books/order-template/",
        "/task-books/projects/",
        f"/task-books/projects/{winner.pk}/disbursements/new/",
        f"/task-books/projects/{loser.pk}/midterm/",
        "/task-books/projects/reports/overdue/",
        f"/task-books/projects/{winner.pk}/acceptance/",
    ):
        fits_and_passes(page, url)

    page = new_page(viewport=PHONE)
    login(page, lead.username, PASSWORD)
    for url in (f"/task-books/projects/{winner.pk}/payments/{payment.pk}/answer/",
                f"/task-books/projects/{winner.pk}/changes/new/"):
        fits_and_passes(page, url)

    page = new_page(viewport=PHONE)
    login(page, issuer.username, PASSWORD)
    fits_and_passes(page, f"/task-books/projects/{winner.pk}/payments/new/")
    fits_and_passes(page, f"/task-books/projects/{winner.pk}/acceptance/judge/")
    acceptance_services.acceptance_judge(acceptance, issuer, {t.key: {"verdict": "met", "comment": "符合"}
                                                              for t in acceptance.tests.all()}, "met", "满足需要")
    page = new_page(viewport=PHONE)
    login(page, staff.username, PASSWORD)
    fits_and_passes(page, f"/task-books/projects/{winner.pk}/acceptance/decide/")
