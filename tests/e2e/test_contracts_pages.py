"""axe-core and the 390 px width over the signing ceremony, the military-order template and the
workbench's task-book block, with real rows."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from contracts import services
from contracts.enums import PartyKind

from ..contracts.helpers import finalised, lead_user
from ..contracts.test_ceremony import png
from ..factories import UserFactory
from .axe import axe_violations, blocking, describe
from .conftest import PASSWORD, login, with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(organiser_staff):
    task_book = finalised(organiser_staff)
    lead = lead_user(task_book)
    services.task_book_sign(party=task_book.parties.get(kind=PartyKind.LEAD), by=lead, scan=png(),
                            signer_name="张三", signer_title="法定代表人")
    issuer = UserFactory(organisation=task_book.award.decision.bang.issuers.get(), roles=[Role.ENTERPRISE])
    return {"staff": with_password(organiser_staff), "lead": with_password(lead), "issuer": with_password(issuer),
            "task_book": task_book, "list": task_book.award.decision.bang.bang_list}


PAGES = [
    ("signing ceremony", "staff", lambda w: reverse("contracts:ceremony", args=[w["list"].pk])),
    ("military-order template", "staff", lambda w: reverse("contracts:order_template")),
    ("staff workbench", "staff", lambda w: reverse("dashboard")),
    ("lead's workbench", "lead", lambda w: reverse("dashboard")),
    ("issuer's workbench, a task book to seal", "issuer", lambda w: reverse("dashboard")),
]


@pytest.mark.parametrize("who,path", [pytest.param(who, path, id=name) for name, who, path in PAGES])
def test_page_passes_axe_and_fits_a_phone(new_page, world, who, path):
    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, world[who].username, PASSWORD)
    response = page.goto(path(world))
    assert response.status == 200, page.url
    if who == "issuer":
        assert page.locator("#workbench-my_task_books").count() == 1
    found = blocking(axe_violations(page))
    assert found == [], f"axe on {page.url}:\n{describe(found)}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at 390 px"
