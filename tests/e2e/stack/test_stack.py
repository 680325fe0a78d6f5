"""The stack a province would deploy, working as one (see conftest.py for what runs), and the faults
it has to survive: a worker killed mid-batch, Redis stopped, PostgreSQL restarted.

Every wait is on a condition (a mail at the SMTP server, a row in the database, a line in a
worker's log), never a sleep; "exactly once" is checked only after the periodic sweep that would
send a second copy has run again since (its runs are counted in the worker's log).
"""

import re
import signal
from collections import Counter

import pytest
from playwright.sync_api import expect

from ..conftest import fill_demand, login
from .conftest import wait_for
from .passwords import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.stack]

SWEEP = "notifications.send_pending_emails"


def settle(stack, task: str = SWEEP, runs: int = 2) -> None:
    """Wait until `task` has finished `runs` more times: whatever it would still send, it has sent."""
    start = stack.task_runs(task)
    wait_for(lambda: stack.task_runs(task) >= start + runs, what=f"{runs} more runs of {task}", timeout=120)


def test_demand_returned_mailed_once_badge_shown_and_beat_reminds_once(up, open_page):
    stack = up
    assert stack.health() == {"status": 200, "database": "ok", "broker": "ok"}

    # The enterprise files a demand and submits it.
    ent = open_page()
    login(ent, "stack_ent", PASSWORD)
    ent.goto("/demands/new/")
    ent.select_option("#id_round", label="2026年度揭榜挂帅需求征集（栈测试）")
    fill_demand(ent, name="栈测试：高推力密度直线电机", background="稀土永磁电机是稀土产业延链补链的重要领域。")
    ent.click("button[name=submit]")
    expect(ent.get_by_test_id("demand-state")).to_have_text("已提交")
    expect(ent.get_by_test_id("inbox-badge")).to_have_count(0)
    demand_url = ent.url

    # Staff return it with a reason.
    st = open_page()
    login(st, "stack_staff", PASSWORD)
    st.goto("/demands/queue/")
    st.get_by_role("link", name="栈测试：高推力密度直线电机").click()
    st.fill("#id_reason", "请补充推力密度的具体指标和测试方法。")
    st.click("button[name=action][value=return]")
    expect(st.get_by_text("已退回企业修改")).to_be_visible()

    # The enterprise's mail arrives at the SMTP server (through Redis, the worker, and SMTP).
    returned = wait_for(lambda: stack.sink.matching(to="enterprise@stack.test", subject="退回"),
                        what="the returned-demand e-mail at the SMTP server")
    assert "栈测试：高推力密度直线电机" in str(returned[0]["Subject"])
    assert f"{stack.url}/demands/" in returned[0].get_content()  # the link back, to the stack's own address
    # The inbox badge: none before, one unread message now, none once it is read.
    ent.goto(demand_url)
    expect(ent.get_by_test_id("inbox-badge")).to_have_text("1")
    ent.get_by_test_id("inbox-link").click()
    expect(ent.get_by_test_id("inbox")).to_contain_text("退回")
    with ent.expect_navigation():
        ent.get_by_test_id("inbox").get_by_role("button", name=re.compile("退回")).click()
    ent.goto(demand_url)
    expect(ent.get_by_test_id("inbox-badge")).to_have_count(0)

    # Beat's draft reminder (the seeded list closes in two days): it arrives, and only once however
    # often beat runs the reminder again.
    wait_for(lambda: stack.sink.count(to="applicant@stack.test", subject="尚未提交"),
             what="beat's draft reminder at the SMTP server")
    settle(stack, "applications.remind_drafts", runs=3)
    settle(stack)
    assert stack.sink.count(to="applicant@stack.test", subject="尚未提交") == 1
    assert stack.sink.count(to="enterprise@stack.test", subject="退回") == 1
    # The submission told the department's staff, once.
    assert stack.sink.count(to="staff@stack.test", subject="栈测试：高推力密度直线电机") == 1


