"""A partner that nobody has registered is shown as typed, marked unverified, wherever it appears."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Region
from applications import services
from applications.models import RecommenderRoute

from ..factories import OrganisationFactory, UserFactory, credit_code, make_bang_list
from .helpers import fill, make_applicant

pytestmark = pytest.mark.django_db

BADGE = "未注册·信息未核实"


@pytest.fixture
def world(organiser_staff):
    bang_list = make_bang_list(by=organiser_staff)
    bureau = OrganisationFactory(kind="government", name="通辽市科学技术局")
    RecommenderRoute.objects.create(region=Region.objects.get(code="150500"), recommender=bureau)
    lead = make_applicant(organisation=OrganisationFactory(kind="university", region=Region.objects.get(code="150502")))
    registered = OrganisationFactory(kind="institute", name="中国科学院过程工程研究所")
    application = fill(services.application_start(bang=bang_list.bangs.get(), by=lead), lead, partners=[registered])
    return {"application": application, "lead": lead, "registered": registered, "bang_list": bang_list,
            "recommender": UserFactory(organisation=bureau, roles=["recommender"])}


def _name_partners(world, *, placeholder: bool):
    """Partners: the registered institute, and a typed-in unit if `placeholder`; then submit."""
    rows = [dict(credit_code=world["registered"].credit_code, role="工艺研究", work_share=Decimal("20"))]
    if placeholder:
        rows.append(dict(credit_code=credit_code(778, "150502"), name="某某稀土研究院", kind="institute",
                         region=Region.objects.get(code="150502"), role="检测评价", work_share=Decimal("10")))
    services.application_save_draft(application=world["application"], data={}, partners=rows, by=world["lead"])


def _partner_rows(page: str) -> list[str]:
    return [chunk.split("</div>")[0] for chunk in page.split('data-testid="snapshot-partner">')[1:]]


def test_detail_and_confirm_mark_only_the_placeholder_partner(client, world):
    _name_partners(world, placeholder=True)
    client.force_login(world["lead"])
    for name in ("applications:detail", "applications:confirm"):
        rows = _partner_rows(client.get(reverse(name, args=[world["application"].pk])).content.decode())
        assert len(rows) == 2, name
        registered, typed = rows
        assert "中国科学院过程工程研究所" in registered and BADGE not in registered
        assert "某某稀土研究院" in typed and BADGE in typed


def test_detail_has_no_badge_when_every_partner_is_registered(client, world):
    _name_partners(world, placeholder=False)
    client.force_login(world["lead"])
    page = client.get(reverse("applications:detail", args=[world["application"].pk])).content.decode()
    assert "中国科学院过程工程研究所" in page
    assert BADGE not in page


@pytest.mark.parametrize("placeholder", [True, False])
def test_review_queue_marks_a_placeholder_partner(client, world, placeholder):
    _name_partners(world, placeholder=placeholder)
    services.application_submit(application=world["application"], by=world["lead"])
    client.force_login(world["recommender"])
    page = client.get(reverse("applications:review")).content.decode()
    assert "中国科学院过程工程研究所" in page
    assert ("某某稀土研究院" in page) is placeholder
    assert (BADGE in page) is placeholder


def test_summary_export_marks_a_placeholder_partner(client, world, organiser_staff):
    _name_partners(world, placeholder=True)
    services.application_submit(application=world["application"], by=world["lead"])
    client.force_login(organiser_staff)
    response = client.get(reverse("applications:list_summary_export", args=[world["bang_list"].pk]))
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    partners = dict(zip(rows[0], rows[1], strict=True))["联合体成员"]
    # A registered partner staff have not verified yet is marked too.
    assert partners == f"中国科学院过程工程研究所（区内，未核验）；某某稀土研究院（区内，{BADGE}）"
    page = client.get(reverse("applications:list_summary", args=[world["bang_list"].pk])).content.decode()
    assert "某某稀土研究院" in page and BADGE in page


def test_registered_placeholder_loses_the_badge_and_shows_its_own_name(client, world):
    from accounts.services import organisation_register

    _name_partners(world, placeholder=True)
    organisation_register(
        unit=dict(credit_code=credit_code(778, "150502"), name="内蒙古稀土研究院", kind="institute",
                  region=Region.objects.get(code="150502"), address="", postcode=""),
        user=dict(username="xitu", full_name="王五", mobile="13900000001", email="x@example.com"),
        password="Strong-pass-2026", role="applicant",
    )
    client.force_login(world["lead"])
    page = client.get(reverse("applications:detail", args=[world["application"].pk])).content.decode()
    assert "内蒙古稀土研究院" in page
    assert "某某稀土研究院" not in page
    assert BADGE not in page
    assert "未核验" in page  # claimed, but staff have not checked the registrant is that unit


def test_a_typed_name_stays_marked_after_the_unit_registers(client, world):
    from accounts.services import organisation_register

    _name_partners(world, placeholder=True)
    services.application_submit(application=world["application"], by=world["lead"])
    organisation_register(
        unit=dict(credit_code=credit_code(778, "150502"), name="内蒙古稀土研究院", kind="institute",
                  region=Region.objects.get(code="150502"), address="", postcode=""),
        user=dict(username="xitu2", full_name="王六", mobile="13900000002", email="x2@example.com"),
        password="Strong-pass-2026", role="applicant",
    )
    client.force_login(world["lead"])
    page = client.get(reverse("applications:detail", args=[world["application"].pk])).content.decode()
    # The submitted version shows what the applicant typed, still marked as unchecked.
    assert "某某稀土研究院" in page and BADGE in page
