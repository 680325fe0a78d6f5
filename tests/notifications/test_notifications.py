import pytest
from django.core import mail
from django.urls import reverse

from demands import services
from notifications.models import Notification
from notifications.services import notification_send
from notifications.tasks import send_notification_email, send_pending_emails

pytestmark = pytest.mark.django_db


def test_submit_tells_department_staff_only(demand, alice, staff, other_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.demand_submit(demand=demand, by=alice)
    assert Notification.objects.filter(recipient=staff).count() == 1
    assert Notification.objects.filter(recipient=other_staff).count() == 0
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert demand.name in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("action", "phrase"),
    [("accept", "已通过审核"), ("return", "被退回修改"), ("reject", "未通过审核")],
)
def test_enterprise_is_told_of_each_decision(demand, alice, staff, action, phrase, django_capture_on_commit_callbacks):
    services.demand_submit(demand=demand, by=alice)
    mail.outbox.clear()
    service = {"accept": services.demand_accept, "return": services.demand_return, "reject": services.demand_reject}[action]
    kwargs = {} if action == "accept" else {"reason": "请补充数据"}
    with django_capture_on_commit_callbacks(execute=True):
        service(demand=demand, by=staff, **kwargs)
    note = Notification.objects.get(recipient=alice)
    assert phrase in note.title
    assert len(mail.outbox) == 1 and phrase in mail.outbox[0].subject


def test_notification_task_run_twice_sends_once(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [pk] = notification_send(recipients=[alice], event_key="test:1", title="测试消息")
    assert len(mail.outbox) == 1
    send_notification_email.apply(args=[pk])
    send_notification_email.apply(args=[pk])
    send_pending_emails.apply()
    assert len(mail.outbox) == 1


def test_same_event_twice_creates_one_message(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[alice], event_key="demand:1:accepted:9", title="已通过")
        notification_send(recipients=[alice, alice], event_key="demand:1:accepted:9", title="已通过")
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert len(mail.outbox) == 1


def test_sweep_sends_mail_whose_task_was_never_queued(alice):
    note = Notification.objects.create(recipient=alice, event_key="lost:1", title="丢失的任务")
    Notification.objects.filter(pk=note.pk).update(created_at=note.created_at.replace(year=2020))
    assert send_pending_emails.apply().result == 1
    assert len(mail.outbox) == 1
    assert send_pending_emails.apply().result == 0


def test_inbox_badge_and_open_marks_read(client, alice, bob):
    note = Notification.objects.create(recipient=alice, event_key="x", title="您的需求已通过", url="/demands/")
    client.force_login(alice)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'data-testid="inbox-badge">1<' in page
    assert "您的需求已通过" in page
    client.force_login(bob)
    assert client.post(reverse("notifications:open", args=[note.pk])).status_code == 404
    assert "您的需求已通过" not in client.get(reverse("notifications:inbox")).content.decode()
    client.force_login(alice)
    response = client.post(reverse("notifications:open", args=[note.pk]))
    assert response.url == "/demands/"
    assert 'data-testid="inbox-badge"' not in client.get(reverse("notifications:inbox")).content.decode()


@pytest.mark.parametrize("rows", [2, 15])
def test_inbox_query_count_constant(client, alice, django_assert_max_num_queries, rows):
    for i in range(rows):
        Notification.objects.create(recipient=alice, event_key=f"k{i}", title=f"消息{i}")
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        client.get(reverse("notifications:inbox"))
