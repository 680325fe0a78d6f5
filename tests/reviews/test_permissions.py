"""Every page of reviews/urls.py (not the pool's) against every kind of user, GET and POST, with
forged ids and replayed posts; a refused post changes nothing."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from applications.selectors import submitted_attachment_ids
from bangs.models import Bang
from core.models import ActivityLog
from notifications.models import Notification
from reviews import services
from reviews.enums import AssignmentState, DecisionOutcome
from reviews.models import (
    Assignment,
    BangDecision,
    Criterion,
    EnterpriseOpinion,
    PanelDraw,
    ReviewPlan,
    Score,
)
from reviews.selectors import reviewed_version

from ..factories import OrganisationFactory, UserFactory, make_bang_list, make_enterprise_user
from .helpers import make_pool, open_review, scenario

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "applicant", "issuer", "other_enterprise", "recommender", "panel_expert", "other_expert",
         "staff", "other_staff", "admin"]


def snapshot():
    """What a refused request must leave as it was."""
    return {
        "plans": list(ReviewPlan.objects.values_list("pk", "deadline", "closed_at", "rubric_frozen_at", "visibility")),
        "criteria": list(Criterion.objects.order_by("pk").values_list("pk", "name", "weight", "max_score")),
        "draws": list(PanelDraw.objects.order_by("pk").values_list("pk", "panel", "reserve")),
        "seats": list(Assignment.objects.order_by("pk").values_list("pk", "expert_id", "state", "reason")),
        "scores": list(Score.objects.order_by("pk").values_list("pk", "state", "values", "comment", "total")),
        "decisions": list(BangDecision.objects.order_by("pk").values_list("pk", "state", "outcome")),
        "opinions": list(EnterpriseOpinion.objects.order_by("pk").values_list("pk", "willing", "reason")),
        "bangs": Bang.objects.count(),
        "log": ActivityLog.objects.count(),
        "notifications": Notification.objects.count(),
    }


@pytest.fixture
def world(organiser_staff, other_organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=2)
    pool = make_pool(4, prefix="评委")
    plan = open_review(bang_list, organiser_staff)
    record = services.panel_draw(bang=bang, by=organiser_staff)
    seats = list(Assignment.objects.filter(draw=record).select_related("expert", "bang__bang_list").order_by("position"))
    for seat in seats:
        services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
        seat.refresh_from_db()
    seat = seats[0]
    crit = list(plan.criteria.all())
    score = services.score_save(assignment=seat, application=apps[0], by=seat.expert,
                                values={str(crit[0].pk): 30, str(crit[1].pk): 50}, comments={}, comment="意见",
                                recommendation="recommend", submit=True)
    decision = BangDecision.objects.create(bang=bang, outcome=DecisionOutcome.UNAWARDED, reason="测试",
                                           decided_by=organiser_staff)
    draft_list = make_bang_list(by=organiser_staff, bangs=0, publish=False, title="草稿榜单")
    version = reviewed_version(apps[0])
    attachment_id = sorted(submitted_attachment_ids(apps[0], [version]))[0]
    outsider = next(u for u in pool if u.pk not in {s.expert_id for s in seats})
    users = {
        "anonymous": None,
        "applicant": User.objects.filter(organisation=apps[0].lead).first(),
        "issuer": UserFactory(organisation=bang.issuers.get(), roles=[Role.ENTERPRISE]),
        "other_enterprise": make_enterprise_user(),
        "recommender": UserFactory(organisation=OrganisationFactory(kind="government"), roles=[Role.RECOMMENDER]),
        "panel_expert": seat.expert,
        "other_expert": outsider,
        "staff": organiser_staff,
        "other_staff": other_organiser_staff,
        "admin": UserFactory(roles=[Role.ADMIN]),
    }
    assert users["applicant"] is not None
    return dict(bang_list=bang_list, bang=bang, apps=apps, plan=plan, record=record, seat=seat, seats=seats,
                score=score, decision=decision, draft_list=draft_list, attachment_id=attachment_id, users=users,
                crit=crit)


# Expected status per role, in the order of ROLES.
STAFF_GET = [302] + [404] * 6
STAFF_REFUSED = [302, 404, 404, 404, 404, 404, 404]  # anonymous … other_expert
EXPERT_REFUSED = [302, 403, 403, 403, 403]  # anonymous … recommender
NOT_EXPERT = [403, 403, 403]  # staff, other_staff, admin


def _urls(w):
    """(name, args, method, data for a refused attempt, expected per role)."""
    bl, bang, seat, app0, app1 = w["bang_list"].pk, w["bang"].pk, w["seat"].pk, w["apps"][0].pk, w["apps"][1].pk
    c0, c1 = (str(c.pk) for c in w["crit"])
    score_post = {f"c{c0}": "40", f"c{c1}": "60", "comment": "伪造", "recommendation": "recommend", "submit": "1",
                  "confirmed": "1"}
    rubric_post = {"criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "0", "criteria-MIN_NUM_FORMS": "0",
                   "criteria-MAX_NUM_FORMS": "12", "criteria-0-name": "伪造", "criteria-0-weight": "100",
                   "criteria-0-max_score": "100"}
    staff_only = lambda ok: STAFF_REFUSED + [ok, 404, 404]  # noqa: E731
    return [
        ("reviews:list", [bl], "get", None, staff_only(200)),
        ("reviews:open", [bl], "get", None, staff_only(302)),
        ("reviews:open", [bl], "post", {"panel_size": "3"}, staff_only(302)),
        ("reviews:rubric", [bl], "get", None, staff_only(200)),
        ("reviews:rubric", [bl], "post", rubric_post, staff_only(200)),  # staff: the empty form again
        ("reviews:deadline", [bl], "post", {"deadline": "2099-01-01T00:00", "reason": "伪造"}, staff_only(302)),
        ("reviews:close", [bl], "post", {}, staff_only(302)),
        ("reviews:ranking_export", [bl], "get", None, staff_only(200)),
        ("reviews:opinion_pdf", [bang], "get", None, staff_only(200)),
        ("reviews:panel", [bang], "get", None, staff_only(200)),
        ("reviews:panel", [bang], "post", {}, staff_only(302)),  # staff: drawn already, refused with a message
        ("reviews:ranking", [bang], "get", None, staff_only(200)),
        ("reviews:ranking", [bang], "post", {"applications": [str(app0)]}, staff_only(302)),  # decided: refused with a message
        ("reviews:unawarded", [bang], "post", {"reason": "伪造"}, staff_only(302)),
        ("reviews:replay", [w["record"].pk], "get", None, staff_only(200)),
        ("reviews:remove", [seat], "post", {"reason": "伪造"}, staff_only(302)),
        ("reviews:decision_withdraw", [w["decision"].pk], "post", {"reason": "伪造"}, staff_only(302)),
        ("reviews:decision_carry", [w["decision"].pk], "post", {"into": str(w["draft_list"].pk)}, staff_only(302)),
        ("reviews:staff_score", [w["score"].pk], "get", None, staff_only(200)),
        ("reviews:reopen", [w["score"].pk], "post", {"reason": "伪造"}, staff_only(302)),
        # The expert's pages: the panel expert's own seat ids
        ("reviews:dashboard", [], "get", None, EXPERT_REFUSED + [200, 200] + NOT_EXPERT),
        ("reviews:assignment", [seat], "get", None, EXPERT_REFUSED + [200, 404] + NOT_EXPERT),
        ("reviews:assignment", [seat], "post", {"answer": "decline", "reason": "伪造"},
         EXPERT_REFUSED + [302, 404] + NOT_EXPERT),  # already accepted: refused with a message
        ("reviews:conflict", [seat], "post", {"reason": "伪造"}, EXPERT_REFUSED + [302, 404] + NOT_EXPERT),
        ("reviews:panel_scores", [seat], "get", None, EXPERT_REFUSED + [404, 404] + NOT_EXPERT),
        ("reviews:score", [seat, app1], "get", None, EXPERT_REFUSED + [200, 404] + NOT_EXPERT),
        ("reviews:score", [seat, app1], "post", score_post, EXPERT_REFUSED + [302, 404] + NOT_EXPERT),
        # the panel expert's empty post above saved a draft, so there is something to confirm
        ("reviews:score_confirm", [seat, app1], "get", None, EXPERT_REFUSED + [200, 404] + NOT_EXPERT),
        ("reviews:attachment", [seat, w["attachment_id"]], "get", None, EXPERT_REFUSED + [200, 404] + NOT_EXPERT),
        # The issuing enterprise: not before scoring is over
        ("reviews:enterprise", [], "get", None, [302, 403, 200, 200, 403, 403, 403, 403, 403, 403]),
        ("reviews:enterprise_bang", [bang], "get", None, [302, 403, 403, 404, 403, 403, 403, 403, 403, 403]),
        ("reviews:enterprise_application", [bang, app0], "get", None,
         [302, 403, 403, 404, 403, 403, 403, 403, 403, 403]),
        ("reviews:enterprise_application", [bang, app0], "post", {"willing": "0", "reason": "伪造"},
         [302, 403, 403, 404, 403, 403, 403, 403, 403, 403]),
    ]


def test_every_review_url_is_in_the_matrix():
    from types import SimpleNamespace

    from reviews import urls

    names = {p.name for p in urls.urlpatterns if getattr(p, "name", None)}
    fake = SimpleNamespace(pk=1)
    w = {k: fake for k in ("bang_list", "bang", "seat", "score", "decision", "draft_list", "record")}
    w.update(apps=[fake, fake], crit=[fake, fake], attachment_id=1)
    assert {name.split(":")[1] for name, *_ in _urls(w)} == names


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    for name, args, method, data, expected in _urls(world):
        allowed = expected[ROLES.index(role)] in (200, 302) and role != "anonymous"
        before = snapshot()
        url = reverse(name, args=args)
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, {} if allowed else data)
        assert response.status_code == expected[ROLES.index(role)], (name, method, role, response.status_code)
        if role == "anonymous":
            assert response.url.startswith(resolve_url(settings.LOGIN_URL)), name
        if not allowed:
            assert snapshot() == before, (name, method, role)


def test_after_scoring_closes_the_issuer_has_only_its_enterprise_pages(client, world):
    ReviewPlan.objects.filter(pk=world["plan"].pk).update(closed_at=world["plan"].opened_at)
    BangDecision.objects.filter(pk=world["decision"].pk).update(state="withdrawn")  # or no opinion is taken
    bang, app0 = world["bang"], world["apps"][0]
    client.force_login(world["users"]["issuer"])
    assert client.get(reverse("reviews:enterprise_bang", args=[bang.pk])).status_code == 200
    assert client.get(reverse("reviews:enterprise_application", args=[bang.pk, app0.pk])).status_code == 200
    for name, args, method, data, expected in _urls(world):
        if name.startswith("reviews:enterprise"):
            continue
        before = snapshot()
        url = reverse(name, args=args)
        response = client.get(url) if method == "get" else client.post(url, data)
        assert response.status_code in (403, 404), name
        assert snapshot() == before
    # Another enterprise still sees nothing of the bang
    client.force_login(world["users"]["other_enterprise"])
    assert client.get(reverse("reviews:enterprise_bang", args=[bang.pk])).status_code == 404
    before = snapshot()
    assert client.post(reverse("reviews:enterprise_application", args=[bang.pk, app0.pk]),
                       {"willing": "0", "reason": "伪造"}).status_code == 404
    assert snapshot() == before
    # The issuer's opinion, posted twice, is recorded once
    client.force_login(world["users"]["issuer"])
    url = reverse("reviews:enterprise_application", args=[bang.pk, app0.pk])
    client.post(url, {"willing": "1", "reason": "契合"})
    first = snapshot()
    assert first["opinions"][0][1:] == (True, "契合")
    page = client.post(url, {"willing": "0", "reason": "改主意"}, follow=True)
    assert "不能修改" in page.content.decode()
    assert snapshot() == first


def test_forged_and_replayed_expert_posts_change_nothing(client, world, organiser_staff):
    seat, seats = world["seat"], world["seats"]
    # An application of another list, through one's own seat
    other_list, other_bang, other_apps = scenario(organiser_staff, applications=1)
    client.force_login(seat.expert)
    before = snapshot()
    c0, c1 = (str(c.pk) for c in world["crit"])
    data = {f"c{c0}": "40", f"c{c1}": "60", "comment": "伪造", "recommendation": "recommend", "submit": "1",
            "confirmed": "1"}
    assert client.post(reverse("reviews:score", args=[seat.pk, other_apps[0].pk]), data).status_code == 404
    # Another panel member's seat id, with one's own application
    assert client.post(reverse("reviews:score", args=[seats[1].pk, world["apps"][1].pk]), data).status_code == 404
    assert client.post(reverse("reviews:conflict", args=[seats[1].pk]), {"reason": "伪造"}).status_code == 404
    # A submitted score, posted again, is not changed
    response = client.post(reverse("reviews:score", args=[seat.pk, world["apps"][0].pk]), data)
    assert response.status_code == 200
    assert snapshot() == before


def test_an_invitation_answered_twice_through_the_page_keeps_the_first_answer(client, organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(5)
    open_review(bang_list, organiser_staff)
    record = services.panel_draw(bang=bang, by=organiser_staff)
    seat = Assignment.objects.filter(draw=record).select_related("expert").first()
    client.force_login(seat.expert)
    url = reverse("reviews:assignment", args=[seat.pk])
    client.post(url, {"answer": "decline", "reason": "出差"})
    after_first = snapshot()
    assert Assignment.objects.get(pk=seat.pk).state == AssignmentState.DECLINED
    response = client.post(url, {"answer": "accept"})
    assert response.status_code == 404  # the seat is no longer theirs to answer
    response = client.post(url, {"answer": "decline", "reason": "出差"})
    assert response.status_code == 404
    assert snapshot() == after_first
    assert Assignment.objects.filter(draw=record).count() == 4  # one replacement, not two


def test_proposing_twice_through_the_page_keeps_one_proposal(client, organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    plan = open_review(bang_list, organiser_staff)
    make_pool(3)
    record = services.panel_draw(bang=bang, by=organiser_staff)
    crit = list(plan.criteria.all())
    for seat in Assignment.objects.filter(draw=record).select_related("expert", "bang__bang_list"):
        services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
        seat.refresh_from_db()
        services.score_save(assignment=seat, application=apps[0], by=seat.expert,
                            values={str(crit[0].pk): 30, str(crit[1].pk): 50}, comments={}, comment="意见",
                            recommendation="recommend", submit=True)
    services.scoring_close(plan=plan, by=organiser_staff)
    client.force_login(organiser_staff)
    url = reverse("reviews:ranking", args=[bang.pk])
    page = client.post(url, {"applications": [str(apps[0].pk)]}, follow=True)
    assert "已拟定揭榜团队" in page.content.decode()
    after_first = snapshot()
    page = client.post(url, {"applications": [str(apps[0].pk)]}, follow=True)
    assert page.status_code == 200 and "已有拟定结果" in page.content.decode()
    assert snapshot() == after_first and BangDecision.objects.count() == 1
