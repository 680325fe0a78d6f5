import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services
from applications.enums import ApplicationState
from applications.models import Application, RecommenderRoute, is_weaker
from bangs.models import BangList
from core.exceptions import DomainError

from ..factories import OrganisationFactory, make_bang_list
from .helpers import PDF, fill, make_applicant

pytestmark = pytest.mark.django_db
BEIJING = timezone.get_default_timezone()


@pytest.fixture
def bang_list(organiser_staff):
    return make_bang_list(by=organiser_staff)


@pytest.fixture
def bang(bang_list):
    return bang_list.bangs.get()


@pytest.fixture
def carol():
    return make_applicant(username="carol")


# --- who may apply ---------------------------------------------------------------------------


def test_refused_when_dishonest(bang, carol):
    carol.organisation.is_dishonest = True
    carol.organisation.save()
    with pytest.raises(DomainError, match="失信"):
        services.application_start(bang=bang, by=carol)


def test_refused_while_a_credit_record_bars_the_unit_from_leading(bang, carol):
    from accounts.models import CreditRecord

    today = timezone.localdate()
    CreditRecord.objects.create(organisation=carol.organisation, reason="验收未通过且不属于容错情形",
                                source="NMKJ-JBGS-2026-001", barred_until=today - datetime.timedelta(days=1))
    assert services.application_start_refusal(bang=bang, user=carol) is None  # an expired bar binds nothing
    CreditRecord.objects.create(organisation=carol.organisation, reason="验收未通过且不属于容错情形",
                                source="NMKJ-JBGS-2026-001", barred_until=today)
    with pytest.raises(DomainError, match=f"NMKJ-JBGS-2026-001.*{today.isoformat()}前不能牵头申报"):
        services.application_start(bang=bang, by=carol)
    assert not bang.applications.exists()


def test_refused_for_the_issuing_enterprise(bang):
    issuer_user = make_applicant(organisation=bang.issuers.get())
    with pytest.raises(DomainError, match="发榜企业不能揭自己发布的榜"):
        services.application_start(bang=bang, by=issuer_user)


def test_refused_when_list_closed(bang, carol):
    BangList.objects.filter(pk=bang.bang_list_id).update(deadline=timezone.now() - datetime.timedelta(seconds=1))
    bang.refresh_from_db()
    with pytest.raises(DomainError, match="不在申报时间内"):
        services.application_start(bang=bang, by=carol)


def test_refused_when_already_leading(bang, carol):
    services.application_start(bang=bang, by=carol)
    with pytest.raises(DomainError, match="不能重复牵头"):
        services.application_start(bang=bang, by=carol)


def test_a_unit_may_be_partner_in_others_applications(bang, carol):
    dave = make_applicant(username="dave")
    mine = services.application_start(bang=bang, by=carol)
    theirs = services.application_start(bang=bang, by=dave)
    fill(theirs, dave, partners=[carol.organisation])
    fill(mine, carol)
    services.application_submit(application=theirs, by=dave)
    services.application_submit(application=mine, by=carol)


# --- the deadline, to the second ---------------------------------------------------------------


@pytest.mark.parametrize(("second", "accepted"), [((23, 59, 59), True), ((0, 0, 0), False)])
def test_deadline_second(organiser_staff, carol, second, accepted):
    bang_list = make_bang_list(by=organiser_staff)
    deadline = datetime.datetime(2030, 4, 12, 23, 59, 59, tzinfo=BEIJING)
    BangList.objects.filter(pk=bang_list.pk).update(deadline=deadline)
    application = services.application_start(bang=bang_list.bangs.get(), by=carol)
    fill(application, carol)
    moment = (datetime.datetime(2030, 4, 12, *second, tzinfo=BEIJING) if accepted
              else datetime.datetime(2030, 4, 13, *second, tzinfo=BEIJING))
    with time_machine.travel(moment, tick=False):
        if accepted:
            services.application_submit(application=application, by=carol)
        else:
            with pytest.raises(DomainError, match="申报已于2030-04-12 23:59:59截止"):
                services.application_submit(application=application, by=carol)
    assert Application.objects.get(pk=application.pk).state == (
        ApplicationState.SUBMITTED if accepted else ApplicationState.DRAFT
    )


