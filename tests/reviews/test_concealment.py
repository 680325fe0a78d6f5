"""An expert never sees another's scores before submitting their own, on any page or export."""

import pytest
from django.urls import reverse

from reviews import services
from reviews.enums import Visibility
from reviews.models import Assignment, ReviewPlan, Score

from .helpers import make_pool, open_review, scenario

pytestmark = pytest.mark.django_db

SECRET_COMMENT = "甲专家的独到意见ZQX"
SECRET_NOTE = "甲的分项说明QQW"


@pytest.fixture
def panel(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=2)
    make_pool(3, prefix="评委")
    plan = open_review(bang_list, organiser_staff)
    record = services.panel_draw(bang=bang, by=organiser_staff)
    seats = list(Assignment.objects.filter(draw=record).select_related("expert", "bang__bang_list").order_by("position"))
    for seat in seats:
        services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
        seat.refresh_from_db()
    return plan, bang, bang_list, apps, seats


def _save(seat, application, plan, a, b, *, comment="意见", note="", submit=True):
    crit = list(plan.criteria.all())
    return services.score_save(assignment=seat, application=application, by=seat.expert,
                               values={str(crit[0].pk): a, str(crit[1].pk): b},
                               comments={str(crit[0].pk): note} if note else {}, comment=comment,
                               recommendation="recommend", submit=submit)


def _hidden(body: str, *secrets) -> None:
    for secret in secrets:
        assert secret not in body, secret


def test_before_submitting_an_expert_sees_nothing_of_anothers_score(client, panel):
    plan, bang, bang_list, apps, (a, b, c) = panel
    ReviewPlan.objects.filter(pk=plan.pk).update(visibility=Visibility.AFTER_SUBMIT)
    plan.refresh_from_db()
    mine = _save(a, apps[0], plan, "37.3", "51.4", comment=SECRET_COMMENT, note=SECRET_NOTE)
    assert str(mine.total) == "88.70"
    _save(b, apps[0], plan, "30", "50", comment="乙的意见", submit=False)  # B has a draft only
    client.force_login(b.expert)
    assert client.get(reverse("reviews:panel_scores", args=[b.pk])).status_code == 404
    pages = [reverse("reviews:dashboard"), reverse("reviews:assignment", args=[b.pk]),
             reverse("reviews:score", args=[b.pk, apps[0].pk]), reverse("reviews:score", args=[b.pk, apps[1].pk]),
             reverse("reviews:score_confirm", args=[b.pk, apps[0].pk])]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        _hidden(page.content.decode(), "88.70", "88.7", SECRET_COMMENT, SECRET_NOTE, a.expert.full_name)
    # B's own confirm page shows B's total, so the check above is a real one.
    assert "80.00" in client.get(reverse("reviews:score_confirm", args=[b.pk, apps[0].pk])).content.decode()
    # Nor through A's seat, nor A's score, nor the staff exports
    for url in [reverse("reviews:panel_scores", args=[a.pk]), reverse("reviews:assignment", args=[a.pk]),
                reverse("reviews:score", args=[a.pk, apps[0].pk]), reverse("reviews:staff_score", args=[mine.pk]),
                reverse("reviews:ranking_export", args=[bang_list.pk]), reverse("reviews:opinion_pdf", args=[bang.pk]),
                reverse("reviews:ranking", args=[bang.pk]), reverse("reviews:panel", args=[bang.pk])]:
        response = client.get(url)
        assert response.status_code in (403, 404), url
        _hidden(response.content.decode(errors="replace"), "88.70", SECRET_COMMENT)


def test_with_visibility_never_no_one_sees_the_others_even_after_submitting(client, panel):
    plan, bang, bang_list, apps, (a, b, c) = panel
    assert plan.visibility == Visibility.NEVER
    for seat, (x, y) in ((a, ("37.3", "51.4")), (b, ("31.1", "52.2"))):
        for application in apps:
            _save(seat, application, plan, x, y, comment=f"{seat.expert.full_name}的意见")
    client.force_login(a.expert)
    assert client.get(reverse("reviews:panel_scores", args=[a.pk])).status_code == 404
    for url in [reverse("reviews:dashboard"), reverse("reviews:assignment", args=[a.pk]),
                reverse("reviews:score", args=[a.pk, apps[0].pk])]:
        body = client.get(url).content.decode()
        _hidden(body, "83.30", "83.3", f"{b.expert.full_name}的意见")


