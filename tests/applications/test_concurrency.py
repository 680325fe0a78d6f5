"""Two submits at the same moment (double click, two tabs) make one submission. Needs real row
locks, so it runs on PostgreSQL (CI); SQLite serialises whole transactions differently."""

import threading

import pytest
from django.db import connection

from applications import services
from core.exceptions import DomainError

from ..factories import make_bang_list
from .helpers import fill, make_applicant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL (CI)")
def test_concurrent_double_submit_makes_one_version(organiser_staff):
    from importlib import import_module

    from django.apps import apps

    import_module("demands.migrations.0002_default_fields").load_fields(apps, None)
    bang_list = make_bang_list(by=organiser_staff)
    carol = make_applicant()
    application = fill(services.application_start(bang=bang_list.bangs.get(), by=carol), carol)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        from django.db import connections

        barrier.wait()
        try:
            services.application_submit(application=application, by=carol, expected_versions=0)
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes)[0] == "ok" and len(outcomes) == 2
    assert outcomes.count("ok") == 1
    assert application.versions.count() == 1
