"""Draft lists and bangs with their optional parts blank still show on the organiser's pages."""

import pytest
from django.urls import reverse

from bangs.models import Bang, BangList

from ..factories import make_bang_list

pytestmark = pytest.mark.django_db

PLACEHOLDER = "（未命名草稿）"


@pytest.fixture
def blank_list(organiser_staff):
    """A draft list with no bangs, no announcement text, no checklist or contacts; its title lost
    (as an import or the admin can leave it)."""
    bang_list = make_bang_list(by=organiser_staff, bangs=0, publish=False)
    BangList.objects.filter(pk=bang_list.pk).update(title="", preamble="", process="", conditions=[],
                                                    recommend_deadline=None)
    bang_list.checklist.all().delete()
    bang_list.contacts.all().delete()
    return bang_list


def test_manage_page_lists_a_blank_draft_list(client, organiser_staff, blank_list):
    client.force_login(organiser_staff)
    response = client.get(reverse("bangs:manage"))
    assert response.status_code == 200
    url = reverse("bangs:list_detail", args=[blank_list.pk])
    assert f'<a href="{url}">{PLACEHOLDER}</a>' in response.content.decode()


def test_list_page_of_a_blank_draft_list(client, organiser_staff, blank_list):
    client.force_login(organiser_staff)
    response = client.get(reverse("bangs:list_detail", args=[blank_list.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 class="h4 mb-1">{PLACEHOLDER}</h1>' in page
    assert "还没有技术榜" in page  # what publishing still needs


def test_list_page_shows_a_draft_bang_with_blank_optional_fields(client, organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, publish=False, indicators=0)
    bang = bang_list.bangs.get()
    Bang.objects.filter(pk=bang.pk).update(
        title="", background="", objectives="", field_test="", solver_requirements="", ip_terms="",
        contact_name="", contact_department="", contact_phone="", subsidy_override=None,
    )
    client.force_login(organiser_staff)
    response = client.get(reverse("bangs:list_detail", args=[bang_list.pk]))
    assert response.status_code == 200
    url = reverse("bangs:bang_detail", args=[bang.pk])
    assert f'<a href="{url}">{PLACEHOLDER}</a>' in response.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert f"1. {PLACEHOLDER}</h1>" in response.content.decode()