def test_fraction_of_the_last_second_is_accepted(organiser_staff, carol):
    bang_list = make_bang_list(by=organiser_staff)
    deadline = datetime.datetime(2030, 4, 12, 23, 59, 59, tzinfo=BEIJING)
    BangList.objects.filter(pk=bang_list.pk).update(deadline=deadline)
    application = fill(services.application_start(bang=bang_list.bangs.get(), by=carol), carol)
    with time_machine.travel(deadline + datetime.timedelta(microseconds=999_000), tick=False):
        services.application_submit(application=application, by=carol)


# --- versions, withdraw, double submit --------------------------------------------------------


def test_every_version_is_kept_and_last_before_deadline_counts(bang, carol):
    application = fill(services.application_start(bang=bang, by=carol), carol)
    first = services.application_submit(application=application, by=carol, expected_versions=0)
    services.application_revise(application=application, by=carol)
    services.application_save_draft(application=application, data={"objectives": "修改后的目标"}, by=carol)
    second = services.application_submit(application=application, by=carol, expected_versions=1)
    assert (first.number, second.number) == (1, 2)
    assert first.data["fields"]["objectives"] == "目标"
    assert second.data["fields"]["objectives"] == "修改后的目标"
    assert first.receipt != second.receipt and first.digest != second.digest
    assert application.versions.order_by("-submitted_at").first() == second


def test_same_confirmation_twice_makes_one_submission(bang, carol):
    application = fill(services.application_start(bang=bang, by=carol), carol)
    services.application_submit(application=application, by=carol, expected_versions=0)
    with pytest.raises(DomainError, match="请勿重复提交"):
        services.application_submit(application=application, by=carol, expected_versions=0)
    assert application.versions.count() == 1


def test_withdraw_then_resubmit_before_deadline(bang, carol):
    application = fill(services.application_start(bang=bang, by=carol), carol)
    services.application_submit(application=application, by=carol)
    services.application_withdraw(application=application, by=carol)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.WITHDRAWN
    services.application_submit(application=application, by=carol)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.SUBMITTED
    assert application.versions.count() == 2


# --- content rules ---------------------------------------------------------------------------


def test_lead_months_at_least_six(bang, carol):
    application = fill(services.application_start(bang=bang, by=carol), carol, lead_months=5)
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(application=application, by=carol)
    assert "不少于6个月" in excinfo.value.message_dict["lead_months"][0]


def test_subsidy_cannot_exceed_the_bang_cap(bang, carol):
    application = fill(services.application_start(bang=bang, by=carol), carol, subsidy="240.01")
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(application=application, by=carol)
    assert "超过本榜补助上限240万元" in excinfo.value.message_dict["budget"][0]


def test_partner_limit(organiser_staff, carol):
    bang_list = make_bang_list(by=organiser_staff, max_partners=1)
    application = services.application_start(bang=bang_list.bangs.get(), by=carol)
    with pytest.raises(ValidationError, match="不能超过1家"):
        fill(application, carol, partners=[OrganisationFactory(), OrganisationFactory()])


def test_new_partner_by_credit_code_becomes_a_record(bang, carol):
    from accounts.models import Organisation, Region
    from tests.factories import credit_code

    application = services.application_start(bang=bang, by=carol)
    code = credit_code(777, "230100")
    services.application_save_draft(
        application=application, data={}, by=carol,
        partners=[dict(credit_code=code, name="哈尔滨某研究所", kind="institute", region=Region.objects.get(code="230000"),
                       role="检测", work_share=Decimal("10"))],
    )
    assert Organisation.objects.get(credit_code=code).name == "哈尔滨某研究所"
    with pytest.raises(ValidationError, match="校验位"):
        services.application_save_draft(application=application, data={}, by=carol,
                                        partners=[dict(credit_code=code[:-1] + "0", role="x", work_share=1)])


def test_required_attachments_follow_conditions(bang, carol):
    application = services.application_start(bang=bang, by=carol)
    titles = {i.kind for i in services.required_checklist(application)}
    assert "joint_agreement" not in titles and "financials" not in titles and "integrity" in titles
    fill(application, carol, partners=[OrganisationFactory()])
    assert "joint_agreement" in {i.kind for i in services.required_checklist(application)}


def test_missing_required_attachment_blocks_submit(bang, carol):
    application = fill(services.application_start(bang=bang, by=carol), carol)
    application.attachments.update(superseded=True)
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(application=application, by=carol)
    assert "缺少必须提交的材料" in excinfo.value.message_dict["attachments"][0]


