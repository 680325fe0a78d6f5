"""What was submitted stays as it was submitted: every content-writing endpoint, tried on a
submitted application before and after the deadline, and in and out of a correction window."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from applications import services
from applications.enums import ApplicationState, CostCategory
from applications.models import Application, RecommenderRoute
from bangs.models import BangList
from core.exceptions import DomainError

from ..factories import OrganisationFactory, UserFactory, make_bang_list
from .helpers import PDF, fill, make_applicant

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(organiser_staff):
    bang_list = make_bang_list(by=organiser_staff)
    lead = make_applicant(username="lead")
    bureau = OrganisationFactory(kind="government", name="包头市科学技术局")
    RecommenderRoute.objects.create(region=lead.organisation.region.parent or lead.organisation.region,
                                    recommender=bureau)
    recommender = UserFactory(username="rec", organisation=bureau, roles=[Role.RECOMMENDER])
    application = fill(services.application_start(bang=bang_list.bangs.get(), by=lead), lead)
    services.application_submit(application=application, by=lead)
    application.refresh_from_db()
    return {"application": application, "lead": lead, "recommender": recommender, "bang_list": bang_list}


def _content(application: Application) -> tuple:
    """Everything an applicant could change: plan, partners, milestones, budget, commitments, files."""
    fresh = Application.objects.get(pk=application.pk)
    snapshot = services.application_snapshot(fresh)
    snapshot.pop("lead")
    return snapshot, fresh.attachments.count(), fresh.revising


def _edit_post(application: Application, **overrides) -> dict:
    """A full edit-page POST that changes every section."""
    data = {
        "route_label": "新路线", "route_description": "新的说明", "chief_name": "李四", "chief_title": "教授",
        "chief_unit": "新单位", "lead_name": "王五", "lead_title": "研究员", "lead_unit": "新单位",
        "lead_phone": "13900000000", "lead_email": "new@example.com", "lead_months": "10",
        "objectives": "篡改后的目标", "route_innovation": "x", "basis": "x", "team": "x", "ip_arrangements": "x",
        "risks": "x",
        "partners-TOTAL_FORMS": "1", "partners-INITIAL_FORMS": "0", "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "1000", "partners-0-credit_code": OrganisationFactory().credit_code,
        "partners-0-role": "新成员", "partners-0-work_share": "30",
        "milestones-TOTAL_FORMS": "1", "milestones-INITIAL_FORMS": "0", "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000", "milestones-0-due_date": "2028-01-01", "milestones-0-deliverable": "新成果",
        "milestones-0-indicator": "",
        "save": "1",
    }
    for category in CostCategory:
        for source in ("subsidy", "enterprise", "self_raised", "other"):
            data[f"{category.value}__{source}"] = "1"
    for commitment in application.commitments.all():
        data[f"c_{commitment.indicator_id}"] = "999"
    data.update(overrides)
    return data


def _try_every_content_endpoint(client, application: Application) -> list[int]:
    """Edit page (every section in one POST) and an upload for each checklist item."""
    statuses = [client.post(reverse("applications:edit", args=[application.pk]), _edit_post(application)).status_code]
    for item in application.bang.bang_list.checklist.all():
        url = reverse("applications:upload", args=[application.pk, item.pk])
        statuses.append(client.post(url, {"file": SimpleUploadedFile("new.pdf", PDF)}).status_code)
    return statuses


def _set_deadline(bang_list: BangList, when: datetime.datetime) -> None:
    BangList.objects.filter(pk=bang_list.pk).update(deadline=when)


# --- refused ----------------------------------------------------------------------------------


def test_submitted_application_is_frozen_before_the_deadline(client, world):
    application = world["application"]
    before = _content(application)
    client.force_login(world["lead"])
    _try_every_content_endpoint(client, application)
    assert _content(application) == before
    page = client.get(reverse("applications:edit", args=[application.pk]), follow=True).content.decode()
    assert "申报已提交，内容不能直接修改" in page


def test_submitted_application_is_frozen_after_the_deadline(client, world):
    application = world["application"]
    before = _content(application)
    _set_deadline(world["bang_list"], timezone.now() - datetime.timedelta(seconds=1))
    client.force_login(world["lead"])
    _try_every_content_endpoint(client, application)
    response = client.post(reverse("applications:revise", args=[application.pk]), follow=True)
    assert "截止" in response.content.decode()
    assert _content(application) == before


@pytest.mark.parametrize("state", [ApplicationState.WITHDRAWN, ApplicationState.DRAFT])
def test_withdrawn_or_draft_is_frozen_after_the_deadline(client, world, state):
    application = world["application"]
    Application.objects.filter(pk=application.pk).update(state=state)
    _set_deadline(world["bang_list"], timezone.now() - datetime.timedelta(seconds=1))
    before = _content(application)
    client.force_login(world["lead"])
    _try_every_content_endpoint(client, application)
    assert _content(application) == before


def test_returned_application_is_frozen_once_its_window_closed(client, world):
    application = world["application"]
    services.application_return(application=application, by=world["recommender"], reason="缺少承诺书")
    application.refresh_from_db()
    before = _content(application)
    client.force_login(world["lead"])
    with time_machine.travel(application.correction_deadline + datetime.timedelta(seconds=1), tick=False):
        _try_every_content_endpoint(client, application)
        with pytest.raises(DomainError, match="补正期限已过"):
            services.application_save_draft(application=application, data={"objectives": "晚了"}, by=world["lead"])
    assert _content(application) == before


@pytest.mark.parametrize("state", [ApplicationState.ELIGIBLE, ApplicationState.INELIGIBLE,
                                   ApplicationState.UNDER_REVIEW, ApplicationState.AWARDED])
def test_decided_applications_are_frozen(client, world, state):
    application = world["application"]
    Application.objects.filter(pk=application.pk).update(state=state)
    before = _content(application)
    client.force_login(world["lead"])
    _try_every_content_endpoint(client, application)
    assert _content(application) == before


def test_services_refuse_without_the_form(world):
    """The edit form is not the guard: the services refuse a frozen application themselves."""
    application, lead = world["application"], world["lead"]
    before = _content(application)
    with pytest.raises(DomainError, match="申报已提交"):
        services.application_save_draft(application=application, data={"objectives": "x"}, by=lead)
    with pytest.raises(DomainError, match="申报已提交"):
        services.application_save_draft(application=application, data={}, milestones=[], by=lead)
    item = application.bang.bang_list.checklist.first()
    with pytest.raises(DomainError, match="申报已提交"):
        services.application_attachment_add(application=application, item_id=item.pk,
                                            upload=SimpleUploadedFile("x.pdf", PDF), by=lead)
    with pytest.raises(DomainError, match="请勿重复提交"):
        services.application_submit(application=application, by=lead)
    assert _content(application) == before
    assert application.versions.count() == 1


# --- allowed, through its own transition ----------------------------------------------------------


def test_returned_application_can_be_corrected_inside_its_window_even_after_the_deadline(client, world):
    application = world["application"]
    services.application_return(application=application, by=world["recommender"], reason="请补充团队情况")
    application.refresh_from_db()
    _set_deadline(world["bang_list"], timezone.now() - datetime.timedelta(seconds=1))
    client.force_login(world["lead"])
    response = client.post(reverse("applications:edit", args=[application.pk]),
                           _edit_post(application, **{"partners-TOTAL_FORMS": "0", "objectives": "补正后的目标"}))
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).objectives == "补正后的目标"


def test_revision_keeps_the_submitted_version_counting_until_resubmitted(client, world):
    application, lead, recommender = world["application"], world["lead"], world["recommender"]
    client.force_login(lead)
    response = client.post(reverse("applications:revise", args=[application.pk]), follow=True)
    assert "已提交的版本在重新提交前继续有效" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("applications:edit", args=[application.pk])
    assert "您正在修改已提交的申报" in response.content.decode()
    item = application.bang.bang_list.checklist.first()
    client.post(reverse("applications:edit", args=[application.pk]),
                _edit_post(application, **{"partners-TOTAL_FORMS": "0", "objectives": "修改中的目标"}))
    client.post(reverse("applications:upload", args=[application.pk, item.pk]),
                {"file": SimpleUploadedFile("revised.pdf", PDF)})
    fresh = Application.objects.get(pk=application.pk)
    assert fresh.state == ApplicationState.SUBMITTED and fresh.revising
    assert fresh.objectives == "修改中的目标"
    revised_file = fresh.attachments.get(original_name="revised.pdf")

    # The recommender sees version 1 and cannot open the unsubmitted file.
    client.force_login(recommender)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    content = page.split('data-testid="activity-log"')[0]  # the log may say a file was uploaded; not its content
    assert "已提交的第1版" in content and "修改中的目标" not in content and "目标" in content
    assert "revised.pdf" not in content
    assert reverse("applications:attachment", args=[revised_file.pk]) not in page
    assert client.get(reverse("applications:attachment", args=[revised_file.pk])).status_code == 404

    # The lead sees that its changes are not submitted yet, and what they are.
    client.force_login(lead)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "您正在修改申报" in page and "尚未提交的修改" in page
    compare = client.get(reverse("applications:compare", args=[application.pk]), {"changed": "1"}).content.decode()
    assert "修改中的目标" in compare and "当前未提交的修改" in compare

    # Resubmitted: version 2 is what everyone sees, and the comparison shows what changed.
    services.application_submit(application=fresh, by=lead)
    client.force_login(recommender)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "已提交的第2版" in page and "修改中的目标" in page
    assert client.get(reverse("applications:attachment", args=[revised_file.pk])).status_code == 200
    compare = client.get(reverse("applications:compare", args=[application.pk]), {"a": "1", "b": "2", "changed": "1"})
    rows = compare.content.decode()
    assert "目标与主要内容" in rows and "修改中的目标" in rows
    assert "当前未提交的修改" not in rows  # the working copy is the lead's alone
    assert compare.context["changes"] >= 2  # the objectives and the replaced file at least


def test_revision_not_resubmitted_by_the_deadline_leaves_the_submitted_version(client, world):
    application, lead = world["application"], world["lead"]
    services.application_revise(application=application, by=lead)
    services.application_save_draft(application=application, data={"objectives": "来不及提交的修改"}, by=lead)
    _set_deadline(world["bang_list"], timezone.now() - datetime.timedelta(seconds=1))
    application.refresh_from_db()
    with pytest.raises(DomainError, match="截止"):
        services.application_save_draft(application=application, data={"objectives": "更晚的修改"}, by=lead)
    with pytest.raises(DomainError, match="截止"):
        services.application_submit(application=application, by=lead)
    assert application.versions.count() == 1
    assert application.versions.get().data["fields"]["objectives"] == "目标"
    client.force_login(world["recommender"])
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "来不及提交的修改" not in page


def test_preliminary_decision_records_the_version_it_was_made_on(world):
    application, lead = world["application"], world["lead"]
    services.application_revise(application=application, by=lead)
    services.application_save_draft(application=application, data={"objectives": "未提交"}, by=lead)
    services.application_recommend(application=application, by=world["recommender"], note="符合要求")
    fresh = Application.objects.get(pk=application.pk)
    assert fresh.state == ApplicationState.ELIGIBLE
    assert fresh.decided_version == fresh.versions.get(number=1)
    assert fresh.revising is False


def test_compare_with_junk_versions_falls_back_with_a_message(client, world):
    application, lead = world["application"], world["lead"]
    services.application_revise(application=application, by=lead)
    client.force_login(world["recommender"])
    for junk in ("99999999999999999999", "-1", "abc", "", "draft", "<script>"):
        response = client.get(reverse("applications:compare", args=[application.pk]), {"a": junk, "b": junk})
        assert response.status_code == 200
        assert "<script>" not in response.content.decode()
        if junk not in ("", "draft"):  # "" is no choice; "draft" is the lead's alone
            warnings = [str(m) for m in response.context["messages"]]
            assert warnings == ["所选版本不存在，已显示默认比较。"]


def test_snapshot_budget_is_decimal_text(world):
    version = world["application"].versions.get()
    assert Decimal(version.data["budget"]["total"]) > 0


def test_summary_export_and_queue_show_the_submitted_version_during_a_revision(client, world, organiser_staff):
    from io import BytesIO

    from openpyxl import load_workbook

    application, lead = world["application"], world["lead"]
    services.application_revise(application=application, by=lead)
    services.application_save_draft(application=application, data={"route_label": "未提交的路线",
                                                                    "chief_name": "未提交的首席"}, by=lead)
    client.force_login(organiser_staff)
    page = client.get(reverse("applications:list_summary", args=[world["bang_list"].pk])).content.decode()
    assert "改良西门子法" in page and "未提交的路线" not in page and "未提交的首席" not in page
    export = client.get(reverse("applications:list_summary_export", args=[world["bang_list"].pk]))
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["技术路线"] == "改良西门子法" and row["首席科学家"] == "寇宝泉 教授"
    assert row["合计（万元）"] == 500  # 200 subsidy + 300 enterprise, as submitted
    client.force_login(world["recommender"])
    queue = client.get(reverse("applications:review")).content.decode()
    assert application.number in queue and "未提交" not in queue


def test_partner_access_follows_the_submitted_version_not_a_revision(client, world):
    application, lead = world["application"], world["lead"]
    named = OrganisationFactory(kind="institute", is_verified=True, name="已提交版本中的成员")
    services.application_revise(application=application, by=lead)
    services.application_save_draft(application=application, data={}, by=lead, partners=[
        dict(credit_code=named.credit_code, role="联合攻关", work_share=Decimal("20"))])
    for item in services.required_checklist(application):  # a consortium needs its joint agreement
        if not application.attachments.filter(item=item, superseded=False).exists():
            services.application_attachment_add(application=application, item_id=item.pk, by=lead,
                                                upload=SimpleUploadedFile("agreement.pdf", PDF))
    services.application_submit(application=application, by=lead)  # version 2 names it
    later = OrganisationFactory(kind="institute", is_verified=True, name="修改中加入的成员")
    services.application_revise(application=application, by=lead)
    services.application_save_draft(application=application, data={}, by=lead, partners=[
        dict(credit_code=later.credit_code, role="联合攻关", work_share=Decimal("20"))])
    named_user = make_applicant(organisation=named)
    later_user = make_applicant(organisation=later)
    client.force_login(later_user)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404
    assert application.number not in client.get(reverse("applications:list")).content.decode()
    client.force_login(named_user)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 200
    assert application.number in client.get(reverse("applications:list")).content.decode()


def test_a_typed_placeholder_name_belongs_to_the_application_that_typed_it(organiser_staff):
    from accounts.models import Region

    bang = make_bang_list(by=organiser_staff).bangs.get()
    first, second = make_applicant(username="first"), make_applicant(username="second")
    code = OrganisationFactory.build().credit_code
    region = Region.objects.get(code="150502")
    mine = services.application_start(bang=bang, by=first)
    theirs = services.application_start(bang=bang, by=second)
    services.application_save_draft(application=mine, data={}, by=first, partners=[
        dict(credit_code=code, name="甲填写的名称", kind="institute", region=region, role="检测", work_share=Decimal("10"))])
    beijing = Region.objects.get(code="110000")
    services.application_save_draft(application=theirs, data={}, by=second, partners=[
        dict(credit_code=code, name="乙填写的名称", kind="institute", region=beijing, role="检测", work_share=Decimal("10"))])
    # The first applicant corrects its own typing; the second's stays its own.
    services.application_save_draft(application=mine, data={}, by=first, partners=[
        dict(credit_code=code, name="甲更正后的名称", kind="institute", region=region, role="检测", work_share=Decimal("10"))])
    assert [p["name"] for p in services.application_snapshot(mine)["partners"]] == ["甲更正后的名称"]
    assert [p["name"] for p in services.application_snapshot(theirs)["partners"]] == ["乙填写的名称"]
    # Its region too: 区内/区外 is what each applicant typed, not whoever typed the code first.
    assert [p["in_region"] for p in services.application_snapshot(mine)["partners"]] == [True]
    assert [p["in_region"] for p in services.application_snapshot(theirs)["partners"]] == [False]


def test_data_migration_takes_submitted_partners_from_the_latest_version(world):
    from importlib import import_module

    from django.apps import apps

    application, lead = world["application"], world["lead"]
    submitted = OrganisationFactory(kind="institute", is_verified=True)
    revised = OrganisationFactory(kind="institute", is_verified=True)
    version = application.versions.get()
    version.data["partners"] = [{"name": submitted.name, "credit_code": submitted.credit_code}]
    version.save(update_fields=["data"])
    services.application_revise(application=application, by=lead)
    services.application_save_draft(application=application, data={}, by=lead, partners=[
        dict(credit_code=revised.credit_code, role="联合攻关", work_share=Decimal("20"))])
    application.submitted_partners.clear()
    import_module("applications.migrations.0004_fill_submitted_partners").fill(apps, None)
    assert list(application.submitted_partners.all()) == [submitted]


def test_lists_show_a_resubmitted_version_once_it_is_submitted(client, world, organiser_staff):
    application, lead = world["application"], world["lead"]
    services.application_revise(application=application, by=lead)
    services.application_save_draft(application=application, data={"route_label": "重新提交的路线"}, by=lead)
    services.application_submit(application=Application.objects.get(pk=application.pk), by=lead)
    fresh = Application.objects.get(pk=application.pk)
    assert fresh.submitted_summary["fields"]["route_label"] == "重新提交的路线"
    client.force_login(organiser_staff)
    page = client.get(reverse("applications:list_summary", args=[world["bang_list"].pk])).content.decode()
    assert "重新提交的路线" in page and "改良西门子法" not in page


def test_data_migration_takes_list_summaries_from_the_latest_version(world):
    from importlib import import_module

    from django.apps import apps

    application, lead = world["application"], world["lead"]
    services.application_revise(application=application, by=lead)
    services.application_save_draft(application=application, data={"route_label": "第二版的路线"}, by=lead)
    services.application_submit(application=Application.objects.get(pk=application.pk), by=lead)
    Application.objects.filter(pk=application.pk).update(submitted_summary={})
    import_module("applications.migrations.0005_submitted_summary").fill(apps, None)
    summary = Application.objects.get(pk=application.pk).submitted_summary
    assert summary["fields"]["route_label"] == "第二版的路线" and summary["lead"]["name"] == lead.organisation.name
    assert set(summary) == {"lead", "partners", "fields", "budget"}
