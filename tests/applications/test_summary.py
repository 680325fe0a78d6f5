"""The 项目汇总表 names each bang and its subsidy cap, not only its number."""

import re

import pytest
from django.urls import reverse

from applications import services
from core.money import format_wan

from ..factories import make_bang_list
from ..html import squash
from .helpers import fill, make_applicant

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[list[str]]:
    table = re.search(r'<table[^>]*data-testid="summary".*?</table>', html, re.S).group(0)
    return [[squash(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_summary_shows_bang_name_and_subsidy_cap(client, organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, bangs=2)
    bang = bang_list.bangs.get(number=2)
    lead = make_applicant()
    services.application_submit(application=fill(services.application_start(bang=bang, by=lead), lead), by=lead)
    client.force_login(organiser_staff)
    rows = _rows(client.get(reverse("applications:list_summary", args=[bang_list.pk])).content.decode())
    assert rows[0][1:3] == ["技术榜", "财政补助上限（万元）"]
    assert rows[1][1:3] == [f"2. {bang.title}", format_wan(bang.subsidy_cap)]
