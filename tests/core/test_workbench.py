"""我的工作台: what each role sees there, what it must not see, and each block's query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import JoinRequest, User
from accounts.workbench import join_requests_block
from applications.enums import ApplicationState
from applications.models import Application
from applications.workbench import applicant_block, recommender_block
from bangs.enums import BangListState
from bangs.models import BangList, DemandOpinion
from bangs.workbench import expert_opinions_block, issued_bangs_block, organiser_lists_block
from core.workbench import blocks_for_user
from demands import services as demand_services
from demands.workbench import enterprise_demands_block, screening_block

from ..applications.helpers import make_applicant
from ..factories import DemandFactory, OrganisationFactory, UserFactory, make_bang_list, make_enterprise_user, make_staff

pytestmark = pytest.mark.django_db


def page_for(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def block_of(user, key):
    return next((block for block in blocks_for_user(fresh(user)) if block.key == key), None)


def fresh(user) -> User:
    """The user as a request sees it, with its role and permission caches warm (the page loads them
    once for every block)."""
    user = User.objects.select_related("organisation").get(pk=user.pk)
    user.role_codes  # noqa: B018 (warms the cache)
    user.has_perm("accounts.manage_users")
    return user


def card(page: str, key: str) -> str:
    """The HTML of one block's card."""
    start = page.index(f'id="workbench-{key}"')
    return page[start:page.index("</section>", start)]


# --- builders: n items waiting for the user ---------------------------------------------------


@pytest.fixture
def recommender(db):
    return UserFactory(username="recommender", organisation=OrganisationFactory(kind="government"),
                       roles=[Role.RECOMMENDER])


@pytest.fixture
def platform_admin(db):
    return UserFactory(username="admin", roles=[Role.ADMIN])


def enterprise_drafts(alice, round_, staff, n, *, returned=1):
    demands = [DemandFactory(organisation=alice.organisation, created_by=alice, round=round_, name=f"我的需求{i}")
               for i in range(n)]
    for demand in demands[:returned]:
        demand_services.demand_submit(demand=demand, by=alice)
        demand_services.demand_return(demand=demand, by=staff, reason="请补充现有基础情况")
    return demands


def submitted_demands(alice, round_, n):
    demands = [DemandFactory(organisation=alice.organisation, created_by=alice, round=round_, name=f"待审需求{i}")
               for i in range(n)]
    for demand in demands:
        demand_services.demand_submit(demand=demand, by=alice)
    return demands


def applications_of(lead_user, organiser_staff, n, *, state=ApplicationState.DRAFT, recommender=None, **list_spec):
    bang_list = make_bang_list(by=organiser_staff, bangs=n, **list_spec)
    return [
        Application.objects.create(
            bang=bang, lead=lead_user.organisation, created_by=lead_user, state=state,
            recommender=recommender.organisation if recommender else None,
        )
        for bang in bang_list.bangs.order_by("number")
    ]


def opinions_for(expert, staff, alice, round_, n, *, prefix="论证需求"):
    return [
        DemandOpinion.objects.create(
            demand=DemandFactory(organisation=alice.organisation, created_by=alice, round=round_, name=f"{prefix}{i}"),
            expert=expert, assigned_by=staff,
        )
        for i in range(n)
    ]


def join_requests_to(organisation, n, *, prefix="申请人"):
    return [JoinRequest.objects.create(organisation=organisation, user=UserFactory(full_name=f"{prefix}{i}"),
                                       role=Role.ENTERPRISE) for i in range(n)]


# --- the page ------------------------------------------------------------------------------


def test_dashboard_is_the_login_redirect_and_staff_land_on_it(client, organiser_staff):
    organiser_staff.set_password("pw-Secret-123")
    organiser_staff.save()
    response = client.post(reverse("login"), {"username": "organiser", "password": "pw-Secret-123"})
    assert response.status_code == 302 and response.url == reverse("dashboard")
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "我的工作台" in page and 'id="workbench-organiser_lists"' in page


