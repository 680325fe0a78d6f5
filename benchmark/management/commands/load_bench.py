"""Load the data set of `make bench` (issue 9) into an empty, migrated database.

    manage.py load_bench [--bangs 2000 --lists 100 --demands 1000 --applications 1000
                          --assignments 200 --crush 1000] [--sweep-rows 20000] [--out var/bench/manifest.json]
    manage.py load_bench --crush-only --out var/bench/crush.json     # a fresh crush set, for a second run
    manage.py load_bench --sweeps-only --sweep-rows 20000            # the sweep set, on a loaded database

Refuses a database that already holds lists, unless --crush-only or --sweeps-only: the bench measures a
known data set, not whatever a database happens to hold. The manifest is JSON: the bench users'
session keys, the ids of the pages to measure, and the crush drafts with their owners' sessions.
"""

import datetime
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from bangs.models import BangList
from benchmark.data import Loader


class Command(BaseCommand):
    help = "Load the benchmark data set (issue 9) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--lists", type=int, default=100)
        parser.add_argument("--bangs", type=int, default=2000)
        parser.add_argument("--demands", type=int, default=1000)
        parser.add_argument("--applications", type=int, default=1000)
        parser.add_argument("--assignments", type=int, default=200)
        parser.add_argument("--crush", type=int, default=1000, help="complete drafts on the crush list")
        parser.add_argument("--crush-deadline", type=int, default=3600,
                            help="seconds from now to the crush list's deadline (the bench re-arms it)")
        parser.add_argument("--sweep-rows", type=int, default=0, help="rows of each sweep's set (0: none)")
        parser.add_argument("--crush-only", action="store_true", help="only add a fresh crush set")
        parser.add_argument("--sweeps-only", action="store_true", help="only add the sweep set")
        parser.add_argument("--out", default="", help="write the manifest (JSON) here")

    def handle(self, *args, **o):
        started = time.monotonic()
        adding = o["crush_only"] or o["sweeps_only"]
        if not adding and BangList.objects.exists():
            raise CommandError(
                "load_bench loads into an empty, migrated database, and this one already holds lists. "
                "`make bench` creates a throwaway one; to add a fresh crush set use --crush-only."
            )
        if adding and not User.objects.filter(username__startswith="bench_staff_").exists():
            raise CommandError("--crush-only and --sweeps-only add to a database that load_bench loaded first.")
        loader = Loader(log=lambda msg: self.stdout.write(msg))
        with transaction.atomic():
            if adding:
                loader.reuse_base()
            else:
                loader.base()
                lists = loader.lists(n_bangs=o["bangs"], n_lists=o["lists"])
                loader.demands(o["demands"], assignments=o["assignments"])
                self.stdout.write(f"  lists, bangs, demands: {time.monotonic() - started:.0f} s")
                loader.applications(o["applications"], lists[0])
            if o["crush"] and not o["sweeps_only"]:
                deadline = timezone.now() + datetime.timedelta(seconds=o["crush_deadline"])
                loader.manifest["crush"] = loader.crush(o["crush"], deadline=deadline)
            if o["sweep_rows"] and not o["crush_only"]:
                loader.sweeps(o["sweep_rows"])
        if o["out"]:
            path = Path(o["out"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(loader.manifest, ensure_ascii=False))
        counts = ", ".join(f"{k} {v}" for k, v in loader.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Bench data loaded in {time.monotonic() - started:.0f} s: {counts}."))
