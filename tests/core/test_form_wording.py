"""Forms read the same everywhere: 请选择 for an empty choice, 此项为必填项。 for a missing value,
an asterisk on what submission needs, and the bang form names a bang, not a list."""

import re

import pytest
from django.urls import reverse

from applications import services as application_services

from ..factories import make_bang_list
from ..html import texts

pytestmark = pytest.mark.django_db


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def _label(html: str, field_id: str) -> str:
    label = re.search(rf'<label\s+for="{field_id}"[^>]*>(.*?)</label>', html, re.S)
    assert label, field_id
    return re.sub(r"<[^>]+>|\s+", "", label.group(1))


@pytest.fixture
def application_page(client, applicant, organiser_staff):
    bang = make_bang_list(by=organiser_staff).bangs.get()
    application = application_services.application_start(bang=bang, by=applicant)
    client.force_login(applicant)
    return client.get(reverse("applications:edit", args=[application.pk])).content.decode()


def test_selects_offer_choose_prompt_not_dashes(application_page):
    assert "---------" not in application_page
    assert _options(application_page, "partners-0-kind")[0] == "请选择"
    assert _options(application_page, "partners-0-region")[0] == "请选择"


def test_application_form_marks_fields_required_on_submit(application_page):
    assert _label(application_page, "id_route_label") == "技术路线（简称）*"
    assert texts(application_page, "required-legend") == ["带 * 的为提交时必填项"]


def test_demand_form_marks_fields_required_on_submit(client, alice, round_):
    client.force_login(alice)
    page = client.get(reverse("demands:create")).content.decode()
    assert _label(page, "id_name").endswith("*")
    assert not _label(page, "id_field_other").endswith("*")
    assert texts(page, "required-legend") == ["带 * 的为提交时必填项"]


def test_required_message_is_one_wording(client):
    response = client.post(reverse("accounts:register"), {})
    html = response.content.decode()
    assert "此项为必填项。" in html
    assert "这个字段是必填项。" not in html


def test_bang_form_title_is_bang_name(client, organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, publish=False, bangs=0)
    client.force_login(organiser_staff)
    page = client.get(reverse("bangs:bang_create", args=[bang_list.pk])).content.decode()
    assert _label(page, "id_title") == "技术榜名称*"


def test_required_message_same_on_django_own_forms(client):
    """The sign-in form is Django's; its missing-value message reads like ours."""
    html = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    assert html.count("此项为必填项。") == 2
    assert "这个字段是必填项。" not in html