def test_dashboard_needs_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_user_without_roles_sees_the_pending_notice_and_no_blocks(client):
    waiting = UserFactory()
    JoinRequest.objects.create(organisation=OrganisationFactory(), user=waiting, role=Role.ENTERPRISE)
    page = page_for(client, waiting)
    assert "您的加入单位申请正在审核中" in page
    assert "workbench-" not in page


def test_page_uses_the_responsive_grid_and_no_inline_script_or_style(client, alice, round_, staff):
    enterprise_drafts(alice, round_, staff, 2)
    page = page_for(client, alice)
    assert 'class="row row-cols-1 row-cols-md-2 g-3' in page
    content = page[page.index("我的工作台</h1>"):]
    assert "style=" not in content and "<script>" not in content


def test_several_roles_several_blocks_in_a_fixed_order(client, alice, round_, staff):
    alice.role_grants.create(role=Role.EXPERT)
    opinions_for(alice, staff, make_enterprise_user(), round_, 1)
    page = page_for(client, alice)
    assert page.index('id="workbench-enterprise_demands"') < page.index('id="workbench-issued_bangs"') < (
        page.index('id="workbench-expert_opinions"'))
    assert 'id="workbench-applicant"' not in page and 'id="workbench-organiser_lists"' not in page


# --- enterprise ----------------------------------------------------------------------------


def test_enterprise_sees_drafts_and_returned_demands_with_the_reason(client, alice, bob, round_, staff):
    mine = enterprise_drafts(alice, round_, staff, 3)
    DemandFactory(organisation=bob.organisation, created_by=bob, round=round_, name="别人的草稿")
    submitted = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_, name="已提交需求")
    demand_services.demand_submit(demand=submitted, by=alice)
    html = card(page_for(client, alice), "enterprise_demands")
    assert "我的需求" in html
    for demand in mine:
        assert f'href="{reverse("demands:detail", args=[demand.pk])}"' in html and demand.name in html
    assert "退回修改：请补充现有基础情况" in html
    # Returned first: it is what needs the enterprise's attention.
    assert html.index(mine[0].name) < html.index(mine[1].name)
    assert "别人的草稿" not in html and "已提交需求" not in html
    assert f'href="{reverse("demands:list")}?state=returned">退回修改</a>' in html
    assert f'href="{reverse("demands:list")}?state=draft">草稿</a>' in html
    assert block_of(alice, "enterprise_demands").counts[0].value == 1
    assert block_of(alice, "enterprise_demands").counts[1].value == 2
    assert block_of(alice, "enterprise_demands").total == 3


def test_enterprise_block_shows_five_items_and_links_to_all(client, alice, round_, staff):
    enterprise_drafts(alice, round_, staff, 6, returned=0)
    html = card(page_for(client, alice), "enterprise_demands")
    assert html.count('class="list-group-item') == 5
    assert f'<a href="{reverse("demands:list")}">全部（6）</a>' in html


def test_enterprise_sees_bangs_made_from_its_demands_but_not_drafts_or_others(
        client, alice, bob, round_, staff, organiser_staff):
    demand = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)
    published = make_bang_list(by=organiser_staff, bangs=2, title="2026年第一批榜单")
    first, second = published.bangs.order_by("number")
    first.demands.add(demand)
    second.issuers.add(bob.organisation)
    draft = make_bang_list(by=organiser_staff, bangs=1, publish=False, title="草稿榜单")
    draft.bangs.get().issuers.add(alice.organisation)
    html = card(page_for(client, alice), "issued_bangs")
    assert f'href="{reverse("bangs:bang_detail", args=[first.pk])}"' in html and "2026年第一批榜单" in html
    assert f'href="{reverse("bangs:bang_detail", args=[second.pk])}"' not in html and "草稿榜单" not in html
    assert block_of(alice, "issued_bangs").total == 1
    assert block_of(bob, "issued_bangs").items[0].url == reverse("bangs:bang_detail", args=[second.pk])
    # 全部 and the count lead to the public bang list narrowed to the unit's bangs: the same bangs.
    block = block_of(alice, "issued_bangs")
    assert block.all_url == block.counts[0].url
    assert [b.pk for b in client.get(block.all_url).context["page_obj"]] == [first.pk]
    assert client.get(f'{reverse("bangs:browse")}?issuer=abc').status_code == 200  # junk is ignored, not a 500


