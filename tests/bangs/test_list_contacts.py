"""The list page names a contact once, with the bangs they answer for, not once per bang."""

import pytest
from django.urls import reverse

from bangs.models import Bang

from ..factories import make_bang_list
from ..html import squash

pytestmark = pytest.mark.django_db


def _contacts(response) -> list[str]:
    import re

    ul = re.search(r'<ul data-testid="contacts">(.*?)</ul>', response.content.decode(), re.S).group(1)
    return [squash(re.sub(r"<[^>]+>", "", li)) for li in re.findall(r"<li>(.*?)</li>", ul, re.S)]


def test_list_groups_identical_bang_contacts(client, organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, bangs=3)
    Bang.objects.filter(bang_list=bang_list, number=2).update(
        contact_name="田庚强", contact_department="高新技术科", contact_phone="04713333333")
    response = client.get(reverse("bangs:list_detail", args=[bang_list.pk]))
    assert _contacts(response) == [
        "第1、3榜：稀土技术创新中心 高乐乐 13347199639",
        "第2榜：高新技术科 田庚强 04713333333",
    ]
