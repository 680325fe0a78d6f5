"""Task-book rules in the service (issue 12): drafting only for confirmed awards, the indicator,
staffing, budget and disbursement rules, the freeze at 定稿, signing, amendment, reminders."""

import copy
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.enums import Role
from contracts import services
from contracts.enums import TaskBookState
from contracts.fingerprint import canonical_json, fingerprint
from contracts.models import TaskBook
from core.exceptions import DomainError
from core.selectors import activity_list_for
from notices import services as notice_services
from notices.enums import ObjectorKind
from notices.models import Notice
from notifications.models import Notification

from ..factories import OrganisationFactory, UserFactory
from .helpers import confirmed_award, drafted, finalised, lead_user, noticed_award, valid_content

pytestmark = pytest.mark.django_db

PERSON = {"name": "李四", "id_number": "11010519491231002X", "mobile": "13912345678", "email": "li@example.com"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def scan(name="seal.png", data=PNG):
    return SimpleUploadedFile(name, data)


def save(task_book, content, **kwargs):
    task_book.refresh_from_db()
    seen = task_book.versions.order_by("-number").first().number
    return services.task_book_save(task_book=task_book, by=lead_user(task_book), content=content, seen_version=seen,
                                   **kwargs)


def issuer_user(task_book):
    return UserFactory(organisation=task_book.award.decision.bang.issuers.first(), roles=[Role.ENTERPRISE])


def test_drafting_is_refused_while_the_notice_runs_and_while_an_objection_is_pending(organiser_staff):
    award = noticed_award(organiser_staff)
    with pytest.raises(DomainError, match="公示期至"):
        services.task_book_draft(award=award, by=organiser_staff)
    notice = Notice.objects.get(entries__decision=award.decision)
    entry = notice.entries.get()
    notice_services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=PERSON, grounds="理由")
    past = timezone.now() - datetime.timedelta(seconds=2)
    Notice.objects.filter(pk=notice.pk).update(published_at=past - datetime.timedelta(days=9), ends_at=past)
    with pytest.raises(DomainError, match="未办结"):
        services.task_book_draft(award=award, by=organiser_staff)
    assert services.drafts_create_due() == 0
    assert not TaskBook.objects.exists()


def test_a_confirmed_award_is_drafted_once_from_the_submitted_plan(organiser_staff):
    award = confirmed_award(organiser_staff)
    task_book = services.task_book_draft(award=award, by=organiser_staff)
    assert services.task_book_draft(award=award, by=organiser_staff).pk == task_book.pk
    assert services.drafts_create_due() == 0
    content = task_book.content
    assert content["project"]["number"] == award.project_number
    assert content["parties"]["lead"]["name"] == award.application.lead.name
    assert {r["role"] for r in content["staffing"]} >= {"chief", "lead"}
    assert content["subsidy"] == str(award.subsidy)
    assert "军令状" in content["order"]["text"] or "立下" in content["order"]["text"]
    assert Notification.objects.filter(recipient=lead_user(task_book), event_key__contains="drafted").exists()


def test_the_beat_drafts_what_staff_have_not(organiser_staff):
    confirmed_award(organiser_staff)
    assert services.drafts_create_due() == 1
    assert services.drafts_create_due() == 0


def test_a_weaker_indicator_is_refused_equal_and_stronger_are_accepted(organiser_staff):
    task_book = drafted(organiser_staff)
    content = valid_content(task_book)
    row = content["indicators"][0]
    row["bang_target"], row["committed"] = "≥1", "≥1.5"
    task_book.content["indicators"][0].update(bang_target="≥1", committed="≥1.5")
    task_book.save()
    for weaker in ("≥1.2", "0.9"):
        row["target"] = weaker
        with pytest.raises(ValidationError) as error:
            save(task_book, content)
        assert "不能降低" in str(error.value.message_dict["indicators"])
    for accepted in ("≥1.5", "≥2"):
        row["target"] = accepted
        assert save(task_book, content) is not None
    task_book.refresh_from_db()
    assert task_book.content["indicators"][0]["target"] == "≥2"