# --- applicant -----------------------------------------------------------------------------


def test_applicant_sees_drafts_with_days_left_and_returned_with_correction_deadline(
        client, applicant, organiser_staff):
    draft, returned = applications_of(applicant, organiser_staff, 2, deadline_days=10)
    correction = timezone.now() + datetime.timedelta(days=2)
    Application.objects.filter(pk=returned.pk).update(state=ApplicationState.RETURNED, correction_deadline=correction)
    other = make_applicant()
    theirs = applications_of(other, organiser_staff, 1)[0]
    html = card(page_for(client, applicant), "applicant")
    assert f'href="{reverse("applications:edit", args=[draft.pk])}"' in html
    assert f'href="{reverse("applications:edit", args=[returned.pk])}"' in html
    deadline = timezone.localtime(draft.bang.bang_list.deadline)
    days = (deadline.date() - timezone.localdate()).days
    assert f"草稿，申报截止：{deadline:%Y-%m-%d %H:%M}，剩余{days}天" in html
    assert f"退回补正，补正截止：{timezone.localtime(correction):%Y-%m-%d %H:%M}，剩余2天" in html
    # The nearer deadline first.
    assert html.index(f"/{returned.pk}/edit/") < html.index(f"/{draft.pk}/edit/")
    assert f'href="{reverse("applications:edit", args=[theirs.pk])}"' not in html
    block = block_of(applicant, "applicant")
    assert [(c.label, c.value) for c in block.counts] == [("退回补正", 1), ("草稿", 1)]


def test_applicant_submitted_applications_are_not_waiting(client, applicant, organiser_staff):
    applications_of(applicant, organiser_staff, 1, state=ApplicationState.SUBMITTED)
    html = card(page_for(client, applicant), "applicant")
    assert "没有待填报或待补正的申报。" in html


# --- recommender ---------------------------------------------------------------------------


def test_recommender_sees_submitted_applications_routed_to_it_with_the_deadline(
        client, recommender, applicant, organiser_staff):
    recommend_deadline = timezone.now() + datetime.timedelta(days=20)
    mine = applications_of(applicant, organiser_staff, 2, state=ApplicationState.SUBMITTED,
                           recommender=recommender, recommend_deadline=recommend_deadline, deadline_days=10)
    Application.objects.filter(pk=mine[1].pk).update(state=ApplicationState.ELIGIBLE)
    other_recommender = UserFactory(organisation=OrganisationFactory(kind="government"), roles=[Role.RECOMMENDER])
    theirs = applications_of(applicant, organiser_staff, 1, state=ApplicationState.SUBMITTED,
                             recommender=other_recommender)[0]
    html = card(page_for(client, recommender), "recommender")
    assert f'href="{reverse("applications:detail", args=[mine[0].pk])}"' in html
    assert f"推荐截止：{timezone.localtime(recommend_deadline):%Y-%m-%d %H:%M}，剩余20天" in html
    assert f'href="{reverse("applications:detail", args=[mine[1].pk])}"' not in html
    assert f'href="{reverse("applications:detail", args=[theirs.pk])}"' not in html
    assert f'href="{reverse("applications:review")}?state=submitted&amp;mine=1">待形式审查</a>' in html
    assert block_of(recommender, "recommender").total == 1
    # What the count links to is what it counts.
    client.force_login(recommender)
    queue = client.get(f'{reverse("applications:review")}?state=submitted&mine=1').context["page_obj"]
    assert [a.pk for a in queue] == [mine[0].pk]
    assert block_of(other_recommender, "recommender").items[0].url == reverse("applications:detail",
                                                                               args=[theirs.pk])


