"""The staff side of the notice (issue 11): publishing with and without the calendar warning, the
handling flow through the pages, replayed posts, the queue's query count, the beat reminders, and the
permission matrix that keeps the objector's identity to the organiser's handling staff."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from bangs.models import BangList
from core.models import ActivityLog
from core.services import calendar_day_set
from notices import services, tasks
from notices.enums import NoticeBangState, ObjectionState, ObjectorKind
from notices.models import (
    Notice,
    NoticeAmendment,
    NoticeBang,
    Objection,
    ObjectionFile,
    ResponseRequest,
)
from notifications.models import Notification
from reviews.enums import DecisionState
from reviews.models import Award, BangDecision

from ..applications.helpers import PDF
from ..factories import OrganisationFactory, UserFactory
from ..reviews.helpers import make_expert
from .test_services import (
    proposed,  # noqa: F401  (the fixture)
    publish,
)

pytestmark = pytest.mark.django_db

# The objector: strings that must never reach anyone but the handler.
SECRET_NAME = "隐秘异议人王五"
SECRET_ID = "11010519491231002X"
SECRET_PHONE = "13987654321"
SECRET_FILE = "secret-evidence-wangwu.pdf"
SECRETS = (SECRET_NAME, SECRET_ID, SECRET_PHONE, SECRET_FILE)
OBJECTOR = {"name": SECRET_NAME, "id_number": SECRET_ID, "mobile": SECRET_PHONE, "email": ""}
GROUNDS = "牵头单位所列业绩与实际不符"


def pdf(name="x.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def snapshot():
    return {
        "notices": list(Notice.objects.order_by("pk").values_list("pk", "title")),
        "amendments": NoticeAmendment.objects.count(),
        "entries": list(NoticeBang.objects.order_by("pk").values_list("pk", "state")),
        "objections": list(Objection.objects.order_by("pk").values_list("pk", "state", "reply", "handling_deadline",
                                                                         "refusal_ground")),
        "files": ObjectionFile.objects.count(),
        "requests": list(ResponseRequest.objects.order_by("pk").values_list("pk", "answer", "answered_at")),
        "decisions": list(BangDecision.objects.order_by("pk").values_list("pk", "state")),
        "log": ActivityLog.objects.count(),
        "notifications": Notification.objects.count(),
    }


@pytest.fixture
def world(organiser_staff, other_organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    notice = publish(bang_list, organiser_staff)
    entry = notice.entries.get()
    objection = services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=OBJECTOR, grounds=GROUNDS,
                                        evidence=[pdf(SECRET_FILE)])
    services.objection_accept(objection=objection, by=organiser_staff)
    lead = User.objects.filter(organisation=apps[0].lead).first()
    answered = services.response_request(objection=objection, by=organiser_staff, question="请说明业绩情况",
                                         deadline=timezone.now() + datetime.timedelta(days=3))
    services.response_answer(request=answered, by=lead, answer="业绩属实", upload=pdf("说明.pdf"))
    pending = services.response_request(objection=objection, by=organiser_staff, question="请补充合同",
                                        deadline=timezone.now() + datetime.timedelta(days=3))
    award = Award.objects.get(decision=entry.decision)
    Award.objects.filter(pk=award.pk).update(project_number="NMKJ-JBGS-TEST-001")
    stored = objection.files.get()
    users = {
        "anonymous": None,
        "lead": lead,
        "other_applicant": User.objects.filter(organisation=apps[1].lead).first(),
        "issuer": UserFactory(organisation=bang.issuers.get(), roles=[Role.ENTERPRISE]),
        "expert": make_expert("另一专家"),
        "recommender": UserFactory(organisation=OrganisationFactory(kind="government"), roles=[Role.RECOMMENDER]),
        "other_staff": other_organiser_staff,
        "staff": organiser_staff,
    }
    assert users["lead"].has_role(Role.APPLICANT) and users["other_applicant"].has_role(Role.APPLICANT)
    return dict(bang_list=bang_list, bang=bang, apps=apps, notice=notice, entry=entry, objection=objection,
                answered=answered, pending=pending, award=award, file=stored, users=users)


ROLES = ["anonymous", "lead", "other_applicant", "issuer", "expert", "recommender", "other_staff", "staff"]
STAFF_ONLY = lambda ok: [302, 404, 404, 404, 404, 404, 404, ok]


def _urls(w):
    """(name, args, method, data, expected status per role in ROLES order)."""
    bl, notice, o = w["bang_list"].pk, w["notice"].pk, w["objection"].pk
    return [
        ("notices:publish", [bl], "get", None, STAFF_ONLY(200)),
        ("notices:publish", [bl], "post", {"title": "伪造", "basis": "伪造", "how_to_object": "伪造",
                                           "bangs": [str(w["bang"].pk)], "confirm_warnings": "1"}, STAFF_ONLY(302)),
        ("notices:amend", [notice], "get", None, STAFF_ONLY(200)),
        ("notices:amend", [notice], "post", {"title": "伪造", "body": "伪造"}, STAFF_ONLY(200)),
        ("notices:record", [notice], "get", None, STAFF_ONLY(200)),
        ("notices:record", [notice], "post", {"entry": str(w["entry"].pk), "kind": "person", "name": "伪造",
                                              "id_number": SECRET_ID, "mobile": "13700000000", "grounds": "伪造"},
         STAFF_ONLY(200)),
        ("notices:queue", [], "get", None, [302, 403, 403, 403, 403, 403, 200, 200]),
        ("notices:objection", [o], "get", None, STAFF_ONLY(200)),
        # staff: already accepted: refused with a message
        ("notices:objection_accept", [o], "post", {}, STAFF_ONLY(302)),
        # staff post nothing: the page comes back with the form's errors (200), nothing changes
        ("notices:objection_refuse", [o], "post", {"ground": "late", "reply": "伪造"}, STAFF_ONLY(200)),
        ("notices:objection_ask", [o], "post", {"question": "伪造", "deadline": "2099-01-01T00:00"}, STAFF_ONLY(200)),
        ("notices:objection_decide", [o], "post", {"outcome": "upheld", "reply": "伪造"}, STAFF_ONLY(200)),
        ("notices:objection_note", [o], "post", {"text": "伪造"}, STAFF_ONLY(200)),
        ("notices:objection_file", [o, w["file"].pk], "get", None, STAFF_ONLY(200)),
        ("notices:responses", [], "get", None, [302, 200, 200, 403, 403, 403, 403, 403]),
        ("notices:response", [w["pending"].pk], "get", None, [302, 200, 404, 404, 404, 404, 404, 404]),
        ("notices:response", [w["pending"].pk], "post", {"answer": "伪造"}, [302, 200, 404, 404, 404, 404, 404, 404]),
        ("notices:response_file", [w["answered"].pk], "get", None, [302, 200, 404, 404, 404, 404, 404, 200]),
        ("notices:approval_pdf", [w["award"].pk], "get", None, [302, 200, 404, 404, 404, 404, 404, 200]),
    ]


def test_every_staff_url_is_in_the_matrix():
    from types import SimpleNamespace

    from notices import urls_staff

    fake = SimpleNamespace(pk=1)
    w = {k: fake for k in ("bang_list", "notice", "objection", "file", "bang", "entry", "pending", "answered",
                           "award")}
    assert {n.split(":")[1] for n, *_ in _urls(w)} == {p.name for p in urls_staff.urlpatterns}


ACTION_FORMS = {"notices:objection_refuse", "notices:objection_ask", "notices:objection_decide",
                "notices:objection_note"}


@pytest.mark.parametrize("role", ROLES)
def test_the_matrix_and_the_objectors_identity(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    for name, args, method, data, expected in _urls(world):
        status = expected[ROLES.index(role)]
        # The allowed role posts nothing that would change anything (an empty or replayed post).
        allowed = status in (200, 302) and role != "anonymous"
        before = snapshot()
        url = reverse(name, args=args)
        response = client.get(url) if method == "get" else client.post(url, {} if allowed else data)
        assert response.status_code == status, (name, method, role, response.status_code)
        if role == "anonymous":
            assert response.url.startswith(resolve_url(settings.LOGIN_URL)), name
        if method == "post" or not allowed:
            assert snapshot() == before, (name, method, role)
        if getattr(response, "streaming", False) or response.get("Content-Type", "").startswith("application/pdf"):
            continue
        body = response.content.decode()
        # The objection's own page, for its handler: shown, or shown again with a refused form's errors.
        handler_page = role == "staff" and (
            (name == "notices:objection" and method == "get")
            or (name in ACTION_FORMS and method == "post" and response.status_code == 200))
        for secret in SECRETS:
            assert (secret in body) == handler_page, (name, method, role, secret)
        if role == "lead" and name == "notices:response" and method == "get":
            assert GROUNDS in body and "请补充合同" in body


def test_publishing_with_and_without_the_calendar_warning(client, organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    # 40 working days from now reaches a year the calendar package has no data for (2027 or later).
    BangList.objects.filter(pk=bang_list.pk).update(notice_days=40)
    client.force_login(organiser_staff)
    url = reverse("notices:publish", args=[bang_list.pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "揭榜结果公示" in body and 'data-testid="calendar-warnings"' in body
    assert "尚未录入" in body
    data = {"bangs": [str(bang.pk)], "title": "测试榜单揭榜结果公示", "basis": "依据", "how_to_object": "书面实名"}
    page = client.post(url, data)
    assert page.status_code == 200 and "请确认后再发布" in page.content.decode()
    assert not Notice.objects.exists()
    page = client.post(url, {**data, "confirm_warnings": "on"})
    notice = Notice.objects.get()
    assert page.status_code == 302 and page.url == reverse("notices:detail", args=[notice.pk])
    assert notice.calendar_warnings and notice.entries.get().decision.state == DecisionState.NOTICED


def test_publishing_without_a_warning_once_staff_entered_the_holidays(client, organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    BangList.objects.filter(pk=bang_list.pk).update(notice_days=40)
    year = timezone.localtime().year
    for y in range(max(year, 2027), year + 3):
        calendar_day_set(date=datetime.date(y, 1, 1), is_workday=False, name="元旦", by=organiser_staff)
    client.force_login(organiser_staff)
    url = reverse("notices:publish", args=[bang_list.pk])
    page = client.get(url)
    assert 'data-testid="calendar-warnings"' not in page.content.decode()
    page = client.post(url, {"bangs": [str(bang.pk)], "title": "公示", "basis": "依据", "how_to_object": "书面实名"})
    notice = Notice.objects.get()
    assert page.status_code == 302 and notice.calendar_warnings == []
    # The list's page has nothing more to publish; a second post is refused with a message.
    page = client.post(url, {"bangs": [str(bang.pk)], "title": "公示", "basis": "依据", "how_to_object": "书面实名"},
                       follow=True)
    assert "没有待公示的拟定结果" in page.content.decode() and Notice.objects.count() == 1


def test_the_handling_flow_through_the_pages(client, organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    notice = publish(bang_list, organiser_staff)
    entry = notice.entries.get()
    client.force_login(organiser_staff)
    # A correction
    page = client.post(reverse("notices:amend", args=[notice.pk]), {"title": "更正", "body": "补助金额更正说明"})
    assert page.status_code == 302 and NoticeAmendment.objects.get().title == "更正"
    # A paper objection recorded with its scan
    page = client.post(reverse("notices:record", args=[notice.pk]), {
        "entry": str(entry.pk), "kind": "person", "name": SECRET_NAME, "id_number": SECRET_ID,
        "mobile": SECRET_PHONE, "grounds": GROUNDS, "scan": pdf("来函.pdf"), "evidence": [pdf("证据.pdf")],
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S")})
    objection = Objection.objects.get()
    assert page.status_code == 302 and page.url == reverse("notices:objection", args=[objection.pk])
    assert objection.source == "paper" and objection.recorded_by == organiser_staff
    assert sorted(objection.files.values_list("role", flat=True)) == ["evidence", "scan"]
    url = reverse("notices:objection", args=[objection.pk])
    body = client.get(url).content.decode()
    assert SECRET_NAME in body and SECRET_ID in body and "来函.pdf" in body
    scan = objection.files.get(role="scan")
    download = client.get(reverse("notices:objection_file", args=[objection.pk, scan.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    # Accept; a replayed accept is refused with a message and changes nothing
    client.post(reverse("notices:objection_accept", args=[objection.pk]))
    objection.refresh_from_db()
    assert objection.state == ObjectionState.ACCEPTED and objection.handling_deadline is not None
    before = snapshot()
    page = client.post(reverse("notices:objection_accept", args=[objection.pk]), follow=True)
    assert "不能执行" in page.content.decode() and snapshot() == before
    # An internal note
    client.post(reverse("notices:objection_note", args=[objection.pk]), {"text": "已电话核实身份"})
    assert "已电话核实身份" in client.get(url).content.decode()
    # Ask the lead unit; it answers, seeing the grounds and not the objector
    deadline = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("notices:objection_ask", args=[objection.pk]), {"question": "请说明业绩", "deadline": deadline})
    request = ResponseRequest.objects.get()
    objection.refresh_from_db()
    assert objection.state == ObjectionState.INVESTIGATING
    lead = User.objects.filter(organisation=apps[0].lead).first()
    client.force_login(lead)
    assert reverse("notices:response", args=[request.pk]) in client.get(reverse("notices:responses")).content.decode()
    body = client.get(reverse("notices:response", args=[request.pk])).content.decode()
    assert GROUNDS in body and not any(s in body for s in (SECRET_NAME, SECRET_ID, SECRET_PHONE, "来函.pdf"))
    page = client.post(reverse("notices:response", args=[request.pk]), {"answer": "业绩属实", "upload": pdf("合同.pdf")})
    assert page.status_code == 302
    request.refresh_from_db()
    assert request.answer == "业绩属实" and request.answer_file_name == "合同.pdf"
    page = client.post(reverse("notices:response", args=[request.pk]), {"answer": "改口"}, follow=True)
    assert "不能修改" in page.content.decode()
    request.refresh_from_db()
    assert request.answer == "业绩属实"
    # Staff read the answer and decide: upheld revokes, with a link to propose the next team
    client.force_login(organiser_staff)
    body = client.get(url).content.decode()
    assert "业绩属实" in body and "合同.pdf" in body
    client.post(reverse("notices:objection_decide", args=[objection.pk]), {"outcome": "upheld", "reply": "经核查，异议成立。"})
    objection.refresh_from_db()
    entry.refresh_from_db()
    assert objection.state == ObjectionState.UPHELD and entry.state == NoticeBangState.REVOKED
    body = client.get(url).content.decode()
    assert reverse("reviews:ranking", args=[bang.pk]) in body and "经核查，异议成立。" in body
    # The queue shows it, and filters
    queue = client.get(reverse("notices:queue"), {"state": "upheld", "q": objection.number[-6:]}).content.decode()
    assert objection.number in queue
    assert objection.number not in client.get(reverse("notices:queue"), {"state": "filed"}).content.decode()
    assert objection.number not in client.get(reverse("notices:queue"), {"overdue": "1"}).content.decode()


def test_refusing_to_accept_needs_a_ground_and_a_reply(client, organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    entry = publish(bang_list, organiser_staff).entries.get()
    objection = services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=OBJECTOR, grounds=GROUNDS)
    client.force_login(organiser_staff)
    url = reverse("notices:objection_refuse", args=[objection.pk])
    client.post(url, {"ground": "late"})
    objection.refresh_from_db()
    assert objection.state == ObjectionState.FILED
    client.post(url, {"ground": "no_grounds", "reply": "未提供具体理由"})
    objection.refresh_from_db()
    assert objection.state == ObjectionState.REFUSED and objection.refusal_ground == "no_grounds"


def _objections(entry, n, start=0):
    for i in range(start, start + n):
        services.objection_file(entry=entry, kind=ObjectorKind.PERSON,
                                data={**OBJECTOR, "mobile": f"1390000{i:04d}"}, grounds=f"理由{i}")


def test_the_queue_takes_the_same_queries_at_two_sizes(client, organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    entry = publish(bang_list, organiser_staff).entries.get()
    client.force_login(organiser_staff)
    url = reverse("notices:queue")
    _objections(entry, 2)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _objections(entry, 12, start=2)
    Objection.objects.filter(pk__in=list(Objection.objects.values_list("pk", flat=True)[:5])).update(
        state=ObjectionState.ACCEPTED, handling_deadline=timezone.now() - datetime.timedelta(days=1))
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert page.status_code == 200 and page.content.decode().count("table-danger") == 5
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_the_queue_shows_only_the_users_organiser(client, organiser_staff, other_organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    entry = publish(bang_list, organiser_staff).entries.get()
    _objections(entry, 1)
    number = Objection.objects.get().number
    client.force_login(other_organiser_staff)
    assert number not in client.get(reverse("notices:queue")).content.decode()
    client.force_login(organiser_staff)
    assert number in client.get(reverse("notices:queue")).content.decode()


def test_handling_reminders_once_before_and_once_after_the_deadline(organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    entry = publish(bang_list, organiser_staff).entries.get()
    objection = services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=OBJECTOR, grounds=GROUNDS)
    services.objection_accept(objection=objection, by=organiser_staff)
    now = timezone.now()
    Objection.objects.filter(pk=objection.pk).update(handling_deadline=now + datetime.timedelta(hours=2))
    assert tasks.handling_reminders_send(now=now) == 1
    assert tasks.handling_reminders_send(now=now) == 0
    later = now + datetime.timedelta(hours=3)
    assert tasks.handling_reminders_send(now=later) == 1
    assert tasks.handling_reminders_send(now=later + datetime.timedelta(days=1)) == 0
    keys = set(Notification.objects.filter(recipient=organiser_staff).values_list("event_key", flat=True))
    assert {f"objection:{objection.pk}:handling-soon", f"objection:{objection.pk}:handling-overdue"} <= keys
    # Far from its deadline: nothing
    other = services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data={**OBJECTOR, "mobile": "13911112222"},
                                    grounds=GROUNDS + "（补充）")
    services.objection_accept(objection=other, by=organiser_staff)
    assert tasks.handling_reminders_send(now=now) == 0


def test_the_beat_schedule_runs_the_notice_tasks():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"notices.confirm_due", "notices.remind_handling"} <= tasks_scheduled
    assert tasks.confirm_due.name == "notices.confirm_due"


def test_the_approval_notice_is_a_pdf_after_confirmation(client, organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    notice = publish(bang_list, organiser_staff)
    entry = notice.entries.get()
    award = Award.objects.get(decision=entry.decision)
    client.force_login(organiser_staff)
    url = reverse("notices:approval_pdf", args=[award.pk])
    assert client.get(url).status_code == 404  # not confirmed yet
    services.notice_bang_confirm(entry=entry, at=notice.ends_at + datetime.timedelta(seconds=1))
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    award.refresh_from_db()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert award.project_number in text and "任务书" in text


def test_a_refused_reply_comes_back_with_its_error_and_its_text(client, organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    entry = publish(bang_list, organiser_staff).entries.get()
    objection = services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=OBJECTOR, grounds=GROUNDS)
    services.objection_accept(objection=objection, by=organiser_staff)
    client.force_login(organiser_staff)
    page = client.post(reverse("notices:objection_decide", args=[objection.pk]),
                       {"outcome": "dismissed", "reply": "经核查" + "长" * 5000})
    assert page.status_code == 200
    body = page.content.decode()
    assert "经核查长长" in body and "invalid-feedback" in body
    objection.refresh_from_db()
    assert objection.state == ObjectionState.ACCEPTED and objection.reply == ""


def test_a_letter_received_in_time_is_recorded_late_but_a_late_letter_is_not(client, organiser_staff, proposed):  # noqa: F811
    bang_list, bang, apps = proposed
    notice = publish(bang_list, organiser_staff)
    entry = notice.entries.get()
    Notice.objects.filter(pk=notice.pk).update(published_at=timezone.now() - datetime.timedelta(days=6),
                                               ends_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(organiser_staff)
    url = reverse("notices:record", args=[notice.pk])
    data = {"entry": str(entry.pk), "kind": "person", "name": SECRET_NAME, "id_number": SECRET_ID,
            "mobile": SECRET_PHONE, "grounds": GROUNDS}
    late = timezone.localtime() - datetime.timedelta(minutes=30)
    page = client.post(url, {**data, "scan": pdf("来函.pdf"), "received_at": late.strftime("%Y-%m-%dT%H:%M:%S")})
    assert page.status_code == 200 and "公示期已于" in page.content.decode() and not Objection.objects.exists()
    in_time = timezone.localtime() - datetime.timedelta(hours=2)
    page = client.post(url, {**data, "scan": pdf("来函.pdf"), "received_at": in_time.strftime("%Y-%m-%dT%H:%M:%S")})
    assert page.status_code == 302 and Objection.objects.get().source == "paper"
