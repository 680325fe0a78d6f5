"""After submitting, and after a return, the applicant reads what happens next at the top of the page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Region
from applications import services
from applications.models import RecommenderRoute
from bangs.models import BangList

from ..factories import OrganisationFactory, UserFactory, make_bang_list
from ..html import text, texts
from .helpers import fill, make_applicant

pytestmark = pytest.mark.django_db

TOLD = "审查结果将以站内消息和电子邮件通知贵单位的申报账号。"


@pytest.fixture
def bang_list(organiser_staff):
    bang_list = make_bang_list(by=organiser_staff)
    bang_list.organiser.name = "内蒙古自治区科学技术厅"
    bang_list.organiser.save(update_fields=["name"])
    return bang_list


def _submitted(bang_list, *, routed: bool):
    region = Region.objects.get(code="150502")
    if routed:
        bureau = OrganisationFactory(kind="government", name="通辽市科学技术局")
        RecommenderRoute.objects.create(region=Region.objects.get(code="150500"), recommender=bureau)
    lead = make_applicant(organisation=OrganisationFactory(kind="university", region=region))
    application = fill(services.application_start(bang=bang_list.bangs.get(), by=lead), lead)
    services.application_submit(application=application, by=lead)
    application.refresh_from_db()
    return application, lead


def test_next_step_names_recommender_and_deadline(client, bang_list):
    when = timezone.make_aware(datetime.datetime(2030, 5, 20, 17, 0, 0))
    BangList.objects.filter(pk=bang_list.pk).update(recommend_deadline=when)
    application, lead = _submitted(bang_list, routed=True)
    client.force_login(lead)
    expected = f"由推荐单位“通辽市科学技术局”进行形式审查，最迟于 2030-05-20 17:00:00 前完成。{TOLD}"
    detail = client.get(reverse("applications:detail", args=[application.pk]))
    assert text(detail, "next-step") == f"申报已提交。{expected}"
    version = application.versions.get()
    receipt = client.get(reverse("applications:receipt", args=[version.pk]))
    assert text(receipt, "next-step") == expected


def test_next_step_falls_back_to_organiser_without_deadline(client, bang_list):
    application, lead = _submitted(bang_list, routed=False)
    assert application.recommender is None
    client.force_login(lead)
    detail = client.get(reverse("applications:detail", args=[application.pk]))
    assert text(detail, "next-step") == f"申报已提交。由组织单位“内蒙古自治区科学技术厅”进行形式审查。{TOLD}"


def test_next_step_in_receipt_pdf(client, bang_list):
    from io import BytesIO

    from pypdf import PdfReader

    application, lead = _submitted(bang_list, routed=True)
    client.force_login(lead)
    response = client.get(reverse("applications:receipt_pdf", args=[application.versions.get().pk]))
    pdf_text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "通辽市科学技术局" in pdf_text.replace("\n", "")


def test_next_step_not_shown_to_reviewer(client, bang_list):
    application, _lead = _submitted(bang_list, routed=True)
    client.force_login(UserFactory(organisation=application.recommender, roles=["recommender"]))
    assert texts(client.get(reverse("applications:detail", args=[application.pk])), "next-step") == []


def test_returned_application_shows_reason_at_top(client, bang_list):
    application, lead = _submitted(bang_list, routed=True)
    reviewer = UserFactory(organisation=application.recommender, roles=["recommender"])
    services.application_return(application=application, by=reviewer, reason="请补充合作协议\n并加盖公章")
    application.refresh_from_db()
    client.force_login(lead)
    response = client.get(reverse("applications:detail", args=[application.pk]))
    assert text(response, "return-reason") == "退回原因：请补充合作协议并加盖公章"
    assert "<br>" in response.content.decode().split('data-testid="return-reason"')[1].split("</div>")[0]
    # The workbench links a returned application to its edit page: the reason is there too.
    edit = client.get(reverse("applications:edit", args=[application.pk]))
    assert text(edit, "return-reason") == "退回原因：请补充合作协议并加盖公章"
    assert application.correction_deadline.astimezone().strftime("%Y-%m-%d %H:%M:%S") in text(edit, "correction-notice")
    deadline = timezone.localtime(application.correction_deadline).strftime("%Y-%m-%d %H:%M:%S")
    assert text(response, "correction-notice").startswith(f"申报已退回补正，请在 {deadline} 前修改并重新提交。")
