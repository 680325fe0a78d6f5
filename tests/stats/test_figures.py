import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.enums import OrganisationKind, Role
from accounts.models import Region
from stats.figures import public_figures, staff_figures

from ..factories import OrganisationFactory, UserFactory
from .world import build_world, grow

pytestmark = pytest.mark.django_db

D = Decimal


def rows(figures, key):
    return {r.label: (r.bangs, r.signed, r.budget, r.investment, r.subsidy) for r in figures.breakdowns[key]}


@pytest.fixture
def world():
    return build_world()


def test_headline_figures_match_the_hand_count(world):
    f = public_figures()
    assert f.lists == 2  # the draft list does not count
    assert f.bangs == 5
    assert f.budget == D("2800.00")
    assert f.signed == 2  # b1 (two teams, counted once) and b4; b2's task book is still being signed
    assert f.investment == D("1800.00")  # U1 600 + U2 400 (revision 2 in force) + U3 800
    assert f.subsidy == D("520.00")
    assert (f.leads, f.leads_outside) == (3, 2)  # U1, U2, U3; U4 is still in notice
    assert f.outside_share == D("66.7")
    assert f.issuers == 3  # E4 issues only on the draft list
    assert f.solvers == 3
    outcomes = {o["state"]: o["count"] for o in f.outcomes}
    assert outcomes == {"in_progress": 1, "terminated": 1, "merged": 0, "acceptance": 0, "passed": 1,
                        "failed": 0, "tolerated": 0}


def test_breakdowns_match_the_hand_count(world):
    f = public_figures()
    assert rows(f, "year") == {"2022": (3, 1, D("1800.00"), D("1000.00"), D("280.00")),
                               "2023": (2, 1, D("1000.00"), D("800.00"), D("240.00"))}
    assert [r.label for r in f.breakdowns["year"]] == ["2022", "2023"]
    assert rows(f, "organiser") == {"甲组织单位": (3, 1, D("1800.00"), D("1000.00"), D("280.00")),
                                    "乙组织单位": (2, 1, D("1000.00"), D("800.00"), D("240.00"))}
    assert rows(f, "field") == {"能源资源": (3, 1, D("1700.00"), D("1000.00"), D("280.00")),
                                "现代农牧业": (2, 1, D("1100.00"), D("800.00"), D("240.00"))}


def test_no_winner_yet_gives_no_share():
    f = public_figures()
    assert (f.bangs, f.leads, f.outside_share) == (0, 0, None)


def test_staff_figures_all_and_per_organiser(world):
    everyone = staff_figures()
    assert everyone.decided == 2
    assert everyone.days_to_award == D("20.0")  # (10 + 30) / 2
    assert (everyone.objections, everyone.objections_upheld, everyone.objections_open) == (3, 1, 1)
    assert everyone.agreed_subsidy == D("520.00")
    assert everyone.disbursed == D("160.00")
    assert everyone.disbursed_share == D("30.8")

    a = staff_figures(organiser_id=world.org_a.pk)
    assert (a.decided, a.days_to_award) == (1, D("10.0"))
    assert (a.objections, a.objections_upheld, a.objections_open) == (1, 0, 0)
    assert (a.agreed_subsidy, a.disbursed) == (D("280.00"), D("100.00"))


# --- the API ---------------------------------------------------------------------------------------

STAFF_KEYS = {"days_to_award", "decided", "objections", "objections_upheld", "objections_open", "disbursed",
              "agreed_subsidy", "disbursed_share"}


def test_api_returns_the_public_figures_only(world, client):
    response = client.get("/api/v1/stats/")
    assert response.status_code == 200
    data = response.json()
    assert data["bangs"] == 5 and data["signed"] == 2 and data["lists"] == 2
    assert data["investment"] == "1800.00" and data["subsidy"] == "520.00" and data["budget"] == "2800.00"
    assert data["outside_share"] == "66.7" and data["issuers"] == 3 and data["solvers"] == 3
    assert [r["label"] for r in data["breakdowns"]["field"]] == ["能源资源", "现代农牧业"]
    assert data["breakdowns"]["year"][0] == {"label": "2022", "bangs": 3, "signed": 1, "budget": "1800.00",
                                             "investment": "1000.00", "subsidy": "280.00"}
    text = response.content.decode()
    assert not STAFF_KEYS & set(data)
    assert "objection" not in text and "disburse" not in text


