"""Who is kept off a bang's panel and why (reviews/recusal.py), each reason alone, through the draw,
and the out-of-region share through the service."""

from decimal import Decimal

import pytest

from applications import services as application_services
from applications.models import Application
from reviews import services
from reviews.draw import Candidate, TooFewCandidates, draw
from reviews.enums import AssignmentState
from reviews.models import Assignment, ExpertConflict, PanelDraw

from ..applications.helpers import fill, make_applicant
from ..factories import OrganisationFactory, make_bang_list
from .helpers import close_list, eligible_application, make_expert, make_pool, open_review, scenario

pytestmark = pytest.mark.django_db


def _draw_and_find(bang, staff, expert):
    record = services.panel_draw(bang=bang, by=staff)
    assert expert.pk not in [c["id"] for c in record.candidates]
    assert expert.pk not in record.order and expert.pk not in record.panel
    entries = [e for e in record.excluded if e["id"] == expert.pk]
    assert len(entries) == 1, record.excluded
    return record, entries[0]


def test_the_lead_unit_is_excluded(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(3)
    lead_unit = apps[0].lead
    insider = make_expert("牵头单位专家", unit=lead_unit)
    open_review(bang_list, organiser_staff)
    record, entry = _draw_and_find(bang, organiser_staff, insider)
    assert entry["reasons"] == [f"所在单位“{lead_unit.name}”是本榜申报单位或联合体成员"]
    assert len(record.excluded) == 1


def test_a_partner_unit_as_submitted_is_excluded(organiser_staff):
    bang_list = make_bang_list(by=organiser_staff)
    bang = bang_list.bangs.get()
    partner = OrganisationFactory(kind="institute", is_verified=True, name="合作研究院")
    eligible_application(bang, organiser_staff, partners=[partner])
    close_list(bang_list)
    make_pool(3)
    insider = make_expert("合作单位专家", unit=partner)
    open_review(bang_list, organiser_staff)
    record, entry = _draw_and_find(bang, organiser_staff, insider)
    assert entry["reasons"] == ["所在单位“合作研究院”是本榜申报单位或联合体成员"]
    assert len(record.excluded) == 1


def test_an_issuer_of_the_bang_is_excluded(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(3)
    issuer = bang.issuers.get()
    insider = make_expert("发榜企业专家", unit=issuer)
    open_review(bang_list, organiser_staff)
    record, entry = _draw_and_find(bang, organiser_staff, insider)
    assert entry["reasons"] == [f"所在单位“{issuer.name}”是本榜发榜企业"]


def test_a_declared_conflict_with_the_lead_is_excluded(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(3)
    lead_unit = apps[0].lead
    declared = make_expert("申明冲突专家")
    ExpertConflict.objects.create(profile=declared.expert_profile, credit_code=lead_unit.credit_code,
                                  unit_name=lead_unit.name, reason="近三年合作论文")
    open_review(bang_list, organiser_staff)
    record, entry = _draw_and_find(bang, organiser_staff, declared)
    assert entry["reasons"] == [f"申明与“{lead_unit.name}”有利益冲突：近三年合作论文"]


def test_a_conflict_with_an_unrelated_unit_excludes_nobody(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(2)
    declared = make_expert("无关冲突专家")
    other = OrganisationFactory()
    ExpertConflict.objects.create(profile=declared.expert_profile, credit_code=other.credit_code,
                                  unit_name=other.name, reason="曾任职")
    open_review(bang_list, organiser_staff)
    record = services.panel_draw(bang=bang, by=organiser_staff)
    assert declared.pk in record.panel and record.excluded == []


def _avoiding_application(bang, staff, avoided):
    applicant = make_applicant()
    application = application_services.application_start(bang=bang, by=applicant)
    fill(application, applicant)
    application_services.application_save_draft(application=application, data={}, avoided=avoided, by=applicant)
    application_services.application_submit(application=application, by=applicant)
    application_services.application_recommend(application=application, by=staff, note="符合条件")
    return Application.objects.get(pk=application.pk)


def test_the_avoid_list_excludes_the_named_expert_at_that_unit_only(organiser_staff):
    bang_list = make_bang_list(by=organiser_staff)
    bang = bang_list.bangs.get()
    application = _avoiding_application(bang, organiser_staff, [
        {"name": "王 回避", "unit": "甲大学", "reason": "同一课题组"}])
    assert application.versions.order_by("-number").first().data["avoid"][0]["name"] == "王 回避"
    close_list(bang_list)
    make_pool(3)
    named = make_expert("王回避", unit=OrganisationFactory(kind="university", name="甲大学化学化工学院"))
    namesake = make_expert("王回避", unit=OrganisationFactory(kind="university", name="乙大学"))
    open_review(bang_list, organiser_staff)
    record, entry = _draw_and_find(bang, organiser_staff, named)
    assert entry["reasons"] == [f"申报单位“{application.lead.name}”申请回避：同一课题组"]
    assert namesake.pk in [c["id"] for c in record.candidates]
    assert namesake.pk not in [e["id"] for e in record.excluded]


def test_an_inactive_expert_is_excluded(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(3)
    retired = make_expert("退休专家", active=False, deactivated_reason="已退休")
    open_review(bang_list, organiser_staff)
    record, entry = _draw_and_find(bang, organiser_staff, retired)
    assert entry["reasons"] == ["已停用：已退休"]


def test_the_load_cap_excludes_an_expert_already_on_another_panel_of_the_list(organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, bangs=2)
    first, second = bang_list.bangs.order_by("number")
    eligible_application(first, organiser_staff)
    eligible_application(second, organiser_staff)
    close_list(bang_list)
    busy = make_expert("忙碌专家")
    make_pool(2)
    open_review(bang_list, organiser_staff, load_cap=1)
    record = services.panel_draw(bang=first, by=organiser_staff)
    assert busy.pk in record.panel  # the only three
    make_pool(3, prefix="后来专家")
    record, entry = _draw_and_find(second, organiser_staff, busy)
    assert entry["reasons"] == ["已参加本榜单1个评审组，达到上限"]
    assert len(record.excluded) == 3 and len(record.candidates) == 3


# --- the out-of-region share -----------------------------------------------------------------


def _seed_putting(ids, out_ids, *, size, first_in_region: int, reserve_starts_in_region=False):
    """A seed whose order puts `first_in_region` in-region experts first (and, if asked, whose
    reserve then starts in region), found by trying seeds in turn."""
    candidates = [Candidate(i, i in out_ids) for i in ids]
    for n in range(5000):
        seed = f"seed-{n}"
        result = draw(seed, candidates, size=size)
        head = result.order[:first_in_region]
        if any(e in out_ids for e in head):
            continue
        if reserve_starts_in_region:
            shared = draw(seed, candidates, size=size, out_of_region_share=Decimal("0.33"))
            if shared.reserve[0] in out_ids:
                continue
        return seed
    raise AssertionError("no seed found")


def test_the_share_holds_even_when_the_order_puts_in_region_experts_first():
    candidates = [Candidate(i, False) for i in range(1, 7)] + [Candidate(100, True), Candidate(101, True)]
    out = {100, 101}
    seeds = [f"s{n}" for n in range(300)]
    tested = 0
    for seed in seeds:
        result = draw(seed, candidates, size=3, out_of_region_share=Decimal("0.33"))
        assert sum(e in out for e in result.panel) >= 1
        if not any(e in out for e in result.order[:3]):
            tested += 1
            assert [e for e in result.panel if e not in out] == list(result.order[:2])
    assert tested > 20  # many of the seeds put three in-region experts first


def test_panels_drawn_through_the_service_keep_the_share_and_so_does_the_replacement(organiser_staff, monkeypatch):
    bang_list = make_bang_list(by=organiser_staff, bangs=3)
    bangs = list(bang_list.bangs.order_by("number"))
    for bang in bangs:
        eligible_application(bang, organiser_staff)
    close_list(bang_list)
    pool = make_pool(8, out_of_region=2)
    out = {u.pk for u in pool[:2]}
    ids = [u.pk for u in pool]
    open_review(bang_list, organiser_staff, out_of_region_share=Decimal("0.33"))
    seeds = iter([_seed_putting(ids, out, size=3, first_in_region=3, reserve_starts_in_region=True),
                  _seed_putting(ids, out, size=3, first_in_region=4),
                  _seed_putting(ids, out, size=3, first_in_region=5)])
    monkeypatch.setattr(services, "new_seed", lambda: next(seeds))
    records = [services.panel_draw(bang=bang, by=organiser_staff) for bang in bangs]
    for record in records:
        assert not any(e in out for e in record.order[:3])  # the order alone would give no out-of-region expert
        assert sum(e in out for e in record.panel) == 1
        ok, _again = services.replay(record)
        assert ok
    # The out-of-region member of the first panel declines: the next in reserve order is in region,
    # so the next out-of-region one further down takes the seat.
    record = records[0]
    leaving = Assignment.objects.get(draw=record, expert_id__in=out)
    assert record.reserve[0] not in out
    services.invitation_respond(assignment=leaving, by=leaving.expert, answer="decline", reason="出差")
    replacement = Assignment.objects.get(replaces=leaving)
    assert replacement.expert_id == next(e for e in record.reserve if e in out)
    serving = Assignment.objects.filter(draw=record, state__in=[AssignmentState.INVITED, AssignmentState.ACCEPTED])
    assert serving.count() == 3 and serving.filter(expert_id__in=out).count() == 1


def test_too_few_out_of_region_candidates_draws_nothing(organiser_staff):
    bang_list, bang, apps = scenario(organiser_staff, applications=1)
    make_pool(5)  # all in region
    open_review(bang_list, organiser_staff, out_of_region_share=Decimal("0.33"))
    with pytest.raises(TooFewCandidates) as refused:
        services.panel_draw(bang=bang, by=organiser_staff)
    assert "区外专家只有0人，不足评审组所需的1人" in refused.value.message
    assert not PanelDraw.objects.exists() and not Assignment.objects.exists()