def test_a_text_indicator_needs_staff_confirmation_which_is_logged(organiser_staff):
    task_book = drafted(organiser_staff)
    content = valid_content(task_book)
    content["indicators"][0]["target"] = "连续稳定运行一年"
    save(task_book, content)
    task_book.refresh_from_db()
    with pytest.raises(ValidationError, match="无法按数值比较"):
        services.task_book_finalise(task_book=task_book, by=organiser_staff, seen_version=2)
    key = task_book.content["indicators"][0]["key"]
    with pytest.raises(DomainError):
        services.indicator_confirm(task_book=task_book, by=lead_user(task_book), key=key)
    services.indicator_confirm(task_book=task_book, by=organiser_staff, key=key)
    assert any("连续稳定运行一年" in a.note for a in activity_list_for(task_book))
    task_book.refresh_from_db()
    assert services.task_book_finalise(task_book=task_book, by=organiser_staff, seen_version=2).state == "finalised"


def test_the_disbursement_plan_must_add_up_to_the_subsidy(organiser_staff):
    task_book = drafted(organiser_staff)
    content = valid_content(task_book)
    content["disbursement"][0]["amount"] = str(float(content["disbursement"][0]["amount"]) + 1)
    with pytest.raises(ValidationError) as error:
        save(task_book, content)
    assert "须等于立项补助" in str(error.value.message_dict["disbursement"])
    content = valid_content(task_book)
    content["budget"][0]["subsidy"] = "1.00"
    with pytest.raises(ValidationError) as error:
        save(task_book, content)
    assert "须等于立项补助" in str(error.value.message_dict["budget"])


def test_staffing_needs_the_chief_and_a_lead_with_six_months(organiser_staff):
    task_book = drafted(organiser_staff)
    content = valid_content(task_book)
    content["staffing"] = [r for r in content["staffing"] if r["role"] != "chief"]
    with pytest.raises(ValidationError, match="首席科学家"):
        save(task_book, content)
    content = valid_content(task_book)
    for row in content["staffing"]:
        if row["role"] == "lead":
            row["months"] = 5
    with pytest.raises(ValidationError, match="不得少于6个月"):
        save(task_book, content)


def test_the_period_stays_within_the_bang_and_the_schedule_within_the_period(organiser_staff):
    task_book = drafted(organiser_staff)
    content = valid_content(task_book)
    start = datetime.date.fromisoformat(content["project"]["start"])
    content["project"]["end"] = (start + datetime.timedelta(days=365 * 5)).isoformat()
    with pytest.raises(ValidationError, match="实施周期"):
        save(task_book, content)
    content = valid_content(task_book)
    content["schedule"][0]["due_date"] = (start - datetime.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match="不在项目起止日期内"):
        save(task_book, content)


def test_forged_parts_of_the_content_are_ignored(organiser_staff):
    task_book = drafted(organiser_staff)
    content = valid_content(task_book)
    original = copy.deepcopy(task_book.content)
    content["project"]["number"] = "FORGED-1"
    content["parties"]["lead"]["name"] = "冒名单位"
    content["subsidy"] = "99999.00"
    content["order"] = {"text": "无后果", "bar_years": 0}
    content["indicators"][0]["bang_target"] = "≥0"
    content["indicators"][0]["name"] = "改过的名称"
    content["indicators"] = content["indicators"][1:]  # dropping the bang's indicator does not drop it
    save(task_book, content)
    task_book.refresh_from_db()
    assert task_book.content["project"]["number"] == original["project"]["number"]
    assert task_book.content["parties"] == original["parties"]
    assert task_book.content["subsidy"] == original["subsidy"]
    assert "无后果" not in task_book.content["order"]["text"]
    assert [r["name"] for r in task_book.content["indicators"]] == [r["name"] for r in original["indicators"]]
    assert task_book.content["indicators"][0]["bang_target"] == original["indicators"][0]["bang_target"]


