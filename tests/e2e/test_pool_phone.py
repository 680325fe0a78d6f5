"""The pool's pages at 390 px (a phone): no sideways scrolling, the list's filters fold away."""

import pytest
from playwright.sync_api import expect

from accounts.enums import Role

from .conftest import PASSWORD, journey_user, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_pool_pages_fit_a_phone(new_page):  # noqa: F811
    from demands.models import TechField
    from reviews.models import ExpertConflict, ExpertProfile
    from tests.factories import OrganisationFactory, UserFactory, credit_code

    journey_user(username="pool_staff", roles=[Role.STAFF])
    expert = journey_user(username="pool_expert", roles=[Role.EXPERT])
    for i in range(3):
        user = UserFactory(full_name=f"很长名字的专家{i}", roles=[Role.EXPERT])
        profile = ExpertProfile.objects.create(
            user=user, unit=OrganisationFactory(name="内蒙古自治区某某某某科学技术研究院有限责任公司"),
            title="教授级高级工程师", specialties="稀土永磁材料、电机控制、储能系统集成与智能运维")
        profile.fields.set(TechField.objects.all()[:3])
    mine = ExpertProfile.objects.create(user=expert, unit=OrganisationFactory(), title="教授")
    mine.fields.set(TechField.objects.all()[:1])
    ExpertConflict.objects.create(profile=mine, credit_code=credit_code(5), unit_name="某某能源集团有限公司",
                                  reason="曾在该单位任职，近三年有合作项目")

    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, "pool_staff", PASSWORD)
    for path in ("/reviews/pool/", f"/reviews/pool/{profile.pk}/", "/reviews/pool/new/", "/reviews/pool/import/",
                 f"/reviews/pool/{profile.pk}/deactivate/"):
        page.goto(path)
        assert _scroll_width(page) <= 390, path
    page.goto("/reviews/pool/")
    expect(page.locator("#list-filters")).to_be_hidden()
    page.get_by_test_id("filter-toggle").click()
    expect(page.locator("#list-filters")).to_be_visible()
    assert _scroll_width(page) <= 390

    other = new_page()
    other.set_viewport_size(PHONE)
    login(other, "pool_expert", PASSWORD)
    other.goto("/reviews/profile/")
    expect(other.get_by_test_id("my-conflicts")).to_be_visible()
    assert _scroll_width(other) <= 390
