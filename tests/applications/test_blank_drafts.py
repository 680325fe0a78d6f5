"""Applications with their optional parts blank still show on every list that may hold them."""

import re

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application

from ..factories import make_bang_list
from .helpers import fill, make_applicant

pytestmark = pytest.mark.django_db

BLANK = dict(
    route_label="", route_description="", chief_name="", chief_title="", chief_unit="", lead_name="",
    lead_title="", lead_unit="", lead_phone="", lead_email="", lead_months=None, objectives="",
    route_innovation="", basis="", team="", ip_arrangements="", risks="",
)


@pytest.fixture
def bang(organiser_staff):
    return make_bang_list(by=organiser_staff).bangs.get()


def row_of(page: str, url: str) -> str:
    match = re.search(rf"<tr>\s*<td><a href=\"{re.escape(url)}\">.*?</tr>", page, re.S)
    assert match, f"no row linking to {url}"
    return match.group(0)


def test_applicant_list_shows_a_blank_draft(client, bang):
    lead = make_applicant()
    draft = services.application_start(bang=bang, by=lead)
    Application.objects.filter(pk=draft.pk).update(**BLANK)
    client.force_login(lead)
    response = client.get(reverse("applications:list"))
    assert response.status_code == 200
    url = reverse("applications:detail", args=[draft.pk])
    row = row_of(response.content.decode(), url)
    assert f'<a href="{url}">（草稿）</a>' in row
    assert bang.title in row and "草稿" in row
    assert client.get(url).status_code == 200


def test_review_queue_and_summary_show_an_application_without_partners_or_recommender(client, bang, organiser_staff):
    lead = make_applicant()
    application = fill(services.application_start(bang=bang, by=lead), lead)
    services.application_submit(application=application, by=lead)
    application.refresh_from_db()
    assert application.recommender_id is None  # no route for the lead's region
    hidden_draft = services.application_start(bang=bang, by=make_applicant())
    client.force_login(organiser_staff)

    response = client.get(reverse("applications:review"))
    assert response.status_code == 200
    row = row_of(response.content.decode(), reverse("applications:detail", args=[application.pk]))
    assert application.number in row and '<td class="col-fold">—</td>' in row  # no partners

    response = client.get(reverse("applications:review"), {"state": "draft"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "没有待处理的申报" in page
    assert reverse("applications:detail", args=[hidden_draft.pk]) not in page

    response = client.get(reverse("applications:list_summary", args=[bang.bang_list_id]))
    assert response.status_code == 200
    assert application.number in response.content.decode()
