"""Table forms: a bounded number of rows, and refusals in plain Chinese."""

import re
import time

import pytest
from django import forms
from django.urls import reverse

from applications import services
from applications.forms import PARTNER_ROWS
from bangs.models import ChecklistItem
from core.forms import row_formset

from ..applications.helpers import make_applicant
from ..factories import make_bang_list


class Row(forms.Form):
    name = forms.CharField()


RowSet = row_formset(Row, rows=3)


def _data(total, **extra):
    return {"form-TOTAL_FORMS": str(total), "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "3", **extra}


def test_too_many_rows_are_refused_in_chinese_and_not_built():
    formset = RowSet(_data(5000, **{f"form-{i}-name": "甲" for i in range(4)}))
    assert not formset.is_valid()
    assert len(formset.forms) == 3
    assert list(formset.non_form_errors()) == ["最多填写 3 行。"]


def test_a_missing_or_tampered_management_form_is_refused_in_plain_words():
    for data in ({}, {"form-TOTAL_FORMS": "abc", "form-INITIAL_FORMS": "0"}):
        formset = RowSet(data)
        assert not formset.is_valid()
        assert list(formset.non_form_errors()) == ["表格数据不完整，请刷新页面后重新填写。"]


@pytest.fixture
def draft(organiser_staff):
    applicant = make_applicant()
    application = services.application_start(bang=make_bang_list(by=organiser_staff).bangs.get(), by=applicant)
    return application, applicant


def _management(prefix, total):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


@pytest.mark.django_db
def test_a_forged_row_count_is_answered_quickly_with_few_rows_and_nothing_saved(client, draft):
    application, applicant = draft
    client.force_login(applicant)
    payload = {"objectives": "伪造的目标", **_management("partners", 5000), **_management("milestones", 2),
               **{f"partners-{i}-role": "x" for i in range(50)}}
    started = time.monotonic()
    response = client.post(reverse("applications:edit", args=[application.pk]), payload)
    assert time.monotonic() - started < 10
    assert response.status_code == 200
    page = response.content.decode()
    rows = set(re.findall(r'name="partners-(\d+)-credit_code"', page))
    assert 0 < len(rows) <= PARTNER_ROWS
    assert f"最多填写 {PARTNER_ROWS} 行。" in page
    assert "请最多提交" not in page
    application.refresh_from_db()
    assert application.objectives != "伪造的目标"
    assert not application.partners.exists()


@pytest.mark.django_db
def test_a_missing_management_form_reads_plainly_on_the_page(client, draft):
    application, applicant = draft
    client.force_login(applicant)
    response = client.post(reverse("applications:edit", args=[application.pk]),
                           {"objectives": "目标", **_management("milestones", 2)})
    page = response.content.decode()
    assert "表格数据不完整，请刷新页面后重新填写。" in page
    assert "ManagementForm" not in page
    assert "TOTAL_FORMS)" not in page and "隐藏字段" not in page


@pytest.mark.django_db
def test_a_forged_checklist_row_count_saves_nothing(client, organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, publish=False)
    client.force_login(organiser_staff)
    payload = {
        "title": bang_list.title, "opens_at": "2026-01-01T09:00:00", "deadline": "2036-01-01T23:59:59",
        "max_partners": "3", "notice_days": "5", "correction_days": "5",
        **_management("checklist", 5000), **_management("contacts", 0),
        **{f"checklist-{i}-title": f"材料{i}" for i in range(40)},
        **{f"checklist-{i}-kind": "other" for i in range(40)},
    }
    before = ChecklistItem.objects.filter(bang_list=bang_list).count()
    response = client.post(reverse("bangs:list_edit", args=[bang_list.pk]), payload)
    assert response.status_code == 200
    page = response.content.decode()
    assert len(set(re.findall(r'name="checklist-(\d+)-title"', page))) <= 30
    assert "最多填写 30 行。" in page
    assert ChecklistItem.objects.filter(bang_list=bang_list).count() == before


def test_a_nul_character_is_named_as_such():
    from core.forms import CalendarDayForm

    form = CalendarDayForm({"date": "2027-01-01", "name": "元\x00旦", "is_workday": ""})
    assert not form.is_valid()
    assert "空字符" in str(form.errors["name"])