def test_a_stale_form_cannot_overwrite_a_newer_version(organiser_staff):
    task_book = drafted(organiser_staff)
    save(task_book, valid_content(task_book))
    with pytest.raises(DomainError, match="更新的版本"):
        services.task_book_save(task_book=task_book, by=lead_user(task_book), content=valid_content(task_book),
                                seen_version=1)


def test_finalise_freezes_the_content_and_takes_its_fingerprint(organiser_staff):
    task_book = finalised(organiser_staff)
    assert task_book.state == TaskBookState.FINALISED
    assert task_book.fingerprint == fingerprint(task_book.content)
    assert len(canonical_json(task_book.content)) > 100
    content = valid_content(task_book)
    content["objectives"] = "定稿后偷偷修改"
    with pytest.raises(DomainError):
        services.task_book_save(task_book=task_book, by=lead_user(task_book), content=content, seen_version=2)
    with pytest.raises(DomainError):
        services.task_book_comment(task_book=task_book, by=organiser_staff, body="退回", returned=True)
    with pytest.raises(DomainError, match="已定稿"):
        services.task_book_finalise(task_book=task_book, by=organiser_staff, seen_version=2)
    task_book.refresh_from_db()
    assert task_book.content["objectives"] != "定稿后偷偷修改"
    assert task_book.fingerprint == fingerprint(task_book.content)


def test_signing_order_refusals_and_coming_into_force(organiser_staff, other_organiser_staff):
    task_book = finalised(organiser_staff)
    lead, issuer = lead_user(task_book), issuer_user(task_book)
    parties = {p.kind: p for p in task_book.parties.all()}
    assert set(parties) == {"lead", "issuer", "organiser"}
    # Nobody signs for another party: the lead for the issuer, other staff for the organiser.
    with pytest.raises(DomainError, match="不能代表"):
        services.task_book_sign(party=parties["issuer"], by=lead, scan=scan(), signer_name="甲", signer_title="乙")
    with pytest.raises(DomainError, match="不能代表"):
        services.task_book_sign(party=parties["organiser"], by=other_organiser_staff, scan=scan(), signer_name="甲",
                                signer_title="乙")
    # A scan that is not a PDF or an image is refused by its content, whatever its name.
    with pytest.raises(ValidationError):
        services.task_book_sign(party=parties["lead"], by=lead, scan=scan("seal.pdf", b"<html>not a pdf</html>"),
                                signer_name="甲", signer_title="乙")
    services.task_book_sign(party=parties["lead"], by=lead, scan=scan(), signer_name="张三", signer_title="校长")
    task_book.refresh_from_db()
    assert task_book.state == TaskBookState.SIGNING
    with pytest.raises(DomainError, match="不能重复签署"):
        services.task_book_sign(party=parties["lead"], by=lead, scan=scan(), signer_name="张三", signer_title="校长")
    services.task_book_sign(party=parties["issuer"], by=issuer, scan=scan(data=PNG + b"2"), signer_name="李四",
                            signer_title="董事长")
    services.task_book_sign(party=parties["organiser"], by=organiser_staff, scan=scan(data=PNG + b"3"),
                            signer_name="王五", signer_title="处长")
    task_book.refresh_from_db()
    assert task_book.state == TaskBookState.IN_FORCE and task_book.in_force_at
    party = task_book.parties.get(kind="lead")
    import hashlib
    assert party.scan_sha256 == hashlib.sha256(PNG).hexdigest() and party.confirmed_by == lead
    assert Notification.objects.filter(recipient=issuer, event_key__endswith="in_force").exists()