def test_after_submit_others_are_shown_only_once_all_own_scores_are_in_and_without_names(client, panel):
    plan, bang, bang_list, apps, (a, b, c) = panel
    ReviewPlan.objects.filter(pk=plan.pk).update(visibility=Visibility.AFTER_SUBMIT)
    plan.refresh_from_db()
    for application in apps:
        _save(b, application, plan, "31.1", "52.2", comment="乙专家的意见")  # 83.30
    _save(a, apps[0], plan, "37.3", "51.4")
    client.force_login(a.expert)
    url = reverse("reviews:panel_scores", args=[a.pk])
    assert client.get(url).status_code == 404  # one of A's two is still to come
    _hidden(client.get(reverse("reviews:assignment", args=[a.pk])).content.decode(), "83.30", "乙专家的意见")
    _save(a, apps[1], plan, "37.3", "51.4")
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("83.30") == 2 and "乙专家的意见" in body
    _hidden(body, b.expert.full_name, b.expert.username, c.expert.full_name)
    assert "88.70" not in body  # A's own are not in the "others" table
    # C, who has submitted nothing, still sees nothing
    client.force_login(c.expert)
    assert client.get(reverse("reviews:panel_scores", args=[c.pk])).status_code == 404
    assert Score.objects.filter(assignment=c).count() == 0


def test_a_submitted_score_shows_its_total_to_its_expert_and_to_staff(client, panel, organiser_staff):
    plan, bang, bang_list, apps, (a, b, c) = panel
    mine = _save(a, apps[0], plan, "37.3", "51.4", comment=SECRET_COMMENT)
    client.force_login(a.expert)
    page = client.get(reverse("reviews:score", args=[a.pk, apps[0].pk]))
    assert page.status_code == 200
    assert "88.70" in page.content.decode() and SECRET_COMMENT in page.content.decode()
    client.force_login(organiser_staff)
    page = client.get(reverse("reviews:staff_score", args=[mine.pk]))
    assert page.status_code == 200 and "88.70" in page.content.decode()


def test_the_avoid_list_is_never_shown_and_a_blind_plan_hides_the_applicant(client, organiser_staff):
    from ..factories import UserFactory, make_bang_list
    from .helpers import close_list
    from .test_recusal import _avoiding_application

    bang_list = make_bang_list(by=organiser_staff)
    bang = bang_list.bangs.get()
    application = _avoiding_application(bang, organiser_staff, [
        {"name": "钱回避", "unit": "丁大学", "reason": "学术竞争ABC"}])
    lead_name = application.lead.name
    close_list(bang_list)
    make_pool(3, prefix="评委")
    plan = open_review(bang_list, organiser_staff, blind=True)
    record = services.panel_draw(bang=bang, by=organiser_staff)
    seat = Assignment.objects.filter(draw=record).select_related("expert").first()
    services.invitation_respond(assignment=seat, by=seat.expert, answer="accept")
    client.force_login(seat.expert)
    for url in [reverse("reviews:assignment", args=[seat.pk]),
                reverse("reviews:score", args=[seat.pk, application.pk])]:
        body = client.get(url).content.decode()
        _hidden(body, "钱回避", "学术竞争ABC", lead_name, application.lead.credit_code)
    assert "牵头单位（匿名）" in client.get(reverse("reviews:score", args=[seat.pk, application.pk])).content.decode()
    # The issuing enterprise, after scoring, sees the plans but not the avoid list
    ReviewPlan.objects.filter(pk=plan.pk).update(closed_at=plan.opened_at)
    boss = UserFactory(organisation=bang.issuers.get(), roles=["enterprise"])
    client.force_login(boss)
    page = client.get(reverse("reviews:enterprise_application", args=[bang.pk, application.pk]))
    assert page.status_code == 200
    _hidden(page.content.decode(), "钱回避", "学术竞争ABC")