def test_organiser_staff_pre_check_what_no_recommender_was_routed(client, applicant, organiser_staff, recommender):
    direct = applications_of(applicant, organiser_staff, 1, state=ApplicationState.SUBMITTED)[0]
    routed = applications_of(applicant, organiser_staff, 1, state=ApplicationState.SUBMITTED,
                             recommender=recommender)[0]
    block = block_of(organiser_staff, "recommender")
    assert block.total == 1 and [i.url for i in block.items] == [reverse("applications:detail", args=[direct.pk])]
    client.force_login(organiser_staff)
    queue = client.get(block.counts[0].url).context["page_obj"]
    assert [a.pk for a in queue] == [direct.pk]
    # Without the filter staff still follow every submission of their lists, routed ones included.
    everything = client.get(f'{reverse("applications:review")}?state=submitted').context["page_obj"]
    assert {a.pk for a in everything} == {direct.pk, routed.pk}
    # Another organiser's staff neither count nor list it.
    stranger = make_staff()
    assert block_of(stranger, "recommender").total == 0
    client.force_login(stranger)
    assert list(client.get(block.counts[0].url).context["page_obj"]) == []


# --- expert --------------------------------------------------------------------------------


def test_expert_sees_opinions_to_give_not_given_ones_nor_another_experts(client, expert, staff, alice, round_):
    todo, given = opinions_for(expert, staff, alice, round_, 2)
    DemandOpinion.objects.filter(pk=given.pk).update(submitted_at=timezone.now(), recommend=True)
    stranger = UserFactory(roles=[Role.EXPERT])
    theirs = opinions_for(stranger, staff, alice, round_, 1, prefix="指派给别人的")[0]
    html = card(page_for(client, expert), "expert_opinions")
    assert f'href="{reverse("bangs:opinion", args=[todo.pk])}"' in html and todo.demand.name in html
    assert given.demand.name not in html and theirs.demand.name not in html
    assert f'href="{reverse("bangs:expert_dashboard")}?pending=1">全部</a>' in html
    assert block_of(expert, "expert_opinions").total == 1


# --- organiser staff -----------------------------------------------------------------------


