"""The list and bang forms: required table columns carry the * marker, and a refused save says so at the top."""

import re

import pytest
from django.urls import reverse

from applications import services

from ..applications.helpers import make_applicant
from ..factories import make_bang_list

pytestmark = pytest.mark.django_db

REQUIRED_MARK = '<span class="asteriskField field-required">*</span>'
REFUSED = "保存未成功，请按提示修改。您填写的内容仍在页面上。"


def _header(page: str, label: str) -> str:
    match = re.search(rf'<th scope="col">{label}.*?</th>', page)
    assert match, label
    return match.group(0)


def test_required_columns_of_table_forms_are_marked(client, organiser_staff):
    draft_list = make_bang_list(by=organiser_staff, publish=False)
    client.force_login(organiser_staff)
    page = client.get(reverse("bangs:list_edit", args=[draft_list.pk])).content.decode()
    assert REQUIRED_MARK in _header(page, "适用情形")
    assert REQUIRED_MARK not in _header(page, "必须提交")

    applicant = make_applicant()
    application = services.application_start(bang=make_bang_list(by=organiser_staff).bangs.get(), by=applicant)
    client.force_login(applicant)
    page = client.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert REQUIRED_MARK in _header(page, "时间节点")
    assert REQUIRED_MARK in _header(page, "阶段成果")
    assert REQUIRED_MARK not in _header(page, "考核指标")


def _management(prefix, total):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def test_a_refused_list_save_says_so_at_the_top(client, organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, publish=False)
    client.force_login(organiser_staff)
    payload = {
        "title": bang_list.title, "opens_at": "2026-01-01T09:00:00", "deadline": "2036-01-01T23:59:59",
        "max_partners": "3", "notice_days": "5", "correction_days": "5",
        **_management("checklist", 1), **_management("contacts", 0),
        "checklist-0-title": "营业执照",  # no kind, no condition
    }
    response = client.post(reverse("bangs:list_edit", args=[bang_list.pk]), payload)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(REFUSED) == 1
    assert page.index(REFUSED) < page.index('name="title"')


def test_a_list_allows_a_bounded_number_of_partners(client, organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, publish=False)
    client.force_login(organiser_staff)
    payload = {
        "title": bang_list.title, "opens_at": "2026-01-01T09:00:00", "deadline": "2036-01-01T23:59:59",
        "max_partners": "500", "notice_days": "5", "correction_days": "5",
        **_management("checklist", 0), **_management("contacts", 0),
    }
    response = client.post(reverse("bangs:list_edit", args=[bang_list.pk]), payload)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    bang_list.refresh_from_db()
    assert bang_list.max_partners != 500


def test_a_refused_bang_save_says_so_at_the_top(client, organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, publish=False)
    client.force_login(organiser_staff)
    bang = bang_list.bangs.get()
    response = client.post(reverse("bangs:bang_edit", args=[bang.pk]), {
        "title": "", **_management("indicators", 1), "indicators-0-name": "精度",  # no title, no target
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(REFUSED) == 1
    assert page.index(REFUSED) < page.index('name="title"')
