"""axe-core and the 390 px width over the review and notice pages the journeys do not check:
each page as its user sees it on a phone, with real rows."""

import pytest

from accounts.enums import Role
from notices import services as notice_services
from notices.enums import ObjectorKind
from reviews.models import Assignment, PanelDraw, ReviewPlan

from ..factories import UserFactory
from ..notices.test_services import PERSON, proposed  # noqa: F401  (the fixture)
from .axe import axe_violations, blocking, describe
from .conftest import PASSWORD, login, with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    notice = notice_services.notice_publish(bang_list=bang_list, by=organiser_staff, title="揭榜结果公示",
                                            basis="依据", how_to_object="书面实名提出", confirm_warnings=True)
    objection = notice_services.objection_file(entry=notice.entries.get(), kind=ObjectorKind.PERSON, data=PERSON,
                                               grounds="业绩不实")
    seat = Assignment.objects.filter(bang=bang).select_related("expert").first()
    issuer = UserFactory(organisation=bang.issuers.get(), roles=[Role.ENTERPRISE])
    admin = UserFactory(roles=[Role.ADMIN])
    return {
        "staff": with_password(organiser_staff), "expert": with_password(seat.expert),
        "issuer": with_password(issuer), "lead": with_password(apps[0].created_by), "admin": with_password(admin),
        "list": bang_list, "bang": bang, "seat": seat, "app": apps[0], "notice": notice, "objection": objection,
        "draw": PanelDraw.objects.get(bang=bang), "profile": seat.expert.expert_profile
        if hasattr(seat.expert, "expert_profile") else None, "plan": ReviewPlan.objects.get(bang_list=bang_list),
    }


PAGES = [
    ("review of a list", "staff", lambda w: f"/reviews/lists/{w['list'].pk}/"),
    ("panel", "staff", lambda w: f"/reviews/bangs/{w['bang'].pk}/panel/"),
    ("draw replay", "staff", lambda w: f"/reviews/draws/{w['draw'].pk}/replay/"),
    ("ranking", "staff", lambda w: f"/reviews/bangs/{w['bang'].pk}/ranking/"),
    ("expert pool", "staff", lambda w: "/reviews/pool/"),
    ("pool import", "admin", lambda w: "/reviews/pool/import/"),
    ("new expert", "admin", lambda w: "/reviews/pool/new/"),
    ("expert's tasks", "expert", lambda w: "/reviews/mine/"),
    ("expert's panel", "expert", lambda w: f"/reviews/seats/{w['seat'].pk}/"),
    ("expert's own profile", "expert", lambda w: "/reviews/profile/"),
    ("enterprise's bangs", "issuer", lambda w: "/reviews/enterprise/"),
    ("objection queue", "staff", lambda w: "/notices/objections/"),
    ("record a paper objection", "staff", lambda w: f"/notices/{w['notice'].pk}/record/"),
    ("amend a notice", "staff", lambda w: f"/notices/{w['notice'].pk}/amend/"),
    ("lead's response requests", "lead", lambda w: "/notices/responses/"),
    ("objection status", None, lambda w: "/notices/objections/status/"),
    ("notice feed page list", None, lambda w: "/notices/"),
]


@pytest.mark.parametrize("who,path", [pytest.param(who, path, id=name) for name, who, path in PAGES])
def test_page_passes_axe_and_fits_a_phone(new_page, world, who, path):
    page = new_page()
    page.set_viewport_size(PHONE)
    if who:
        login(page, world[who].username, PASSWORD)
    response = page.goto(path(world))
    assert response.status == 200, page.url
    found = blocking(axe_violations(page))
    assert found == [], f"axe on {page.url}:\n{describe(found)}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at 390 px"