def test_with_redis_stopped_a_submission_is_accepted_and_mailed_once_when_redis_is_back(up, open_page):
    stack = up
    application = stack.seeded["application"]
    stack.redis_stop()
    health = wait_for(lambda: (h := stack.health())["broker"] != "ok" and h, what="/healthz to report the broker down")
    # The site still serves: the database is up, only the broker is down.
    assert health["status"] == 200 and health["database"] == "ok" and health["broker"].startswith("error")

    ap = open_page()
    login(ap, "stack_app", PASSWORD)
    ap.goto(f"/applications/{application}/submit/")
    ap.get_by_role("button", name="确认提交").click()
    expect(ap.get_by_test_id("receipt-number")).to_contain_text("JB")
    # Durable: committed before the deadline, whatever the broker does.
    [(state, on_time)] = stack.sql(
        "SELECT a.state, v.submitted_at <= l.deadline FROM applications_application a "
        "JOIN applications_applicationversion v ON v.application_id = a.id "
        "JOIN bangs_bang b ON b.id = a.bang_id JOIN bangs_banglist l ON l.id = b.bang_list_id WHERE a.id = %s",
        application,
    )
    assert state == "submitted" and on_time is True
    # The organiser's staff have the message in their inbox, not yet mailed: nothing reached the broker.
    unsent = stack.sql(
        "SELECT n.id FROM notifications_notification n JOIN accounts_user u ON u.id = n.recipient_id "
        "WHERE u.username = 'stack_staff' AND n.event_key LIKE %s AND n.emailed_at IS NULL",
        f"application:{application}:%",
    )
    assert unsent, "the submission's notice should wait, unsent, for the broker"
    ap.reload()
    expect(ap.get_by_test_id("receipt-number")).to_contain_text("JB")

    stack.redis_start()
    wait_for(lambda: stack.health()["broker"] == "ok", what="/healthz to report the broker up again")
    # Beat reconnects and its sweep sends what was never published; the worker reconnects and sends it.
    wait_for(lambda: not stack.sql("SELECT 1 FROM notifications_notification WHERE id = ANY(%s) AND emailed_at IS NULL",
                                   [row[0] for row in unsent]),
             what="the unsent notice to be mailed after Redis is back", timeout=120)
    settle(stack)
    mailed = Counter(m["Message-ID"] for m in stack.sink.matching(to="staff@stack.test"))
    for (pk,) in unsent:
        assert sum(n for mid, n in mailed.items() if f"<notification-{pk}@" in mid) == 1


def test_a_worker_killed_mid_batch_leaves_every_message_sent_once(up):
    stack = up
    # No beat: what is delivered after the kill is the task itself, given out again by Redis because
    # it was never acknowledged, not the periodic sweep.
    stack.signal("beat", signal.SIGTERM)
    stack.sink.hold("batch@stack.test", after=5, loop=stack.sink_loop)
    assert stack.run(stack.python, "-m", "tests.e2e.stack.seed", "batch", "30").strip() == "30"

    # The SMTP server has accepted five and holds the sixth on the wire.
    wait_for(stack.sink.holding.is_set, what="the worker to be sending the sixth message of the batch")
    marked = stack.sql("SELECT count(*) FROM notifications_notification WHERE event_key LIKE 'stack:batch:%%' "
                       "AND emailed_at IS NOT NULL")[0][0]
    assert marked == 5 and stack.sink.count(to="batch@stack.test") == 5
    first = stack.generation["worker"]
    stack.signal("worker", signal.SIGKILL)
    stack.sink.release()
    # The task the killed worker took and never finished.
    log = stack.log("worker", first)
    [task_id] = [task for task in re.findall(r"Task notifications\.send_notification_emails\[([0-9a-f-]+)\] received", log)
                 if f"[{task}] succeeded" not in log]

    stack.worker_start()
    wait_for(lambda: stack.sink.count(to="batch@stack.test") >= 30, what="the rest of the batch after the restart",
             timeout=180)
    # The same task, redelivered to the new worker, finished the batch.
    assert f"send_notification_emails[{task_id}] received" in stack.log("worker")
    wait_for(lambda: f"send_notification_emails[{task_id}] succeeded" in stack.log("worker"),
             what="the redelivered task to finish")
    ids = Counter(m["Message-ID"] for m in stack.sink.matching(to="batch@stack.test"))
    assert len(ids) == 30 and set(ids.values()) == {1}
    assert stack.sql("SELECT count(*) FROM notifications_notification WHERE event_key LIKE 'stack:batch:%%' "
                     "AND emailed_at IS NULL")[0][0] == 0
    # With beat back and its sweep run twice more, still nothing twice.
    stack.beat_start()
    settle(stack)
    assert stack.sink.count(to="batch@stack.test") == 30


def test_a_database_restart_fails_cleanly_and_recovers_without_restarting_gunicorn(up, open_page):
    stack = up
    page = open_page()
    login(page, "stack_staff", PASSWORD)
    assert page.goto("/dashboard/").status == 200
    workers_before = stack.web_workers()

    stack.postgres_stop()
    response = page.goto("/dashboard/")
    assert response.status == 503 and response.headers.get("retry-after") == "30"
    expect(page.get_by_test_id("error-page")).to_contain_text("系统暂时无法使用")
    body = page.content()
    assert "Traceback" not in body and "OperationalError" not in body and "psycopg" not in body
    # A form post fails the same way, and the public pages too.
    status, body, _headers = stack.get("/bangs/")
    assert status == 503 and "系统暂时无法使用" in body and "Traceback" not in body
    health = stack.health()
    assert health["status"] == 503 and health["database"].startswith("error")

    stack.postgres_start()
    wait_for(lambda: page.goto("/dashboard/").status == 200, what="the dashboard to work again")
    expect(page.get_by_role("heading", name="我的工作台")).to_be_visible()
    assert stack.get("/bangs/")[0] == 200
    assert stack.health() == {"status": 200, "database": "ok", "broker": "ok"}
    # The same gunicorn workers served before and after: nothing was restarted.
    assert stack.web_workers() == workers_before
