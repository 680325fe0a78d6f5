"""Permissions of each role on every bangs view, targeted lists, search, feed and API."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangs import services
from bangs.models import BangList, ListFile

from ..factories import OrganisationFactory, UserFactory, make_bang_list

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "enterprise", "applicant", "organiser", "other_organiser", "expert"]


@pytest.fixture
def users(alice, applicant, organiser_staff, other_organiser_staff, expert):
    return {
        "anonymous": None, "enterprise": alice, "applicant": applicant, "organiser": organiser_staff,
        "other_organiser": other_organiser_staff, "expert": expert,
    }


@pytest.fixture
def lists(organiser_staff):
    return {
        "draft": make_bang_list(by=organiser_staff, publish=False, title="草稿榜单"),
        "published": make_bang_list(by=organiser_staff, title="已发布榜单"),
    }


def _pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# (name, method, which list, expected per role in ROLES order)
MATRIX = [
    ("bangs:list_detail", "get", "draft", [404, 404, 404, 200, 404, 404]),
    ("bangs:list_detail", "get", "published", [200, 200, 200, 200, 200, 200]),
    ("bangs:list_edit", "get", "draft", [302, 404, 404, 200, 404, 404]),
    ("bangs:list_edit", "get", "published", [302, 403, 403, 403, 403, 403]),
    ("bangs:list_publish", "post", "draft", [302, 404, 404, 302, 404, 404]),
    ("bangs:list_withdraw", "post", "published", [302, 403, 403, 302, 403, 403]),
    ("bangs:list_amend", "get", "published", [302, 403, 403, 200, 403, 403]),
    ("bangs:list_file_upload", "post", "published", [302, 403, 403, 302, 403, 403]),
    ("bangs:bang_create", "get", "draft", [302, 404, 404, 200, 404, 404]),
]


@pytest.mark.parametrize(("name", "method", "which", "expected"), MATRIX)
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_list_view_permissions(client, users, lists, name, method, which, expected, role_index):
    user = users[ROLES[role_index]]
    if user:
        client.force_login(user)
    bang_list = lists[which]
    before = BangList.objects.get(pk=bang_list.pk).state
    kwargs = {"list_pk": bang_list.pk} if name == "bangs:bang_create" else {"pk": bang_list.pk}
    url = reverse(name, kwargs=kwargs)
    data = {"reason": "测试", "title": "附件", "file": SimpleUploadedFile("a.pdf", _pdf_bytes())}
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == expected[role_index], (name, ROLES[role_index])
    if ROLES[role_index] != "organiser":
        assert BangList.objects.get(pk=bang_list.pk).state == before
        assert not ListFile.objects.filter(bang_list=bang_list).exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bangs:manage", [302, 403, 403, 200, 200, 403]),
        ("bangs:list_create", [302, 403, 403, 200, 200, 403]),
        ("bangs:pool", [302, 403, 403, 200, 200, 403]),
        ("bangs:expert_dashboard", [302, 403, 403, 403, 403, 200]),
        ("bangs:browse", [200] * 6),
        ("bangs:list_index", [200] * 6),
        ("bangs:feed", [200] * 6),
    ],
)
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_page_permissions(client, users, name, expected, role_index):
    user = users[ROLES[role_index]]
    if user:
        client.force_login(user)
    assert client.get(reverse(name)).status_code == expected[role_index]


def test_draft_bang_is_hidden_but_published_bang_is_public(client, lists):
    draft_bang = lists["draft"].bangs.get()
    published_bang = lists["published"].bangs.get()
    assert client.get(reverse("bangs:bang_detail", args=[draft_bang.pk])).status_code == 404
    page = client.get(reverse("bangs:bang_detail", args=[published_bang.pk])).content.decode()
    assert "高乐乐" in page and 'data-testid="countdown"' in page


def test_bang_edit_only_for_organiser_on_draft(client, lists, organiser_staff, other_organiser_staff):
    bang = lists["draft"].bangs.get()
    client.force_login(other_organiser_staff)
    assert client.get(reverse("bangs:bang_edit", args=[bang.pk])).status_code == 404
    client.force_login(organiser_staff)
    assert client.get(reverse("bangs:bang_edit", args=[bang.pk])).status_code == 200
    published_bang = lists["published"].bangs.get()
    assert client.get(reverse("bangs:bang_edit", args=[published_bang.pk])).status_code == 403


# --- targeted lists ------------------------------------------------------------------------


def test_targeted_list_is_invisible_to_others_and_visible_to_invited(client, organiser_staff, applicant):
    invited_unit = OrganisationFactory(kind="university", name="内蒙古大学")
    invited_user = UserFactory(organisation=invited_unit, roles=["applicant"])
    targeted = make_bang_list(by=organiser_staff, title="稀土定向发榜技术榜单", is_targeted=True, invited=[invited_unit])
    bang = targeted.bangs.get()
    urls_404 = [reverse("bangs:list_detail", args=[targeted.pk]), reverse("bangs:bang_detail", args=[bang.pk])]
    for user in (None, applicant):
        client.logout()
        if user:
            client.force_login(user)
        for url in urls_404:
            assert client.get(url).status_code == 404
        for url in (reverse("bangs:browse"), reverse("bangs:list_index"), reverse("bangs:feed"), "/api/v1/bangs/",
                    reverse("home"), reverse("bangs:browse") + "?q=稀土定向"):
            page = client.get(url).content.decode()
            assert "稀土定向发榜技术榜单" not in page and bang.title not in page, url
    client.force_login(invited_user)
    for url in urls_404:
        assert client.get(url).status_code == 200
    assert "稀土定向发榜技术榜单" in client.get(reverse("bangs:browse")).content.decode()


# --- search, filters -----------------------------------------------------------------------


def test_search_finds_a_chinese_substring(client, organiser_staff):
    make_bang_list(by=organiser_staff, bangs=2)
    page = client.get(reverse("bangs:browse"), {"q": "永磁"}).content.decode()
    assert "高推力密度永磁同步直线电机研制0" in page
    assert "技术榜1" not in page


def test_filters_open_closed_kind_budget(client, organiser_staff):
    import datetime

    from django.utils import timezone

    open_list = make_bang_list(by=organiser_staff, title="开放榜单")
    closed = make_bang_list(by=organiser_staff, title="截止榜单")
    BangList.objects.filter(pk=closed.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))

    def titles(params):
        page = client.get(reverse("bangs:browse"), params).content.decode()
        return {t for t in ("开放榜单", "截止榜单") if t in page}

    assert titles({"status": "open"}) == {"开放榜单"}
    assert titles({"status": "closed"}) == {"截止榜单"}
    assert titles({"kind": "transfer"}) == set()
    assert titles({"budget_min": "700", "budget_max": "900"}) == {"开放榜单", "截止榜单"}
    assert titles({"budget_min": "900"}) == set()
    assert titles({"organiser": open_list.organiser_id}) == {"开放榜单", "截止榜单"}


def test_filter_by_region_of_issuing_enterprise(client, organiser_staff):
    from accounts.models import Region

    bang_list = make_bang_list(by=organiser_staff, title="地区榜单")
    issuer = bang_list.bangs.get().issuers.get()
    issuer.region = Region.objects.get(code="150502")
    issuer.save()
    tongliao = Region.objects.get(code="150500")
    baotou = Region.objects.get(code="150200")
    assert "地区榜单" in client.get(reverse("bangs:browse"), {"region": tongliao.pk}).content.decode()
    assert "地区榜单" not in client.get(reverse("bangs:browse"), {"region": baotou.pk}).content.decode()


def test_home_shows_open_lists_and_figures(client, organiser_staff):
    make_bang_list(by=organiser_staff, title="首页榜单", bangs=2)
    page = client.get(reverse("home")).content.decode()
    assert "首页榜单" in page
    assert '1600</div><div class="small text-muted">已发布技术榜的研发总投入（万元）' in page
    assert '<div class="stat-number">1</div><div class="small text-muted">正在申报的榜单' in page
    assert "当前阶段：申报中" in page and "办事指南" in page


def test_home_notices_list_publications_corrections_and_extensions_newest_first(client, organiser_staff):
    import datetime

    from django.utils import timezone

    from bangs.models import BangList
    from bangs.services import bang_list_amend

    older = make_bang_list(by=organiser_staff, title="较早发布的榜单")
    BangList.objects.filter(pk=older.pk).update(published_at=timezone.now() - datetime.timedelta(days=5))
    newer = make_bang_list(by=organiser_staff, title="较新发布的榜单")
    bang_list_amend(bang_list=newer, title="关于延长申报时间的通知", body="延长至下月。",
                    new_deadline=newer.deadline + datetime.timedelta(days=7), by=organiser_staff)
    page = client.get(reverse("home")).content.decode()
    notices = page.split('data-testid="notices"')[1].split("</ul>")[0]
    assert notices.index("延期") < notices.index("较新发布的榜单</a>") < notices.index("较早发布的榜单")
    assert "关于延长申报时间的通知" in notices


# --- query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize("url", ["/bangs/", "/bangs/feed/", "/api/v1/bangs/", "/bangs/lists/", "/"])
def test_public_pages_query_count_constant(client, organiser_staff, django_assert_max_num_queries, size, url):
    for i in range(size):
        make_bang_list(by=organiser_staff, bangs=3, title=f"榜单{i}")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200


# --- API -----------------------------------------------------------------------------------


def test_api_lists_published_lists_with_bangs_and_nothing_private(client, organiser_staff):
    published = make_bang_list(by=organiser_staff, title="开放数据榜单", bangs=2)
    make_bang_list(by=organiser_staff, title="草稿不公开", publish=False)
    data = client.get("/api/v1/lists/").json()
    assert data["count"] == 1
    item = data["results"][0]
    assert item["title"] == "开放数据榜单"
    assert [b["number"] for b in item["bangs"]] == [1, 2]
    assert item["bangs"][0]["subsidy_cap"] == "240.00"
    assert "invited" not in item and "created_by" not in item
    # A list names its bangs; their text is one link away, not nested in every page of lists.
    assert "background" not in item["bangs"][0]
    bang = client.get(item["bangs"][0]["url"]).json()
    assert bang["title"] == published.bangs.get(number=1).title and bang["indicators"]


def test_api_bangs_are_paginated_with_their_text_and_filter_by_list(client, organiser_staff):
    first = make_bang_list(by=organiser_staff, title="第一批", bangs=3)
    make_bang_list(by=organiser_staff, title="第二批", bangs=2)
    make_bang_list(by=organiser_staff, title="草稿", bangs=1, publish=False)
    data = client.get("/api/v1/bangs/", {"page_size": 2}).json()
    assert data["count"] == 5 and len(data["results"]) == 2 and data["next"]
    assert {"background", "objectives", "indicators", "issuers", "bang_list"} <= set(data["results"][0])
    mine = client.get("/api/v1/bangs/", {"list": first.pk}).json()
    assert [b["number"] for b in mine["results"]] == [1, 2, 3] and {b["bang_list"] for b in mine["results"]} == {first.pk}
    assert client.get("/api/v1/bangs/", {"list": "abc"}).json()["count"] == 5  # junk is ignored


@pytest.mark.parametrize("size", [2, 12])
def test_api_query_count_does_not_grow(client, organiser_staff, django_assert_max_num_queries, size):
    for n in range(size // 2):
        make_bang_list(by=organiser_staff, title=f"榜单{n}", bangs=2)
    for url in ("/api/v1/lists/", "/api/v1/bangs/"):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


def test_api_is_read_only(client, organiser_staff):
    assert client.post("/api/v1/bangs/", {}).status_code in {403, 405}


def test_openapi_schema_describes_the_api(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert "/api/v1/bangs/" in response.content.decode() and "/api/v1/lists/" in response.content.decode()


def test_feed_is_atom_with_published_lists(client, organiser_staff):
    make_bang_list(by=organiser_staff, title="订阅榜单")
    response = client.get(reverse("bangs:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "订阅榜单" in response.content.decode()


# --- files ---------------------------------------------------------------------------------


def test_list_file_checked_by_content_and_served_to_those_who_may_see(client, organiser_staff, lists):
    bang_list = lists["draft"]
    fake = SimpleUploadedFile("通知.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(Exception, match="不是允许的格式"):
        services.bang_list_file_add(bang_list=bang_list, upload=fake, title="通知", by=organiser_staff)
    real = SimpleUploadedFile("通知.pdf", _pdf_bytes())
    attached = services.bang_list_file_add(bang_list=bang_list, upload=real, title="正式通知", by=organiser_staff)
    assert "通知" not in attached.file.name and attached.file.name.endswith(".pdf")
    url = reverse("bangs:file", args=[attached.pk])
    assert client.get(url).status_code == 404  # draft list: not public
    client.force_login(organiser_staff)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_upload_over_size_limit_refused(settings, organiser_staff, lists):
    settings.UPLOAD_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", _pdf_bytes() + b"0" * 2048)
    with pytest.raises(Exception, match="超过了"):
        services.bang_list_file_add(bang_list=lists["draft"], upload=big, title="大文件", by=organiser_staff)


@pytest.mark.parametrize("size", [1, 4])
def test_manage_page_query_count_constant(client, organiser_staff, django_assert_max_num_queries, size):
    for i in range(size):
        make_bang_list(by=organiser_staff, bangs=2, title=f"管理榜单{i}", publish=bool(i % 2))
    client.force_login(organiser_staff)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("bangs:manage")).status_code == 200


def test_contacts_per_bang_shown_on_the_right_bang(client, organiser_staff):
    from bangs.models import Contact

    bang_list = make_bang_list(by=organiser_staff, bangs=2, publish=False)
    Contact.objects.create(bang_list=bang_list, purpose="业务咨询", name="张凤起", phone="0475-8835389", bang_numbers="1")
    Contact.objects.create(bang_list=bang_list, purpose="业务咨询", name="田庚强", phone="0475-8835391", bang_numbers="2")
    Contact.objects.create(bang_list=bang_list, purpose="组织申报", name="仇玉敏", phone="0475-8835398")
    services.bang_list_publish(bang_list=bang_list, by=organiser_staff)
    first, second = bang_list.bangs.order_by("number")
    page = client.get(reverse("bangs:bang_detail", args=[first.pk])).content.decode()
    assert "张凤起" in page and "仇玉敏" in page and "田庚强" not in page
    page = client.get(reverse("bangs:bang_detail", args=[second.pk])).content.decode()
    assert "田庚强" in page and "张凤起" not in page
