"""申请回避: the applicant names up to MAX_AVOIDED experts who should not review it. Part of the
application, frozen on submit, kept in each version, shown to the lead and those who pre-check it,
never to partners or experts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Region
from applications import services
from applications.compare import compare_snapshots
from applications.models import MAX_AVOIDED, Application, AvoidedExpert, RecommenderRoute
from applications.selectors import avoided_in
from core.exceptions import DomainError

from ..factories import OrganisationFactory, UserFactory, make_bang_list
from ..html import text, texts
from .helpers import fill, make_applicant

pytestmark = pytest.mark.django_db

ROWS = [
    {"name": "王一", "unit": "甲大学", "reason": "同一课题组"},
    {"name": "李二", "unit": "乙研究院", "reason": "竞争关系"},
    {"name": "赵三", "unit": "丙公司", "reason": "近三年合作"},
]


@pytest.fixture
def world(organiser_staff, expert):
    bang_list = make_bang_list(by=organiser_staff)
    bang = bang_list.bangs.get()
    bureau = OrganisationFactory(kind="government", name="通辽市科学技术局")
    RecommenderRoute.objects.create(region=Region.objects.get(code="150500"), recommender=bureau)
    lead = make_applicant(organisation=OrganisationFactory(kind="university", region=Region.objects.get(code="150502")))
    partner_org = OrganisationFactory(kind="institute", is_verified=True)
    application = fill(services.application_start(bang=bang, by=lead), lead, partners=[partner_org])
    other = make_applicant()
    other_application = fill(services.application_start(bang=bang, by=other), other)
    return {
        "application": application, "lead": lead, "other": other, "other_application": other_application,
        "partner": make_applicant(organisation=partner_org),
        "recommender": UserFactory(organisation=bureau, roles=["recommender"]),
        "organiser": organiser_staff, "expert": expert,
    }


def _avoided(application) -> list[dict]:
    return list(AvoidedExpert.objects.filter(application=application).values("name", "unit", "reason"))


def _save(application, by, rows):
    return services.application_save_draft(application=application, data={}, avoided=rows, by=by)


def _edit_post(application, avoided) -> dict:
    """What the edit page posts for the application as it stands, with `avoided` in its table."""
    application = Application.objects.get(pk=application.pk)
    data = {name: "" if getattr(application, name) is None else str(getattr(application, name))
            for name in services.DRAFT_FIELDS}
    partners = list(application.partners.select_related("organisation"))
    milestones = list(application.milestones.all())
    data.update({"partners-TOTAL_FORMS": str(len(partners)), "partners-INITIAL_FORMS": str(len(partners)),
                 "milestones-TOTAL_FORMS": str(len(milestones)), "milestones-INITIAL_FORMS": str(len(milestones)),
                 "avoided-TOTAL_FORMS": str(MAX_AVOIDED), "avoided-INITIAL_FORMS": "0", "save": "1"})
    for i, p in enumerate(partners):
        data.update({f"partners-{i}-credit_code": p.organisation.credit_code, f"partners-{i}-role": p.role,
                     f"partners-{i}-work_share": str(p.work_share)})
    for i, m in enumerate(milestones):
        data.update({f"milestones-{i}-due_date": m.due_date.isoformat(), f"milestones-{i}-deliverable": m.deliverable,
                     f"milestones-{i}-indicator": m.indicator})
    for line in application.budget_lines.all():
        for source in ("subsidy", "enterprise", "self_raised", "other"):
            data[f"{line.category}__{source}"] = str(getattr(line, source))
    for c in application.commitments.all():
        data[f"c_{c.indicator_id}"] = c.value
    for i, row in enumerate(avoided):
        data.update({f"avoided-{i}-{key}": value for key, value in row.items()})
    return data


# --- the service -------------------------------------------------------------------------


def test_saves_up_to_three_in_order_blank_rows_ignored(world):
    application, lead = world["application"], world["lead"]
    _save(application, lead, [ROWS[0], {"name": " ", "unit": "", "reason": ""}, {**ROWS[1], "name": "  李二 "}, ROWS[2]])
    assert _avoided(application) == ROWS
    _save(application, lead, ROWS[:1])
    assert _avoided(application) == ROWS[:1]
    # None leaves the list as it is; an empty list clears it.
    services.application_save_draft(application=application, data={"objectives": "新目标"}, by=lead)
    assert _avoided(application) == ROWS[:1]
    _save(application, lead, [])
    assert _avoided(application) == []


def test_a_fourth_is_refused_by_the_service_and_nothing_changes(world):
    application, lead = world["application"], world["lead"]
    _save(application, lead, ROWS[:2])
    with pytest.raises(ValidationError) as error:
        services.application_save_draft(
            application=application, data={"objectives": "不应保存"},
            avoided=[*ROWS, {"name": "钱四", "unit": "丁大学", "reason": "师生关系"}], by=lead)
    assert "avoided" in error.value.message_dict
    assert _avoided(application) == ROWS[:2]
    assert Application.objects.get(pk=application.pk).objectives != "不应保存"  # the whole save is refused


@pytest.mark.parametrize("row", [
    {"name": "王一", "unit": "", "reason": "同一课题组"},
    {"name": "", "unit": "甲大学", "reason": "同一课题组"},
    {"name": "王一", "unit": "甲大学", "reason": ""},
    {"name": "王" * 65, "unit": "甲大学", "reason": "同一课题组"},
])
def test_a_row_needs_name_unit_and_reason(world, row):
    with pytest.raises(ValidationError):
        _save(world["application"], world["lead"], [row])
    assert _avoided(world["application"]) == []


def test_the_same_expert_twice_is_refused(world):
    with pytest.raises(ValidationError) as error:
        _save(world["application"], world["lead"], [ROWS[0], {**ROWS[0], "name": " 王一", "reason": "另一理由"}])
    assert "avoided" in error.value.message_dict
    # Same name, another unit: another person.
    _save(world["application"], world["lead"], [ROWS[0], {**ROWS[0], "unit": "另一大学"}])
    assert len(_avoided(world["application"])) == 2


def test_refused_when_the_content_is_frozen(world):
    application, lead = world["application"], world["lead"]
    _save(application, lead, ROWS[:1])
    services.application_submit(application=application, by=lead)
    with pytest.raises(DomainError):
        _save(application, lead, ROWS)
    assert _avoided(application) == ROWS[:1]


def test_only_the_lead_may_save(world):
    with pytest.raises(DomainError):
        _save(world["application"], world["other"], ROWS[:1])
    assert _avoided(world["application"]) == []


# --- versions ------------------------------------------------------------------------------


def test_the_version_freezes_it_and_a_new_version_carries_the_new_list(client, world):
    application, lead = world["application"], world["lead"]
    _save(application, lead, ROWS[:2])
    first = services.application_submit(application=application, by=lead)
    assert first.data["avoid"] == ROWS[:2]
    assert avoided_in(first.data) == ROWS[:2]

    # Submitted: a POST to the edit page changes nothing, neither the working copy nor the version.
    client.force_login(lead)
    response = client.post(reverse("applications:edit", args=[application.pk]), _edit_post(application, ROWS[2:]))
    assert response.status_code == 302
    assert _avoided(application) == ROWS[:2]
    first.refresh_from_db()
    assert first.data["avoid"] == ROWS[:2]

    services.application_revise(application=application, by=lead)
    response = client.post(reverse("applications:edit", args=[application.pk]), _edit_post(application, ROWS[1:]))
    assert response.status_code == 302
    assert _avoided(application) == ROWS[1:]
    first.refresh_from_db()
    assert first.data["avoid"] == ROWS[:2]  # the submitted version keeps counting until resubmitted
    second = services.application_submit(application=Application.objects.get(pk=application.pk), by=lead)
    assert avoided_in(second.data) == ROWS[1:]

    rows = compare_snapshots(first.data, second.data, changed_only=True, avoid=True)
    avoid_rows = [r for r in rows if r["label"] == "申请回避的专家"]
    assert len(avoid_rows) == 1 and "王一" in avoid_rows[0]["a"] and "赵三" in avoid_rows[0]["b"]
    assert "王一" not in avoid_rows[0]["b"]
    # Without `avoid` (what an expert's page would call) the list is not compared at all.
    assert not [r for r in compare_snapshots(first.data, second.data) if "王一" in r["a"] + r["b"]]

    page = client.get(reverse("applications:compare", args=[application.pk]), {"a": "1", "b": "2", "changed": "1"})
    assert "王一" in page.content.decode() and "赵三" in page.content.decode()


def test_old_versions_have_no_avoid_list():
    assert avoided_in({"fields": {}}) == []
    assert avoided_in({}) == []


# --- the pages -----------------------------------------------------------------------------


def test_the_edit_page_saves_the_table(client, world):
    application, lead = world["application"], world["lead"]
    _save(application, lead, ROWS[:1])
    client.force_login(lead)
    page = client.get(reverse("applications:edit", args=[application.pk]))
    assert "申请回避的专家（选填，最多3名）" in page.content.decode()
    assert "不向评审专家展示" in text(page, "avoided-help")
    assert "王一" in text(page, "formset-avoided") or 'value="王一"' in page.content.decode()

    response = client.post(reverse("applications:edit", args=[application.pk]), _edit_post(application, ROWS[1:]))
    assert response.status_code == 302
    assert _avoided(application) == ROWS[1:]


def test_the_edit_page_refuses_an_incomplete_row_and_keeps_the_list(client, world):
    application, lead = world["application"], world["lead"]
    _save(application, lead, ROWS[:1])
    client.force_login(lead)
    response = client.post(reverse("applications:edit", args=[application.pk]),
                           _edit_post(application, [{"name": "钱四", "unit": "", "reason": ""}]))
    assert response.status_code == 200
    assert _avoided(application) == ROWS[:1]


def test_the_edit_page_cannot_be_made_to_take_a_fourth(client, world):
    application, lead = world["application"], world["lead"]
    client.force_login(lead)
    data = _edit_post(application, [*ROWS, {"name": "钱四", "unit": "丁大学", "reason": "师生关系"}])
    data["avoided-TOTAL_FORMS"] = "4"
    response = client.post(reverse("applications:edit", args=[application.pk]), data)
    assert response.status_code == 200
    assert _avoided(application) == []


def test_a_post_without_the_table_leaves_the_list(client, world):
    application, lead = world["application"], world["lead"]
    _save(application, lead, ROWS[:1])
    client.force_login(lead)
    data = {k: v for k, v in _edit_post(application, []).items() if not k.startswith("avoided-")}
    data["objectives"] = "改过的目标"
    assert client.post(reverse("applications:edit", args=[application.pk]), data).status_code == 302
    assert Application.objects.get(pk=application.pk).objectives == "改过的目标"
    assert _avoided(application) == ROWS[:1]


def test_a_forged_application_id_does_nothing_to_another_application(client, world):
    application, lead, other_application = world["application"], world["lead"], world["other_application"]
    _save(other_application, world["other"], ROWS[:1])
    client.force_login(lead)
    data = _edit_post(application, ROWS[1:2])
    data.update({"application": str(other_application.pk), "avoided-0-application": str(other_application.pk),
                 "pk": str(other_application.pk)})
    assert client.post(reverse("applications:edit", args=[application.pk]), data).status_code == 302
    assert _avoided(application) == ROWS[1:2]
    assert _avoided(other_application) == ROWS[:1]


def test_another_unit_cannot_see_or_change_it(client, world):
    application, other = world["application"], world["other"]
    _save(application, world["lead"], ROWS[:1])
    client.force_login(other)
    for name in ("applications:detail", "applications:edit", "applications:confirm", "applications:compare"):
        assert client.get(reverse(name, args=[application.pk])).status_code == 404
    response = client.post(reverse("applications:edit", args=[application.pk]), _edit_post(application, ROWS[1:]))
    assert response.status_code == 404
    assert _avoided(application) == ROWS[:1]


def test_shown_to_the_lead_and_the_recommender_not_to_partners_or_experts(client, world):
    application, lead = world["application"], world["lead"]
    _save(application, lead, ROWS[:2])
    client.force_login(lead)
    # The draft, then the confirmation page, then the submitted version.
    assert "王一（甲大学）：同一课题组" in texts(client.get(reverse("applications:detail", args=[application.pk])),
                                             "snapshot-avoid-row")
    assert "李二" in text(client.get(reverse("applications:confirm", args=[application.pk])), "snapshot-avoid")
    services.application_submit(application=application, by=lead)
    assert "王一" in text(client.get(reverse("applications:detail", args=[application.pk])), "snapshot-avoid")

    for who in ("recommender", "organiser"):
        client.force_login(world[who])
        page = client.get(reverse("applications:detail", args=[application.pk]))
        assert page.status_code == 200 and "王一" in text(page, "snapshot-avoid"), who
    client.force_login(world["partner"])
    for name in ("applications:detail", "applications:compare"):
        page = client.get(reverse(name, args=[application.pk]))
        assert page.status_code == 200
        assert "王一" not in page.content.decode() and "申请回避" not in page.content.decode()
    client.force_login(world["expert"])
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404


def test_the_snapshot_template_hides_it_without_the_flag(world):
    from django.template.loader import render_to_string

    _save(world["application"], world["lead"], ROWS[:1])
    snapshot = services.application_snapshot(Application.objects.get(pk=world["application"].pk))
    assert "王一" not in render_to_string("applications/_snapshot.html", {"snapshot": snapshot})
    assert "王一" in render_to_string("applications/_snapshot.html", {"snapshot": snapshot, "show_avoid": True})