def test_signing_is_refused_before_finalise_and_when_the_award_is_not_confirmed(organiser_staff):
    task_book = finalised(organiser_staff)
    party = task_book.parties.get(kind="lead")
    from reviews.enums import DecisionState
    from reviews.models import BangDecision
    BangDecision.objects.filter(pk=task_book.award.decision_id).update(state=DecisionState.REVOKED)
    with pytest.raises(DomainError, match="撤销"):
        services.task_book_sign(party=party, by=lead_user(task_book), scan=scan(), signer_name="甲", signer_title="乙")
    assert not task_book.parties.filter(signed_at__isnull=False).exists()


def sign_all(task_book, staff):
    lead, issuer = lead_user(task_book), issuer_user(task_book)
    for party in task_book.parties.all():
        user = {"lead": lead, "issuer": issuer, "organiser": staff}[party.kind]
        services.task_book_sign(party=party, by=user, scan=scan(data=PNG + party.kind.encode()), signer_name="签署人",
                                signer_title="职务")
    task_book.refresh_from_db()


def test_an_amendment_is_signed_again_by_all_and_both_versions_stay(organiser_staff):
    first = finalised(organiser_staff)
    sign_all(first, organiser_staff)
    with pytest.raises(ValidationError):
        services.task_book_amend(task_book=first, by=organiser_staff, reason=" ")
    second = services.task_book_amend(task_book=first, by=organiser_staff, reason="发榜企业调整中试地点")
    with pytest.raises(DomainError, match="进行中的变更"):
        services.task_book_amend(task_book=first, by=organiser_staff, reason="再变更")
    assert second.revision == 2 and second.state == TaskBookState.DRAFTING
    content = valid_content(second)
    content["objectives"] = "变更后的内容"
    save(second, content)
    second.refresh_from_db()
    services.task_book_finalise(task_book=second, by=organiser_staff, seen_version=2)
    first.refresh_from_db()
    assert first.state == TaskBookState.IN_FORCE  # until everyone has signed the amendment
    second.refresh_from_db()
    sign_all(second, organiser_staff)
    first.refresh_from_db()
    assert second.state == TaskBookState.IN_FORCE and first.state == TaskBookState.SUPERSEDED
    assert first.fingerprint != second.fingerprint
    assert first.content["objectives"] != "变更后的内容" and first.pdf and second.pdf


def test_reminders_go_once_per_unsigned_party(organiser_staff):
    task_book = finalised(organiser_staff)
    services.task_book_sign(party=task_book.parties.get(kind="lead"), by=lead_user(task_book), scan=scan(),
                            signer_name="甲", signer_title="乙")
    issuer = issuer_user(task_book)
    assert services.signing_reminders_send() == 2  # the issuer and the organiser
    assert services.signing_reminders_send() == 0
    assert Notification.objects.filter(recipient=issuer, event_key__contains=":remind:").count() == 1


def test_only_the_organisers_staff_may_draft_or_finalise(organiser_staff, other_organiser_staff):
    award = confirmed_award(organiser_staff)
    with pytest.raises(DomainError):
        services.task_book_draft(award=award, by=other_organiser_staff)
    task_book = services.task_book_draft(award=award, by=organiser_staff)
    save(task_book, valid_content(task_book))
    for user in (other_organiser_staff, lead_user(task_book),
                 UserFactory(organisation=OrganisationFactory(), roles=[Role.APPLICANT])):
        with pytest.raises(DomainError):
            services.task_book_finalise(task_book=task_book, by=user, seen_version=2)
    task_book.refresh_from_db()
    assert task_book.state == TaskBookState.DRAFTING




def test_an_unknown_signing_party_in_the_settings_is_refused_at_start_up(settings):
    from contracts.checks import signing_parties

    settings.TASK_BOOK_SIGNING_PARTIES = ["lead", "issuer", "organiser"]
    assert signing_parties(None) == []
    settings.TASK_BOOK_SIGNING_PARTIES = ["lead", "bank"]
    assert [e.id for e in signing_parties(None)] == ["contracts.E001"]