def test_file_named_pdf_with_other_content_is_refused(bang, carol):
    application = services.application_start(bang=bang, by=carol)
    item = services.required_checklist(application)[0]
    fake = SimpleUploadedFile("承诺书.pdf", b"PK\x03\x04 this is a zip, not a pdf")
    with pytest.raises(ValidationError, match="不是允许的格式"):
        services.application_attachment_add(application=application, item_id=item.pk, upload=fake, by=carol)
    assert not application.attachments.exists()
    real = services.application_attachment_add(
        application=application, item_id=item.pk, upload=SimpleUploadedFile("承诺书.pdf", PDF), by=carol
    )
    assert real.file.name.endswith(".pdf") and "承诺书" not in real.file.name


@pytest.mark.parametrize(
    ("target", "value", "weaker"),
    [("≥1.2", "1.1", True), ("≥1.2", "1.2", False), ("≥1.2", "≥1.5", False), ("≤50", "60", True),
     ("≤50", "45", False), ("<2", "2.5", True), ("≥11N", "≥10", True), ("见说明", "满足", False)],
)
def test_weaker_commitments_are_flagged(target, value, weaker):
    assert is_weaker(target, value) is weaker


# --- routing and preliminary review -----------------------------------------------------------


def test_routed_to_regional_recommender_else_organiser(bang, organiser_staff):
    from accounts.models import Region
    from tests.factories import UserFactory

    bureau = OrganisationFactory(kind="government", name="通辽市科学技术局")
    RecommenderRoute.objects.create(region=Region.objects.get(code="150500"), recommender=bureau)
    local = make_applicant(organisation=OrganisationFactory(kind="university", region=Region.objects.get(code="150502")))
    outside = make_applicant(organisation=OrganisationFactory(kind="university", region=Region.objects.get(code="230000")))
    UserFactory(organisation=bureau, roles=["recommender"])
    a = fill(services.application_start(bang=bang, by=local), local)
    b = fill(services.application_start(bang=bang, by=outside), outside)
    services.application_submit(application=a, by=local)
    services.application_submit(application=b, by=outside)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.recommender == bureau and b.recommender is None
    assert list(services.preliminary_reviewers(b)) == [organiser_staff]


@pytest.fixture
def submitted(bang, carol):
    application = fill(services.application_start(bang=bang, by=carol), carol)
    services.application_submit(application=application, by=carol)
    return application


def test_return_opens_a_correction_window_past_the_list_deadline(submitted, carol, organiser_staff):
    with time_machine.travel(datetime.datetime(2026, 9, 29, 10, tzinfo=BEIJING), tick=False):
        BangList.objects.filter(pk=submitted.bang.bang_list_id).update(
            deadline=datetime.datetime(2026, 9, 30, 23, 59, 59, tzinfo=BEIJING),
            opens_at=datetime.datetime(2026, 9, 1, tzinfo=BEIJING),
        )
        application, warnings = services.application_return(application=submitted, by=organiser_staff,
                                                             reason="请补充财务报表")
    # 3 working days from Tue 29 Sep 2026 skip the National Day holiday (1–7 Oct).
    assert timezone.localtime(application.correction_deadline) == datetime.datetime(2026, 10, 9, 23, 59, 59, tzinfo=BEIJING)
    assert warnings == []
    with time_machine.travel(datetime.datetime(2026, 10, 9, 23, 59, 59, tzinfo=BEIJING), tick=False):
        services.application_submit(application=application, by=carol)  # after the list deadline: allowed
    assert Application.objects.get(pk=application.pk).state == ApplicationState.SUBMITTED


def test_correction_window_refused_after_it_ends(submitted, carol, organiser_staff):
    application, _ = services.application_return(application=submitted, by=organiser_staff, reason="补充")
    with time_machine.travel(application.correction_deadline + datetime.timedelta(seconds=1), tick=False):
        with pytest.raises(DomainError, match="补正期限已过"):
            services.application_submit(application=application, by=carol)


