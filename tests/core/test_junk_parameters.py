"""Every list or filter page, fed junk in each of its parameters, answers without a server error
and never echoes a script unescaped.

The (page, parameters) table is read off the views: when a view learns a new parameter, add it here.
"""

import pytest
from django.urls import reverse

from accounts.enums import Role
from applications import services as application_services
from demands import services as demand_services

from ..factories import DemandFactory, OrganisationFactory, UserFactory, make_bang_list

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
JUNK = [
    "99999999999999999999999",  # overflows every integer column
    "-1",
    "0",
    "99999",
    "abc",
    "",
    "²",  # str.isdigit() says yes, int() says no
    "1' OR '1'='1",
    SCRIPT,
    "1\x00",  # PostgreSQL refuses NUL in text
]

DEMAND_FILTERS = ["q", "state", "round", "field", "region"]

# (role, url, parameters, acceptable statuses)
PAGES = [
    ("enterprise", "demands:list", [*DEMAND_FILTERS, "page"], {200}),
    ("enterprise", "demands:create", ["round"], {200}),
    ("staff", "demands:queue", [*DEMAND_FILTERS, "page"], {200}),
    ("staff", "demands:export", DEMAND_FILTERS, {200}),
    ("staff", "demands:round_list", ["q", "page"], {200}),
    ("anonymous", "bangs:browse",
     ["q", "field", "kind", "organiser", "region", "budget_min", "budget_max", "status", "issuer", "page"], {200}),
    ("anonymous", "bangs:list_index", ["q", "organiser", "status", "page"], {200}),
    ("anonymous", "bangs:feed", ["page"], {200}),
    ("organiser", "bangs:manage", ["q", "state", "stage", "page"], {200}),
    ("organiser", "bangs:pool", ["q", "state", "page"], {200}),
    ("organiser", "bangs:condense", ["demands", "list"], {302}),
    ("organiser", "bangs:bang_create {draft_list}", ["demands"], {200}),
    ("expert", "bangs:expert_dashboard", ["pending", "q", "page"], {200}),
    # The open-data API answers a page that does not exist with DRF's 404 and a message, as documented.
    ("anonymous", "api-bangs-list", ["page", "page_size", "list"], {200, 404}),
    ("anonymous", "api-lists-list", ["page", "page_size"], {200, 404}),
    ("applicant", "applications:list", ["q", "state", "page"], {200}),
    ("recommender", "applications:review", ["q", "state", "mine", "page"], {200}),
    ("organiser", "applications:review", ["q", "state", "mine", "page"], {200}),
    ("staff", "applications:routes", ["page"], {200}),
    ("organiser", "applications:list_summary {published_list}", ["page"], {200}),
    ("superuser", "calendar_days", ["year", "page"], {200}),
    ("superuser", "accounts:unit_list", ["q", "kind", "verified", "dishonest", "in_region", "page"], {200}),
    ("superuser", "accounts:user_list", ["q", "role", "page"], {200}),
    ("organiser", "contracts:list", ["q", "state", "page"], {200}),
    ("organiser", "contracts:project_list", ["q", "state", "list", "page"], {200}),
    ("organiser", "contracts:reports_overdue", ["q", "page"], {200}),
    ("enterprise", "accounts:join_requests", ["page"], {200}),
    ("enterprise", "notifications:inbox", ["unread", "q", "page"], {200}),
]

# (role, url, field, acceptable statuses) for POSTs that read ids or numbers from the form.
POSTS = [
    ("staff", "demands:bulk_accept", "ids", {302}),
    ("applicant", "applications:confirm {application}", "versions", {200, 302}),
]


@pytest.fixture
def world(alice, staff, organiser_staff, applicant, expert, round_):
    published = make_bang_list(by=organiser_staff)
    draft_list = make_bang_list(by=organiser_staff, publish=False, title="草稿榜单")
    submitted = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)
    demand_services.demand_submit(demand=submitted, by=alice)
    DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)  # a draft
    application = application_services.application_start(bang=published.bangs.get(), by=applicant)
    users = {
        "anonymous": None,
        "enterprise": alice,
        "staff": staff,
        "organiser": organiser_staff,
        "applicant": applicant,
        "expert": expert,
        "recommender": UserFactory(organisation=OrganisationFactory(kind="government"), roles=[Role.RECOMMENDER]),
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
    }
    ids = {"draft_list": draft_list.pk, "published_list": published.pk, "application": application.pk}
    return {"users": users, "ids": ids}


def _url(spec: str, ids: dict) -> str:
    name, _, arg = spec.partition(" ")
    return reverse(name, args=[ids[arg.strip("{}")]] if arg else None)


def _problems(response, label) -> list[str]:
    problems = []
    if response.status_code >= 500:
        problems.append(f"{label}: {response.status_code}")
    if SCRIPT.encode() in response.content:
        problems.append(f"{label}: script echoed unescaped")
    return problems


def _id(page) -> str:
    return f"{page[0]}-{page[1]}"


@pytest.mark.parametrize("page", PAGES, ids=_id)
def test_list_page_survives_junk_in_each_parameter(client, world, page):
    role, spec, params, acceptable = page
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    client.raise_request_exception = False
    url = _url(spec, world["ids"])
    assert client.get(url).status_code in acceptable, "the page itself must open for this role"
    problems = []
    for param in params:
        for value in JUNK:
            label = f"{url}?{param}={value!r}"
            response = client.get(url, {param: value})
            problems += _problems(response, label)
            if response.status_code not in acceptable:
                problems.append(f"{label}: {response.status_code}, expected one of {sorted(acceptable)}")
    # Everything at once, and a parameter given twice.
    for value in JUNK:
        response = client.get(url, {param: [value, "1"] for param in params})
        problems += _problems(response, f"{url} all={value!r}")
    assert problems == []


@pytest.mark.parametrize("post", POSTS, ids=_id)
def test_post_survives_junk_ids(client, world, post):
    role, spec, field, acceptable = post
    client.force_login(world["users"][role])
    client.raise_request_exception = False
    url = _url(spec, world["ids"])
    problems = []
    for value in JUNK:
        response = client.post(url, {field: [value, value]})
        problems += _problems(response, f"{url} {field}={value!r}")
        if response.status_code not in acceptable:
            problems.append(f"{url} {field}={value!r}: {response.status_code}")
    assert problems == []
