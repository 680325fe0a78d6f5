"""After signing in, organiser staff and an applicant land on 我的工作台 and see their blocks, on a
390 px phone screen without sideways scrolling."""

import re

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from applications.models import Application

from ..factories import OrganisationFactory, make_bang_list
from .conftest import PASSWORD, login
from .conftest import journey_user as _user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_staff_and_applicant_land_on_their_workbench_on_a_phone(new_page):
    bureau = OrganisationFactory(kind="government", name="鄂尔多斯市科学技术局")
    organiser = _user(username="organiser", organisation=bureau, roles=[Role.STAFF])
    make_bang_list(by=organiser, publish=False, title="2026年鄂尔多斯市第二批榜单（草稿）")
    published = make_bang_list(by=organiser, title="2026年鄂尔多斯市第一批“揭榜挂帅”榜单")
    applicant = _user(username="imun", organisation=OrganisationFactory(kind="university", name="内蒙古民族大学"),
                      roles=[Role.APPLICANT])
    bang = published.bangs.get()
    draft = Application.objects.create(bang=bang, lead=applicant.organisation, created_by=applicant)

    staff_page = new_page()
    staff_page.set_viewport_size(PHONE)
    login(staff_page, "organiser", PASSWORD)
    expect(staff_page).to_have_url(re.compile(r"/dashboard/$"))
    lists = staff_page.locator("#workbench-organiser_lists")
    expect(lists.get_by_role("heading", name="我的榜单")).to_be_visible()
    expect(lists.get_by_role("link", name="2026年鄂尔多斯市第二批榜单（草稿）")).to_be_visible()
    expect(lists.get_by_role("link", name="2026年鄂尔多斯市第一批“揭榜挂帅”榜单")).to_be_visible()
    expect(staff_page.locator("#workbench-screening")).to_have_count(0)
    assert fits_the_phone(staff_page)
    lists.get_by_role("link", name="全部").click()
    expect(staff_page).to_have_url(re.compile(r"/bangs/manage/$"))

    applicant_page = new_page()
    applicant_page.set_viewport_size(PHONE)
    login(applicant_page, "imun", PASSWORD)
    mine = applicant_page.locator("#workbench-applicant")
    expect(mine.get_by_role("heading", name="我的揭榜申报")).to_be_visible()
    expect(mine.get_by_text("草稿，申报截止：")).to_be_visible()
    assert fits_the_phone(applicant_page)
    mine.get_by_role("link", name=str(bang)).click()
    expect(applicant_page).to_have_url(re.compile(rf"/applications/{draft.pk}/edit/$"))