def test_correction_window_into_2027_still_computes_and_warns(submitted, organiser_staff):
    with time_machine.travel(datetime.datetime(2026, 12, 30, 10, tzinfo=BEIJING), tick=False):
        application, warnings = services.application_return(application=submitted, by=organiser_staff, reason="补充")
    # Thu 31 Dec 2026 is a working day; 2027 has no data, so weekends only: Fri 1 Jan counts
    # (it is really a holiday, hence the warning), then Mon 4 Jan.
    assert timezone.localtime(application.correction_deadline).date() == datetime.date(2027, 1, 4)
    assert warnings and "2027年" in warnings[0]


def test_staff_entered_holidays_are_used_for_2027(submitted, organiser_staff):
    from core.models import CalendarDay

    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), is_workday=False, name="元旦")
    with time_machine.travel(datetime.datetime(2026, 12, 31, 10, tzinfo=BEIJING), tick=False):
        application, warnings = services.application_return(application=submitted, by=organiser_staff, reason="补充")
    # 1 Jan 2027 is a holiday (entered by staff): Mon 4, Tue 5, Wed 6.
    assert timezone.localtime(application.correction_deadline).date() == datetime.date(2027, 1, 6)
    assert warnings == []


def test_decisions_need_reasons_and_end_eligible_or_ineligible(bang, organiser_staff):
    first, second = make_applicant(), make_applicant()
    a = fill(services.application_start(bang=bang, by=first), first)
    b = fill(services.application_start(bang=bang, by=second), second)
    services.application_submit(application=a, by=first)
    services.application_submit(application=b, by=second)
    with pytest.raises(ValidationError):
        services.application_reject(application=a, by=organiser_staff, reason="")
    services.application_recommend(application=a, by=organiser_staff)
    services.application_reject(application=b, by=organiser_staff, reason="不符合揭榜条件")
    assert Application.objects.get(pk=a.pk).state == ApplicationState.ELIGIBLE
    assert Application.objects.get(pk=b.pk).state == ApplicationState.INELIGIBLE


def test_decisions_refused_after_recommend_deadline(submitted, organiser_staff):
    BangList.objects.filter(pk=submitted.bang.bang_list_id).update(
        recommend_deadline=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(DomainError, match="推荐截止时间"):
        services.application_recommend(application=submitted, by=organiser_staff)


def test_only_the_routed_reviewer_decides(submitted, other_organiser_staff, carol):
    for user in (other_organiser_staff, carol):
        with pytest.raises(DomainError):
            services.application_recommend(application=submitted, by=user)


# --- scheduled -------------------------------------------------------------------------------


def test_draft_reminders_three_days_and_one_day_once_each(organiser_staff, carol):
    bang_list = make_bang_list(by=organiser_staff, deadline_days=5)
    services.application_start(bang=bang_list.bangs.get(), by=carol)
    now = timezone.now()
    assert services.draft_reminders_send(now=now) == 0
    three = bang_list.deadline - datetime.timedelta(days=2, hours=12)
    assert services.draft_reminders_send(now=three) == 1
    assert services.draft_reminders_send(now=three) == 0
    one = bang_list.deadline - datetime.timedelta(hours=12)
    assert services.draft_reminders_send(now=one) == 1
    assert services.draft_reminders_send(now=one + datetime.timedelta(hours=1)) == 0


def test_deadline_summary_sent_once(bang_list, bang, carol, organiser_staff):
    application = fill(services.application_start(bang=bang, by=carol), carol)
    services.application_submit(application=application, by=carol)
    later = bang_list.deadline + datetime.timedelta(minutes=5)
    assert services.deadline_summaries_send(now=later) == 1
    assert services.deadline_summaries_send(now=later) == 0
    from notifications.models import Notification

    note = Notification.objects.get(recipient=organiser_staff, event_key__contains="summary")
    assert "共收到1份申报" in note.title


def test_recommender_catch_up_does_not_repeat(submitted):
    assert services.recommender_notices_send() == 0  # already told at submission


def test_staff_see_a_units_credit_records(client, carol):
    from django.urls import reverse

    from accounts.models import CreditRecord

    from ..factories import make_staff

    CreditRecord.objects.create(organisation=carol.organisation, reason="验收未通过", source="NMKJ-JBGS-2026-009",
                                barred_until=timezone.localdate() + datetime.timedelta(days=1000))
    client.force_login(make_staff(username="unit-staff"))
    page = client.get(reverse("accounts:unit_manage", args=[carol.organisation.pk])).content.decode()
    assert "NMKJ-JBGS-2026-009" in page and "验收未通过" in page