def test_api_is_read_only(client):
    assert client.post("/api/v1/stats/", {}).status_code in (403, 405)


def test_api_is_in_the_schema(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/stats/" in text and "outside_share" in text


# --- the page --------------------------------------------------------------------------------------

def test_page_shows_the_figures_to_anyone(world, client):
    response = client.get(reverse("stats:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for testid, value in (("fig-lists", "2"), ("fig-bangs", "5"), ("fig-signed", "2"), ("fig-investment", "1800"),
                          ("fig-subsidy", "520"), ("fig-outside", "66.7%"), ("fig-issuers", "3"),
                          ("fig-solvers", "3"), ("fig-budget", "2800")):
        assert f'data-testid="{testid}">{value}<' in html, testid
    assert "甲组织单位" in html and "现代农牧业" in html
    assert 'id="stats-data"' in html and "vendor/echarts/echarts.min.js" in html
    assert 'data-testid="staff-figures"' not in html
    assert "<script>" not in html  # CSP: data as JSON, drawn by a static file


def test_staff_figures_only_for_staff(world, client):
    applicant = UserFactory(organisation=world.u1, roles=[Role.APPLICANT])
    client.force_login(applicant)
    assert 'data-testid="staff-figures"' not in client.get(reverse("stats:index")).content.decode()

    client.force_login(world.staff)
    html = client.get(reverse("stats:index")).content.decode()
    assert 'data-testid="staff-figures"' in html
    # 甲's staff see 甲's figures: 10 days, one objection, 100 of 280 disbursed.
    assert 'data-testid="staff-days">10.0' in html
    assert 'data-testid="staff-objections">1<' in html
    assert 'data-testid="staff-disbursed">100 / 280' in html


def query_counts(client, world, user=None):
    if user is not None:
        client.force_login(user)
    counts = []
    for url in (reverse("stats:index"), "/api/v1/stats/", reverse("stats:export", args=["field"])):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            assert response.status_code == 200
            b"".join(response.streaming_content) if response.streaming else response.content
        counts.append(len(ctx))
    return counts


@pytest.mark.parametrize("as_staff", [False, True])
def test_query_counts_do_not_grow_with_the_data(world, client, as_staff):
    user = world.staff if as_staff else None
    small = query_counts(client, world, user)
    grow(world, 6)
    assert public_figures().bangs == 11
    assert query_counts(client, world, user) == small


# --- Excel -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("key,labels", [("year", ["2022", "2023"]), ("organiser", ["甲组织单位", "乙组织单位"]),
                                        ("field", ["能源资源", "现代农牧业"])])
