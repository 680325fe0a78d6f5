"""Contact phones are checked wherever they are typed, with the message next to the field."""

import re

import pytest
from django.urls import reverse

from bangs.models import Contact

from ..factories import make_bang_list

pytestmark = pytest.mark.django_db


def _list_payload(bang_list, phone: str) -> dict:
    management = {"INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}
    return {
        "title": bang_list.title, "preamble": "", "conditions": "", "process": "",
        "opens_at": "2026-01-01T09:00:00", "deadline": "2036-01-01T23:59:59", "recommend_deadline": "",
        "max_partners": "3", "notice_days": "5", "correction_days": "5",
        **{f"checklist-{k}": v for k, v in management.items()}, "checklist-TOTAL_FORMS": "0",
        **{f"contacts-{k}": v for k, v in management.items()}, "contacts-TOTAL_FORMS": "1",
        "contacts-0-purpose": "业务咨询", "contacts-0-department": "高新技术科", "contacts-0-name": "田庚强",
        "contacts-0-phone": phone, "contacts-0-bang_numbers": "",
    }


def _cell_of(page: str, name: str) -> str:
    """The table cell that holds the input `name`, with any messages under it."""
    match = re.search(rf'<td>(?:(?!</td>).)*?<input[^>]*name="{name}".*?</td>', page, re.S)
    assert match, name
    return match.group(0)


def test_list_contact_phone_abc_is_refused_next_to_the_field(client, organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, publish=False)
    client.force_login(organiser_staff)
    response = client.post(reverse("bangs:list_edit", args=[bang_list.pk]), _list_payload(bang_list, "abc"))
    assert response.status_code == 200
    cell = _cell_of(response.content.decode(), "contacts-0-phone")
    assert "请输入有效的电话号码" in cell
    assert not Contact.objects.filter(bang_list=bang_list).exists()


@pytest.mark.parametrize("phone", ["0475-8835391", "13347199639", "8835371，18747835566", "0471-6328606、0471-6328708"])
def test_list_contact_takes_one_or_more_real_numbers(client, organiser_staff, phone):
    bang_list = make_bang_list(by=organiser_staff, publish=False)
    client.force_login(organiser_staff)
    response = client.post(reverse("bangs:list_edit", args=[bang_list.pk]), _list_payload(bang_list, phone))
    assert response.status_code == 302
    assert Contact.objects.get(bang_list=bang_list).phone == phone


def test_bang_contact_phone_abc_is_refused_next_to_the_field(client, organiser_staff):
    bang = make_bang_list(by=organiser_staff, publish=False).bangs.get()
    client.force_login(organiser_staff)
    page = client.get(reverse("bangs:bang_edit", args=[bang.pk])).content.decode()
    assert 'name="contact_phone"' in page
    response = client.post(reverse("bangs:bang_edit", args=[bang.pk]), {"title": bang.title, "contact_phone": "abc"})
    page = response.content.decode()
    assert re.search(r'id="id_contact_phone".*?请输入有效的电话号码', page, re.S)