def test_organiser_staff_sees_its_lists_by_stage_not_another_organisers(
        client, organiser_staff, other_organiser_staff):
    make_bang_list(by=organiser_staff, publish=False, title="本单位草稿榜单")
    make_bang_list(by=organiser_staff, title="本单位申报中榜单")
    closed = make_bang_list(by=organiser_staff, title="本单位已截止榜单")
    BangList.objects.filter(pk=closed.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    concluded = make_bang_list(by=organiser_staff, title="本单位已结束榜单")
    BangList.objects.filter(pk=concluded.pk).update(state=BangListState.CONCLUDED)
    make_bang_list(by=other_organiser_staff, publish=False, title="别的组织单位榜单")
    page = page_for(client, organiser_staff)
    html = card(page, "organiser_lists")
    for title in ("本单位草稿榜单", "本单位申报中榜单", "本单位已截止榜单"):
        assert title in html
    assert "本单位已结束榜单" not in html and "别的组织单位榜单" not in html
    assert f'href="{reverse("bangs:list_detail", args=[closed.pk])}"' in html
    block = block_of(organiser_staff, "organiser_lists")
    assert [(c.label, c.value) for c in block.counts] == [("草稿", 1), ("已发布未截止", 1), ("已截止待评审", 1)]
    # Each count links to the lists it counts.
    for count, title in zip(block.counts, ("本单位草稿榜单", "本单位申报中榜单", "本单位已截止榜单"), strict=True):
        assert f'href="{count.url.replace("&", "&amp;")}">{count.label}</a>' in html
        listed = client.get(count.url).context["page_obj"]
        assert [b.title for b in listed] == [title]
    # An organiser without a screening department has no demand queue to land on.
    assert 'id="workbench-screening"' not in page


def test_department_staff_sees_demands_to_screen_of_its_department_only(client, staff, other_staff, alice, round_):
    waiting = submitted_demands(alice, round_, 2)
    DemandFactory(organisation=alice.organisation, created_by=alice, round=round_, name="未提交的草稿")
    html = card(page_for(client, staff), "screening")
    for demand in waiting:
        assert f'href="{reverse("demands:detail", args=[demand.pk])}"' in html
    assert "未提交的草稿" not in html
    assert f'<a href="{reverse("demands:queue")}">全部</a>' in html
    other = card(page_for(client, other_staff), "screening")
    assert "本处室暂无待审核的需求。" in other and waiting[0].name not in other


def test_screening_note_gives_the_submission_date_in_local_time(staff, alice, round_):
    [demand] = submitted_demands(alice, round_, 1)
    # 07:30 in Ordos on 5 March is still 4 March in UTC, which the database hands back.
    morning = timezone.make_aware(datetime.datetime(2026, 3, 5, 7, 30))
    type(demand).objects.filter(pk=demand.pk).update(submitted_at=morning)
    [item] = block_of(staff, "screening").items
    assert item.note.endswith("提交于2026-03-05")


# --- join requests and the platform administrator ------------------------------------------


def test_first_user_sees_its_units_pending_join_requests_only(client, alice, bob):
    join_requests_to(alice.organisation, 1)
    theirs = join_requests_to(bob.organisation, 1, prefix="别的单位的申请人")[0]
    decided = join_requests_to(alice.organisation, 1, prefix="已同意的申请人")[0]
    JoinRequest.objects.filter(pk=decided.pk).update(state="approved")
    html = card(page_for(client, alice), "join_requests")
    assert "申请人0 申请加入" in html
    assert theirs.user.full_name not in html and decided.user.full_name not in html
    assert block_of(alice, "join_requests").total == 1
    assert "用户管理" not in html


def test_member_without_requests_to_decide_has_no_join_request_block(client, staff):
    assert 'id="workbench-join_requests"' not in page_for(client, staff)


def test_platform_admin_sees_every_pending_request_and_user_management(client, platform_admin, alice, bob):
    join_requests_to(alice.organisation, 1)
    join_requests_to(bob.organisation, 1)
    html = card(page_for(client, platform_admin), "join_requests")
    assert html.count('class="list-group-item') == 2
    assert f'<a href="{reverse("accounts:user_list")}">用户管理</a>' in html
    assert f'href="{reverse("accounts:join_requests")}">待审核</a>' in html


def test_platform_admin_without_requests_still_gets_the_block(client, platform_admin):
    html = card(page_for(client, platform_admin), "join_requests")
    assert "暂无待审核的加入单位申请。" in html and "用户管理" in html


def test_superuser_counts_as_staff_and_admin(client, alice, round_, organiser_staff):
    root = UserFactory(is_superuser=True, is_staff=True)
    submitted_demands(alice, round_, 1)
    make_bang_list(by=organiser_staff, publish=False)
    page = page_for(client, root)
    for key in ("organiser_lists", "screening", "join_requests"):
        assert f'id="workbench-{key}"' in page
    assert "您的加入单位申请正在审核中" not in page


# --- query counts: each block at two sizes -------------------------------------------------


BLOCKS = {
    "enterprise": (enterprise_demands_block, "alice",
                   lambda f, n: enterprise_drafts(f["alice"], f["round_"], f["staff"], n)),
    "issued": (issued_bangs_block, "alice", lambda f, n: [
        bang.issuers.add(f["alice"].organisation) for bang in make_bang_list(by=f["organiser_staff"], bangs=n).bangs.all()
    ]),
    "applicant": (applicant_block, "applicant",
                  lambda f, n: applications_of(f["applicant"], f["organiser_staff"], n)),
    "recommender": (recommender_block, "recommender", lambda f, n: applications_of(
        f["applicant"], f["organiser_staff"], n, state=ApplicationState.SUBMITTED, recommender=f["recommender"])),
    "expert": (expert_opinions_block, "expert",
               lambda f, n: opinions_for(f["expert"], f["staff"], f["alice"], f["round_"], n)),
    "organiser": (organiser_lists_block, "organiser_staff", lambda f, n: [
        make_bang_list(by=f["organiser_staff"], publish=bool(i % 2)) for i in range(n)]),
    "screening": (screening_block, "staff", lambda f, n: submitted_demands(f["alice"], f["round_"], n)),
    "join_requests": (join_requests_block, "platform_admin",
                      lambda f, n: join_requests_to(f["alice"].organisation, n)),
}


@pytest.mark.parametrize("size", [1, 5])
@pytest.mark.parametrize("name", list(BLOCKS))
def test_block_loads_in_two_queries(
        request, name, size, django_assert_num_queries, alice, round_, staff, organiser_staff, applicant,
        recommender, expert, platform_admin):
    block_fn, who, build = BLOCKS[name]
    fixtures = {key: request.getfixturevalue(key) for key in (
        "alice", "round_", "staff", "organiser_staff", "applicant", "recommender", "expert", "platform_admin")}
    build(fixtures, size)
    user = fresh(fixtures[who])
    with django_assert_num_queries(2):
        block = block_fn(user)
    assert block.total == size and len(block.items) == size


def test_whole_page_query_count_does_not_grow(client, alice, round_, staff):
    """One user holding several roles: the page costs the same with 1 and with 5 items per block."""
    alice.role_grants.create(role=Role.EXPERT)
    owner = make_enterprise_user()
    client.force_login(alice)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(queries)

    enterprise_drafts(alice, round_, staff, 1)
    opinions_for(alice, staff, owner, round_, 1)
    one = page_queries()
    enterprise_drafts(alice, round_, staff, 4, returned=0)
    opinions_for(alice, staff, owner, round_, 4)
    assert page_queries() == one


# --- the registry --------------------------------------------------------------------------


def test_core_imports_no_later_app_at_module_level():
    """core is the earliest stage: the later apps register their blocks, core never imports them."""
    import ast
    from pathlib import Path

    import core

    later = {"accounts", "notifications", "demands", "bangs", "applications"}
    offenders = []
    for path in Path(core.__file__).parent.glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in later]
    assert offenders == []


