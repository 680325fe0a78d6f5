"""Every application view against every role, visibility, query counts, the receipt PDF."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import Region
from applications import services
from applications.enums import ApplicationState
from applications.models import Application, RecommenderRoute, submitted_summary

from ..factories import OrganisationFactory, UserFactory, make_bang_list
from .helpers import PDF, fill, make_applicant

pytestmark = pytest.mark.django_db

ROLES = ["lead", "partner", "other_applicant", "recommender", "other_recommender", "organiser", "other_organiser",
         "issuer", "expert", "anonymous"]


@pytest.fixture
def world(organiser_staff, other_organiser_staff, expert):
    bang_list = make_bang_list(by=organiser_staff)
    bang = bang_list.bangs.get()
    bureau = OrganisationFactory(kind="government", name="通辽市科学技术局")
    RecommenderRoute.objects.create(region=Region.objects.get(code="150500"), recommender=bureau)
    lead = make_applicant(organisation=OrganisationFactory(kind="university", region=Region.objects.get(code="150502")))
    partner_org = OrganisationFactory(kind="institute", is_verified=True)
    application = fill(services.application_start(bang=bang, by=lead), lead, partners=[partner_org])
    services.application_submit(application=application, by=lead)
    issuer = UserFactory(organisation=bang.issuers.get(), roles=["enterprise", "applicant"])
    users = {
        "lead": lead,
        "partner": make_applicant(organisation=partner_org),
        "other_applicant": make_applicant(),
        "recommender": UserFactory(organisation=bureau, roles=["recommender"]),
        "other_recommender": UserFactory(organisation=OrganisationFactory(kind="government"), roles=["recommender"]),
        "organiser": organiser_staff,
        "other_organiser": other_organiser_staff,
        "issuer": issuer,
        "expert": expert,
        "anonymous": None,
    }
    application.refresh_from_db()
    return {"application": application, "users": users, "bang_list": bang_list}


# expected status per role, in ROLES order
MATRIX = [
    ("applications:detail", "get", [200, 200, 404, 200, 404, 200, 404, 404, 404, 302]),
    # Submitted means frozen: the lead is sent back to the detail page to revise or withdraw.
    ("applications:edit", "get", [302, 403, 404, 403, 404, 403, 404, 404, 404, 302]),
    ("applications:confirm", "get", [302, 403, 404, 403, 404, 403, 404, 404, 404, 302]),
    ("applications:compare", "get", [200, 200, 404, 200, 404, 200, 404, 404, 404, 302]),
    ("applications:revise", "post", [302, 403, 404, 403, 404, 403, 404, 404, 404, 302]),
    ("applications:withdraw", "post", [302, 403, 404, 403, 404, 403, 404, 404, 404, 302]),
    ("applications:decide", "post", [403, 403, 404, 302, 404, 403, 404, 404, 404, 302]),
    ("applications:upload", "post", [302, 403, 404, 403, 404, 403, 404, 404, 404, 302]),
]


@pytest.mark.parametrize(("name", "method", "expected"), MATRIX)
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_application_view_permissions(client, world, name, method, expected, role_index):
    application = world["application"]
    role = ROLES[role_index]
    user = world["users"][role]
    if user:
        client.force_login(user)
    kwargs = {"pk": application.pk}
    if name == "applications:upload":
        kwargs["item_pk"] = application.bang.bang_list.checklist.first().pk
    url = reverse(name, kwargs=kwargs)
    data = {"action": "recommend", "file": SimpleUploadedFile("x.pdf", PDF)}
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == expected[role_index], (name, role)
    if role not in {"lead", "recommender"}:
        assert Application.objects.get(pk=application.pk).state == ApplicationState.SUBMITTED


@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_receipt_and_attachment_permissions(client, world, role_index):
    application = world["application"]
    role = ROLES[role_index]
    user = world["users"][role]
    if user:
        client.force_login(user)
    version = application.versions.get()
    attachment = application.attachments.first()
    expected = {"lead": 200, "partner": 200, "recommender": 200, "organiser": 200, "anonymous": 302}.get(role, 404)
    for url in (reverse("applications:receipt", args=[version.pk]),
                reverse("applications:attachment", args=[attachment.pk])):
        assert client.get(url).status_code == expected, (url, role)


@pytest.mark.parametrize(("role", "sees"), [
    ("lead", True), ("partner", True), ("other_applicant", False), ("recommender", True),
    ("other_recommender", False), ("organiser", True), ("other_organiser", False), ("issuer", False),
    ("expert", False),
])
def test_lists_show_only_what_each_role_may_see(client, world, role, sees):
    application = world["application"]
    client.force_login(world["users"][role])
    pages = [reverse("applications:list")]
    if role in {"recommender", "other_recommender", "organiser", "other_organiser"}:
        pages = [reverse("applications:review")]
    for url in pages:
        assert (application.number in client.get(url).content.decode()) is sees


def test_partner_sees_read_only(client, world):
    client.force_login(world["users"]["partner"])
    page = client.get(reverse("applications:detail", args=[world["application"].pk])).content.decode()
    assert world["application"].number in page
    assert reverse("applications:edit", args=[world["application"].pk]) not in page
    assert f'href="{reverse("applications:list")}">&larr;' in page  # back to its list, not the review queue


def test_an_unverified_partner_unit_sees_nothing(client, world):
    """Anyone can register a credit code nobody holds: until staff verify the unit, the
    applications that name it as a partner stay closed to it."""
    partner = world["users"]["partner"]
    partner.organisation.is_verified = False
    partner.organisation.save(update_fields=["is_verified"])
    client.force_login(partner)
    assert client.get(reverse("applications:detail", args=[world["application"].pk])).status_code == 404
    attachment = world["application"].attachments.first()
    assert client.get(reverse("applications:attachment", args=[attachment.pk])).status_code == 404
    assert world["application"].number not in client.get(reverse("applications:list")).content.decode()


def test_drafts_are_hidden_from_recommender_and_organiser(client, world, organiser_staff):
    other = make_applicant()
    draft = services.application_start(bang=world["application"].bang, by=other)
    client.force_login(organiser_staff)
    assert client.get(reverse("applications:detail", args=[draft.pk])).status_code == 404


def test_review_pages_refuse_applicants(client, world):
    client.force_login(world["users"]["other_applicant"])
    assert client.get(reverse("applications:review")).status_code == 403
    assert client.get(reverse("applications:list_summary", args=[world["bang_list"].pk])).status_code == 403


def test_receipt_pdf_has_number_and_time(client, world):
    client.force_login(world["users"]["lead"])
    version = world["application"].versions.get()
    response = client.get(reverse("applications:receipt_pdf", args=[version.pk]))
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert version.receipt in text
    assert version.submitted_at.astimezone().strftime("%Y") in text


def test_summary_export_one_row_per_application(client, world, organiser_staff):
    client.force_login(organiser_staff)
    response = client.get(reverse("applications:list_summary_export", args=[world["bang_list"].pk]))
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2
    assert row["牵头单位"] == world["application"].lead.name
    assert row["区内/区外"] == "区内"
    assert row["申请财政补助（万元）"] == 200
    assert row["推荐单位"] == "通辽市科学技术局"
    assert "联合体成员" in header
    bang = world["application"].bang
    assert row["技术榜"] == bang.title  # the bang by its name and cap, not only its number
    assert row["财政补助上限（万元）"] == bang.subsidy_cap


def test_start_shows_refusal_reason_on_bang_page(client, world):
    issuer = world["users"]["issuer"]
    client.force_login(issuer)
    page = client.get(reverse("bangs:bang_detail", args=[world["application"].bang_id])).content.decode()
    assert "发榜企业不能揭自己发布的榜" in page
    response = client.post(reverse("applications:start", args=[world["application"].bang_id]))
    assert response.status_code == 302
    assert not Application.objects.filter(lead=issuer.organisation).exists()


@pytest.mark.parametrize("rows", [1, 6])
def test_list_pages_query_counts(client, organiser_staff, django_assert_max_num_queries, rows):
    bang_list = make_bang_list(by=organiser_staff, bangs=1)
    bang = bang_list.bangs.get()
    applicants = [make_applicant() for _ in range(rows)]
    for user in applicants:
        a = fill(services.application_start(bang=bang, by=user), user, partners=[OrganisationFactory()])
        services.application_submit(application=a, by=user)
    client.force_login(organiser_staff)
    for url in (reverse("applications:review"), reverse("applications:list_summary", args=[bang_list.pk]),
                reverse("applications:list_summary_export", args=[bang_list.pk])):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
    client.force_login(applicants[0])
    with django_assert_max_num_queries(10):
        assert client.get(reverse("applications:list")).status_code == 200


def test_edit_keeps_everything_on_a_validation_error(client, world):
    lead = world["users"]["lead"]
    other = make_applicant(organisation=lead.organisation)
    other_list = make_bang_list(by=world["users"]["organiser"])
    application = services.application_start(bang=other_list.bangs.get(), by=other)
    client.force_login(other)
    url = reverse("applications:edit", args=[application.pk])
    page = client.get(url).content.decode()
    assert "实施方案" in page
    payload = {
        "objectives": "很长的目标文字", "lead_months": "abc",
        "partners-TOTAL_FORMS": "2", "partners-INITIAL_FORMS": "0", "partners-MIN_NUM_FORMS": "0", "partners-MAX_NUM_FORMS": "1000",
        "milestones-TOTAL_FORMS": "2", "milestones-INITIAL_FORMS": "0", "milestones-MIN_NUM_FORMS": "0", "milestones-MAX_NUM_FORMS": "1000",
        "save": "1",
    }
    response = client.post(url, payload)
    page = response.content.decode()
    assert response.status_code == 200
    assert "很长的目标文字" in page
    assert "输入整数" in page  # the error sits next to the field


def test_missing_stored_file_is_404_not_500(client, world):
    attachment = world["application"].attachments.first()
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(world["users"]["lead"])
    assert client.get(reverse("applications:attachment", args=[attachment.pk])).status_code == 404


def test_summary_export_keeps_formula_like_text_as_text(client, world, organiser_staff):
    Application.objects.filter(pk=world["application"].pk).update(route_label="=HYPERLINK(\"http://x\")")
    version = world["application"].versions.get()
    version.data["fields"]["route_label"] = "=HYPERLINK(\"http://x\")"
    version.save(update_fields=["data"])
    # As submitting it would have recorded it.
    Application.objects.filter(pk=world["application"].pk).update(submitted_summary=submitted_summary(version.data))
    client.force_login(organiser_staff)
    response = client.get(reverse("applications:list_summary_export", args=[world["bang_list"].pk]))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    cell = sheet.cell(row=2, column=5)
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"


@pytest.mark.parametrize("rows", [1, 4])
def test_submitting_an_incomplete_draft_lists_what_is_missing(client, organiser_staff, django_assert_max_num_queries,
                                                              rows):
    bang = make_bang_list(by=organiser_staff, bangs=1, indicators=rows).bangs.get()
    applicant = make_applicant()
    application = services.application_start(bang=bang, by=applicant)
    client.force_login(applicant)
    with django_assert_max_num_queries(40):
        response = client.post(reverse("applications:confirm", args=[application.pk]), {"versions": "0"})
    page = response.content.decode()
    assert response.status_code == 200 and "申报内容不完整，请按提示补充后再提交。" in page
    missing = page.split('data-testid="submit-errors"')[1].split("</ul>")[0]
    assert missing.count("<li>") >= 3  # the blank draft lacks its plan, budget and commitments at least
    assert not application.versions.exists()
    assert Application.objects.get(pk=application.pk).state == ApplicationState.DRAFT
