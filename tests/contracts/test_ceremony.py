"""The signing ceremony (网上签约) of a list and the military-order template: who may open them, drafting
all missing task books, reminders sent once per party whoever asks, the template's errors, and the
ceremony page's query count at two sizes."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from contracts import services, tasks
from contracts.enums import PartyKind, TaskBookState
from contracts.models import OrderTemplate, SigningParty, TaskBook
from core.models import ActivityLog
from notices import services as notice_services
from notices.models import Notice
from notifications.models import Notification
from reviews.models import Award

from ..factories import UserFactory
from .helpers import (
    confirmed_award,
    drafted,
    finalised,
    lead_user,
    proposed,
    valid_content,
)

pytestmark = pytest.mark.django_db


def ceremony_url(bang_list) -> str:
    return reverse("contracts:ceremony", args=[bang_list.pk])


def list_of(task_book_or_award):
    award = getattr(task_book_or_award, "award", task_book_or_award)
    return award.decision.bang.bang_list


def png() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("seal.png", buffer.getvalue(), content_type="image/png")


def sign(party: SigningParty, user) -> None:
    services.task_book_sign(party=party, by=user, scan=png(), signer_name="张三", signer_title="法定代表人")


def confirmed_list(staff, n: int):
    """One list whose bang confirmed `n` teams (a racehorse bang), each with a finalised task book."""
    bang_list, _bang, apps = proposed(staff, applications=max(n, 2))
    notice_services.notice_publish(bang_list=bang_list, by=staff, title="揭榜结果公示", basis="依据",
                                   how_to_object="书面实名提出", confirm_warnings=True)
    first = Award.objects.get(application=apps[0])
    for rank, app in enumerate(apps[1:n], start=2):
        Award.objects.create(decision=first.decision, application=app, route_label=f"路线{rank}", rank=rank,
                             score=first.score, investment=first.investment, subsidy=first.subsidy)
    past = timezone.now() - datetime.timedelta(seconds=5)
    Notice.objects.filter(entries__decision=first.decision).update(
        published_at=past - datetime.timedelta(days=10), ends_at=past)
    assert notice_services.notices_confirm_due() == 1
    books = []
    for award in Award.objects.filter(decision=first.decision).order_by("rank"):
        assert award.project_number
        task_book = services.task_book_draft(award=award, by=staff)
        services.task_book_save(task_book=task_book, by=lead_user(task_book), content=valid_content(task_book),
                                seen_version=1)
        task_book.refresh_from_db()
        books.append(services.task_book_finalise(task_book=task_book, by=staff, seen_version=2))
    return bang_list, books


# --- who may open the pages ------------------------------------------------------------------------


def test_ceremony_is_for_the_organisers_staff_only(client, organiser_staff, other_organiser_staff):
    task_book = finalised(organiser_staff)
    url = ceremony_url(list_of(task_book))
    assert client.get(url).status_code == 302  # anonymous: to the login page
    assert reverse("login") in client.get(url)["Location"]
    client.force_login(other_organiser_staff)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "remind"}).status_code == 404
    client.force_login(lead_user(task_book))
    assert client.get(url).status_code == 404
    # A user of the organiser's unit who is not its staff: the list is reachable, the page is not.
    insider = UserFactory(organisation=organiser_staff.organisation, roles=[Role.APPLICANT])
    client.force_login(insider)
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "draft"}).status_code == 403
    client.force_login(organiser_staff)
    assert client.get(url).status_code == 200
    assert client.put(url).status_code == 405


def test_ceremony_shows_each_party_and_the_count(client, organiser_staff):
    task_book = finalised(organiser_staff)
    lead_party = task_book.parties.get(kind=PartyKind.LEAD)
    sign(lead_party, lead_user(task_book))
    client.force_login(organiser_staff)
    page = client.get(ceremony_url(list_of(task_book))).content.decode()
    parties = list(task_book.parties.all())
    assert len(parties) == 3
    assert "已签 1 / 共 3" in page
    for party in parties:
        assert party.name in page
    assert page.count("已签署</span>") == 1 and page.count("未签署</span>") == 2
    assert "张三" in page  # who signed for the lead
    assert reverse("contracts:detail", args=[task_book.pk]) in page
    assert task_book.project_number in page
    assert 'class="table-responsive"' in page


def test_ceremony_filters_by_text_and_state(client, organiser_staff):
    bang_list, books = confirmed_list(organiser_staff, 2)
    first, second = books
    sign(second.parties.get(kind=PartyKind.LEAD), lead_user(second))
    client.force_login(organiser_staff)
    url = ceremony_url(bang_list)
    page = client.get(url, {"q": first.project_number}).content.decode()
    assert first.project_number in page and second.project_number not in page
    page = client.get(url, {"state": TaskBookState.SIGNING}).content.decode()
    assert second.project_number in page and first.project_number not in page
    page = client.get(url, {"state": "none"}).content.decode()
    assert "暂无已确认的立项" in page
    page = client.get(url, {"state": "nonsense"}).content.decode()
    assert "筛选条件“状态”的值无效，已忽略。" in page and first.project_number in page


# --- drafting every missing task book ---------------------------------------------------------------


def test_draft_all_makes_the_missing_drafts_once(client, organiser_staff):
    award = confirmed_award(organiser_staff)
    url = ceremony_url(list_of(award))
    client.force_login(organiser_staff)
    page = client.get(url).content.decode()
    assert "为已确认的立项生成任务书草稿（1）" in page and "未生成" in page
    response = client.post(url, {"action": "draft"}, follow=True)
    assert "已生成1份任务书草稿" in response.content.decode()
    task_book = TaskBook.objects.get(award=award)
    assert task_book.state == TaskBookState.DRAFTING
    response = client.post(url, {"action": "draft"}, follow=True)
    assert "没有需要生成的草稿" in response.content.decode()
    assert TaskBook.objects.filter(award=award).count() == 1
    # The beat finds nothing left either.
    assert tasks.draft_due() == 0
    assert TaskBook.objects.count() == 1


def test_an_unknown_action_changes_nothing(client, organiser_staff):
    award = confirmed_award(organiser_staff)
    client.force_login(organiser_staff)
    response = client.post(ceremony_url(list_of(award)), {"action": "drop"}, follow=True)
    assert "未知的操作。" in response.content.decode()
    assert not TaskBook.objects.exists()


# --- reminders -------------------------------------------------------------------------------------


def reminders() -> list[str]:
    return sorted(Notification.objects.filter(event_key__contains=":remind:").values_list("event_key", flat=True))


def test_reminders_go_once_per_party_however_often_asked(client, organiser_staff):
    task_book = finalised(organiser_staff)
    bang_list = list_of(task_book)
    sign(task_book.parties.get(kind=PartyKind.LEAD), lead_user(task_book))
    unsigned = list(task_book.parties.filter(signed_at__isnull=True))
    assert len(unsigned) == 2
    client.force_login(organiser_staff)
    response = client.post(ceremony_url(bang_list), {"action": "remind"}, follow=True)
    assert "已向2个未签署单位发出提醒。" in response.content.decode()
    keys = reminders()
    # Both unsigned parties are claimed; a message goes to each of their users (the issuing
    # enterprise of this scenario has none).
    assert set(SigningParty.objects.filter(reminded_at__isnull=False).values_list("pk", flat=True)) == {
        p.pk for p in unsigned}
    assert {k.rsplit(":", 1)[1] for k in keys} <= {str(p.pk) for p in unsigned}
    # The organiser's own staff are among those reminded (the organiser is a party).
    assert Notification.objects.filter(recipient=organiser_staff, event_key__contains=":remind:").count() == 1
    response = client.post(ceremony_url(bang_list), {"action": "remind"}, follow=True)
    assert "没有需要提醒的单位" in response.content.decode()
    assert tasks.remind_signing() == 0
    assert reminders() == keys
    log = ActivityLog.objects.filter(object_id=bang_list.pk, action="提醒未签署单位签署任务书").order_by("pk")
    assert [entry.note for entry in log] == ["发出提醒2条", "发出提醒0条"]
    page = client.get(ceremony_url(bang_list)).content.decode()
    assert page.count("已提醒") == 2


def test_a_party_the_beat_reminded_is_not_reminded_again_from_the_page(client, organiser_staff):
    task_book = finalised(organiser_staff)
    assert tasks.remind_signing() == 3
    keys = reminders()
    client.force_login(organiser_staff)
    client.post(ceremony_url(list_of(task_book)), {"action": "remind"})
    assert reminders() == keys
    assert not SigningParty.objects.filter(task_book=task_book, reminded_at__isnull=True).exists()


def test_reminders_only_concern_the_list_and_issued_task_books(organiser_staff, other_organiser_staff):
    from contracts.services import signing_reminders_for_list

    mine = finalised(organiser_staff)
    other = finalised(other_organiser_staff)
    draft = drafted(organiser_staff)  # not issued: no parties yet
    assert signing_reminders_for_list(bang_list=list_of(mine), by=organiser_staff) == 3
    assert not SigningParty.objects.filter(task_book=other, reminded_at__isnull=False).exists()
    assert signing_reminders_for_list(bang_list=list_of(draft), by=organiser_staff) == 0
    from core.exceptions import DomainError

    with pytest.raises(DomainError):
        signing_reminders_for_list(bang_list=list_of(other), by=organiser_staff)


# --- the query count -------------------------------------------------------------------------------


def test_ceremony_queries_do_not_grow_with_rows(client, organiser_staff):
    small, _books = confirmed_list(organiser_staff, 1)
    big, books = confirmed_list(organiser_staff, 4)
    sign(books[0].parties.get(kind=PartyKind.LEAD), lead_user(books[0]))
    client.force_login(organiser_staff)
    client.get(ceremony_url(small))  # warm the session and the caches

    def count(bang_list) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ceremony_url(bang_list))
        assert response.status_code == 200
        return len(queries)

    one = count(small)
    page = client.get(ceremony_url(big)).content.decode()
    assert page.count('data-testid="signed-count"') == 4
    assert count(big) == one


# --- the military-order template -------------------------------------------------------------------


def test_order_template_shows_the_default_and_saves(client, organiser_staff):
    url = reverse("contracts:order_template")
    client.force_login(organiser_staff)
    page = client.get(url).content.decode()
    assert "尚未设置，当前使用平台默认文本。" in page
    assert "本单位作为“高推力密度永磁同步直线电机研制（示例）”" in page  # the preview of the default
    for placeholder in ("{project}", "{number}", "{lead}", "{end}", "{indicators}", "{bar_years}"):
        assert placeholder in page
    body = "我单位承诺于{end}前完成“{project}”（{number}）的全部指标：\n{indicators}\n否则{bar_years}年内不牵头申报。"
    response = client.post(url, {"body": body, "bar_years": "5", "save": ""}, follow=True)
    assert "军令状模板已保存" in response.content.decode()
    template = OrderTemplate.objects.get(organiser=organiser_staff.organisation)
    assert (template.body, template.bar_years, template.updated_by) == (body, 5, organiser_staff)
    page = client.get(url).content.decode()
    assert "我单位承诺于" in page and "NMKJ-JBGS-2026-001" in page and "否则5年内不牵头申报" in page
    # A new draft takes the organiser's wording.
    task_book = drafted(organiser_staff)
    assert task_book.content["order"]["bar_years"] == 5
    assert task_book.content["order"]["text"].startswith("我单位承诺于")


def test_order_template_preview_does_not_save(client, organiser_staff):
    client.force_login(organiser_staff)
    response = client.post(reverse("contracts:order_template"),
                           {"body": "预览文本：{project}", "bar_years": "3", "preview": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "预览文本：高推力密度永磁同步直线电机研制（示例）" in page and "尚未保存" in page
    assert not OrderTemplate.objects.exists()


def test_order_template_preview_of_a_bad_placeholder_says_why(client, organiser_staff):
    client.force_login(organiser_staff)
    response = client.post(reverse("contracts:order_template"),
                           {"body": "{project}于{deadline}前完成", "bar_years": "3", "preview": ""})
    page = response.content.decode()
    assert "无法预览" in page and 'id="error_1_id_body"' in page and "{project}于{deadline}前完成" in page
    assert not OrderTemplate.objects.exists()


@pytest.mark.parametrize("data, field", [
    ({"body": "{project}在{deadline}前完成", "bar_years": "3"}, "body"),
    ({"body": "缺右括号{project", "bar_years": "3"}, "body"),
    ({"body": "{project}", "bar_years": "11"}, "bar_years"),
    ({"body": "{project}", "bar_years": "0"}, "bar_years"),
    ({"body": "   ", "bar_years": "3"}, "body"),
])
def test_order_template_refuses_bad_input_next_to_the_field(client, organiser_staff, data, field):
    client.force_login(organiser_staff)
    response = client.post(reverse("contracts:order_template"), {**data, "save": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="error_1_id_{field}"' in page  # crispy's error under the field
    assert "未能保存" in page
    if data["body"].strip():
        assert data["body"] in page  # what was typed stays
    if "deadline" in data["body"]:
        assert "花括号只能用于占位符" in page
    assert not OrderTemplate.objects.exists()


def test_order_template_is_for_staff_with_a_unit(client, organiser_staff, applicant):
    url = reverse("contracts:order_template")
    assert client.get(url).status_code == 302
    client.force_login(applicant)
    assert client.get(url).status_code == 403
    homeless = UserFactory(organisation=None, roles=[Role.STAFF])
    client.force_login(homeless)
    assert client.get(url).status_code == 403
    assert client.post(url, {"body": "{project}", "bar_years": "3"}).status_code == 403
    assert not OrderTemplate.objects.exists()
    client.force_login(organiser_staff)
    assert client.delete(url).status_code == 405