def test_register_keeps_one_entry_per_function_and_orders_blocks(monkeypatch, alice):
    from core import workbench

    monkeypatch.setattr(workbench, "_registry", [])

    def second(user):
        return workbench.Block(key="second", title="第二", total=0, items=[], all_url="/")

    def first(user):
        return workbench.Block(key="first", title="第一", total=0, items=[], all_url="/")

    def nothing(user):
        return None

    workbench.register(second, order=20)
    workbench.register(first, order=10)
    workbench.register(nothing, order=5)
    workbench.register(second, order=20)
    assert [block.key for block in workbench.blocks_for_user(alice)] == ["first", "second"]


def test_deadline_note_says_past_today_and_days_left():
    import time_machine

    from core.workbench import deadline_note

    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    now = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=shanghai)
    with time_machine.travel(now, tick=False):
        assert deadline_note(now - datetime.timedelta(minutes=1), label="截止：") == (
            "截止：2026-11-20 09:59，已截止", True)
        assert deadline_note(now.replace(hour=17), label="截止：") == ("截止：2026-11-20 17:00，今天截止", True)
        assert deadline_note(now + datetime.timedelta(days=3), label="截止：") == (
            "截止：2026-11-23 10:00，剩余3天", True)
        assert deadline_note(now + datetime.timedelta(days=10), label="截止：") == (
            "截止：2026-11-30 10:00，剩余10天", False)
        assert deadline_note(None, label="截止：") == ("", False)
