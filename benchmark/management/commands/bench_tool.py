"""In-process helpers of scripts/bench.py (issue 9); each prints one JSON object.

    manage.py bench_tool arm LIST_ID SECONDS     # the crush list's deadline, SECONDS from now
    manage.py bench_tool report LIST_ID          # the crush list's deadline and its versions' times
    manage.py bench_tool sweep TASK_NAME         # run a beat task twice: time, queries, RSS growth
    manage.py bench_tool export LIST_ID          # the 项目汇总表 .xlsx of a list, in this process
    manage.py bench_tool pdf                     # the 需求表 and receipt PDFs, first and steady

A figure that runs past --timeout stops there and reports how far it got.
"""

import json
import resource
import signal
import statistics
import time

from django.core.management.base import BaseCommand


class TimedOut(Exception):
    pass


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class QueryCount:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


class Command(BaseCommand):
    help = "Helpers of the benchmark (scripts/bench.py)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["arm", "report", "sweep", "export", "pdf"])
        parser.add_argument("values", nargs="*")
        parser.add_argument("--timeout", type=int, default=60)

    def handle(self, *args, **options):
        action, values, timeout = options["action"], options["values"], options["timeout"]
        def alarm(signum, frame):
            raise TimedOut

        signal.signal(signal.SIGALRM, alarm)
        self.timeout = timeout
        result = getattr(self, action)(*values)
        self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))

    def arm(self, list_id, seconds):
        from benchmark.data import crush_arm

        return {"deadline": crush_arm(list_id=int(list_id), seconds=int(seconds)).isoformat()}

    def report(self, list_id):
        from benchmark.data import crush_report

        return crush_report(list_id=int(list_id))

    def timed(self, fn):
        """(seconds, queries, RSS growth in MB, finished) of fn(), stopped at the timeout."""
        from django.db import connection

        counter = QueryCount()
        before = rss_mb()
        started = time.monotonic()
        finished = True
        signal.alarm(self.timeout)
        try:
            with connection.execute_wrapper(counter):
                fn()
        except TimedOut:
            finished = False
        finally:
            signal.alarm(0)
        return {"seconds": round(time.monotonic() - started, 3), "queries": counter.n,
                "rss_mb": round(rss_mb() - before, 1), "finished": finished}

    def sweep(self, name):
        from jiebang.celery import app

        app.loader.import_default_modules()
        task = app.tasks[name]
        first = self.timed(task)
        repeat = self.timed(task) if first["finished"] else None
        return {"first": first, "repeat": repeat}

    def _staff_request(self, path):
        from django.test import RequestFactory

        from accounts.models import User

        request = RequestFactory().get(path)
        request.user = User.objects.get(username__startswith="bench_staff_")
        request.session = {}
        return request

    def export(self, list_id):
        from applications.models import Application
        from applications.views import list_summary_export

        rows = Application.objects.filter(bang__bang_list_id=int(list_id)).exclude(state="draft").count()
        request = self._staff_request(f"/applications/lists/{list_id}/summary.xlsx")
        size = {}
        result = self.timed(lambda: size.setdefault("bytes", len(b"".join(list_summary_export(request, pk=int(list_id)).streaming_content))))
        return {"rows": rows, **result, **size}

    def pdf(self):
        from applications.models import ApplicationVersion
        from applications.views import receipt_pdf
        from demands.models import Demand
        from demands.views import demand_pdf_download

        staff_request = self._staff_request
        demand = Demand.objects.filter(state="submitted", field__name="能源资源").order_by("pk").first()
        version = ApplicationVersion.objects.order_by("pk").first()
        out = {}
        for name, view, pk in (("demand", demand_pdf_download, demand.pk), ("receipt", receipt_pdf, version.pk)):
            times, size = [], 0
            for _ in range(6):
                started = time.monotonic()
                size = len(view(staff_request("/"), pk=pk).content)
                times.append(time.monotonic() - started)
            out[name] = {"first_ms": round(times[0] * 1000), "steady_ms": round(statistics.median(times[1:]) * 1000),
                         "kb": round(size / 1024)}
        return out