def test_excel_download_has_the_rows(world, client, key, labels):
    response = client.get(reverse("stats:export", args=[key]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = wb.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2 + len(labels)
    assert [row[0] for row in values[2:]] == labels
    assert list(values[2][1:3]) == [3, 1]  # bangs, signed of the first row
    assert values[2][4] == 1000  # agreed investment


def test_excel_unknown_breakdown_is_404(client):
    assert client.get("/stats/nothing.xlsx").status_code == 404


def test_a_formula_looking_name_stays_text(world, client):
    world.org_a.name = "=HYPERLINK(\"x\")"
    world.org_a.save()
    response = client.get(reverse("stats:export", args=["organiser"]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [row[0] for row in wb.worksheets[0].iter_rows(min_row=3)]
    assert any(c.value == "=HYPERLINK(\"x\")" and c.data_type == "s" for c in cells)


# --- the demo --------------------------------------------------------------------------------------

def demo_figures():
    from stats.demo import load_demo_stats

    kjt = OrganisationFactory(name="内蒙古自治区科学技术厅", kind=OrganisationKind.GOVERNMENT,
                              region=Region.objects.get(code="150000"))
    staff = UserFactory(organisation=kjt, roles=[Role.STAFF])
    assert load_demo_stats(users={"staff": staff}, units={"kjt": kjt}) > 0
    assert load_demo_stats(users={"staff": staff}, units={"kjt": kjt}) == 0  # idempotent
    return staff


def test_demo_reproduces_the_2021_first_batch(client):
    staff = demo_figures()
    f = public_figures()
    assert (f.lists, f.bangs, f.signed) == (1, 15, 12)
    assert f.budget == D("27440.00")
    assert f.investment == D("19000.00")  # 1.9亿
    assert f.subsidy > D("5000")
    assert (f.leads, f.leads_outside) == (15, 12)  # three racehorse bangs with a second team each
    assert f.outside_share == D("80.0")  # the published "80%"

    # The task books of the batch open for the organiser's staff.
    client.force_login(staff)
    listing = client.get(reverse("contracts:list"))
    assert listing.status_code == 200 and "NMKJ-JBGS-2021-001" in listing.content.decode()
    from contracts.models import TaskBook

    task_book = TaskBook.objects.get(project_number="NMKJ-JBGS-2021-001")
    detail = client.get(reverse("contracts:detail", args=[task_book.pk]))
    assert detail.status_code == 200 and "NMKJ-JBGS-2021-001" in detail.content.decode()


def test_load_demo_includes_the_batch():
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    f = public_figures()
    year = {r.label: r for r in f.breakdowns["year"]}["2021"]
    assert (year.bangs, year.signed, year.investment, year.budget) == (15, 12, D("19000.00"), D("27440.00"))
    organiser = {r.label: r for r in f.breakdowns["organiser"]}["内蒙古自治区科学技术厅"]
    assert (organiser.bangs, organiser.signed) == (15, 12)
    # The demo's other winning leads (哈尔滨工业大学, 内蒙古民族大学) also won in 2021: still 15 leads, 12 outside.
    assert (f.leads, f.leads_outside, f.outside_share) == (15, 12, D("80.0"))

    # The batch in execution, recorded through the services.
    from contracts.enums import AcceptanceOutcome, PaymentState, ProjectState, ReportState
    from contracts.models import Acceptance, Disbursement, Payment, Project
    from stats.demo import TITLE

    projects = Project.objects.filter(award__decision__bang__bang_list__title=TITLE)
    assert projects.count() == 15
    terminated = projects.filter(state=ProjectState.TERMINATED)
    assert terminated.count() == 1
    bang = terminated.get().award.decision.bang
    assert bang.max_teams == 2
    assert projects.filter(award__decision__bang=bang, state=ProjectState.IN_PROGRESS,
                           midterm__outcome="continue").count() == 1
    assert terminated.get().refund_due > 0
    outcomes = sorted(Acceptance.objects.filter(project__in=projects).values_list("outcome", flat=True))
    assert outcomes == sorted([AcceptanceOutcome.PASSED, AcceptanceOutcome.TOLERATED])
    assert not Acceptance.objects.filter(project__in=projects, pdf="").exists()  # the certificates
    assert Payment.objects.filter(project__in=projects, state=PaymentState.CONFIRMED, arrived_on__year=2022).exists()
    assert Disbursement.objects.filter(project__in=projects, paid_on__year=2023).exists()
    assert projects.filter(reports__state=ReportState.ACCEPTED).distinct().count() >= 5
    assert {r.label: r for r in public_figures().breakdowns["year"]}["2021"].signed == 12
    # Idempotent: a second run writes nothing.
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "(0 objects created)" in out.getvalue()
    assert Project.objects.filter(award__decision__bang__bang_list__title=TITLE).count() == 15
    assert Region.objects.get(code="150000").name  # sanity: regions loaded