def test_partners_sign_too_when_configured(organiser_staff, settings):
    settings.TASK_BOOK_SIGNING_PARTIES = ["lead", "partner", "organiser"]
    task_book = drafted(organiser_staff)
    partner = OrganisationFactory(kind="university")
    task_book.award.application.submitted_partners.add(partner)
    save(task_book, valid_content(task_book))
    task_book.refresh_from_db()
    services.task_book_finalise(task_book=task_book, by=organiser_staff, seen_version=2)
    assert list(task_book.parties.values_list("kind", "organisation_id")) == [
        ("lead", task_book.award.application.lead_id), ("partner", partner.pk),
        ("organiser", task_book.award.decision.bang.bang_list.organiser_id)]
    partner_user = UserFactory(organisation=partner, roles=[Role.APPLICANT])
    services.task_book_sign(party=task_book.parties.get(kind="partner"), by=partner_user, scan=scan(),
                            signer_name="赵六", signer_title="院长")
    assert task_book.parties.get(kind="partner").signed


@pytest.mark.parametrize("body", ["{project.__class__.__mro__}", "{project:>20000}", "{lead!r}", "{0}", "{", "}{",
                                  "{unknown}"])
def test_the_order_template_takes_bare_placeholders_only(organiser_staff, body):
    with pytest.raises(ValidationError) as error:
        services.order_template_save(organiser=organiser_staff.organisation, by=organiser_staff,
                                     body=f"军令状：{body}", bar_years=3)
    assert "占位符" in str(error.value.message_dict["body"])


def test_the_order_wording_fills_placeholders_and_nothing_else(organiser_staff):
    from contracts.content import order_text

    services.order_template_save(organiser=organiser_staff.organisation, by=organiser_staff,
                                 body="{lead}承诺{end}前完成“{project}”（{number}），否则{bar_years}年内不牵头。", bar_years=5)
    task_book = drafted(organiser_staff)
    text = task_book.content["order"]["text"]
    assert text.startswith(task_book.content["parties"]["lead"]["name"] + "承诺")
    assert "否则5年内不牵头" in text and task_book.content["order"]["bar_years"] == 5
    # A template stored before the rule (or edited in the database) falls back to the default wording.
    assert "立此军令状" in order_text("{project:>9999999999}", task_book.content, 3)


def test_the_unsealed_issued_pdf_or_another_partys_scan_is_not_a_signature(organiser_staff):
    task_book = finalised(organiser_staff)
    lead = lead_user(task_book)
    parties = {p.kind: p for p in task_book.parties.all()}
    task_book.pdf.open("rb")
    issued = task_book.pdf.read()
    task_book.pdf.close()
    with pytest.raises(ValidationError, match="没有盖章"):
        services.task_book_sign(party=parties["lead"], by=lead, scan=scan("tb.pdf", issued), signer_name="甲",
                                signer_title="乙")
    services.task_book_sign(party=parties["lead"], by=lead, scan=scan(), signer_name="甲", signer_title="乙")
    with pytest.raises(ValidationError, match="完全相同"):
        services.task_book_sign(party=parties["issuer"], by=issuer_user(task_book), scan=scan(), signer_name="丙",
                                signer_title="丁")
    assert task_book.parties.filter(signed_at__isnull=False).count() == 1


def test_a_task_book_in_force_opens_the_project_with_its_stage_reports(organiser_staff):
    task_book = finalised(organiser_staff)
    sign_all(task_book, organiser_staff)
    project = task_book.award.project
    assert project.state == "in_progress" and project.task_book_id == task_book.pk
    assert project.subsidy == task_book.award.subsidy
    assert [(r.stage, r.due_date.isoformat(), r.goal) for r in project.reports.all()] == [
        (i, row["due_date"], row["goal"]) for i, row in enumerate(task_book.content["schedule"], start=1)]
