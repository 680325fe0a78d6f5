"""Render and sign one task book with 10 indicators, 8 milestones and 6 partners, seven times.

    .venv/bin/python scripts/bench_taskbook.py [runs]

Prints the first run (fonts and signer loading), the median of the others' render + sign, and the
signed PDF's size, in the `BENCH <name> <value> <goal> <ok|short>` lines of scripts/bench.py; exits
1 if a figure is short. No database: the task book is an unsaved object with its content in memory.
Signs with SIGNING_KEY_FILE / SIGNING_CERT_FILE if set, otherwise with a demo pair in a temporary
directory (not var/). A timing is not a test, so this is not in `make test`.
"""

import datetime
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiebang.settings")
os.environ.setdefault("DEBUG", "1")

GOAL_SECONDS = 1.5
GOAL_BYTES = 1024 * 1024


def content() -> dict:
    from contracts import content as rules_of

    start = datetime.date(2026, 12, 1)
    end = rules_of.add_months(start, 36) - datetime.timedelta(days=1)
    indicators = [{"key": f"b{i}", "name": f"峰值推力密度指标{i}", "target": f"≥{100 + i * 5}", "unit": "N/kg",
                   "test_method": "由发榜企业在其生产线上按GB/T 30549进行连续72小时实测", "bang_target": f"≥{100 + i * 5}",
                   "committed": "", "confirmed": ""} for i in range(1, 11)]
    partners = [{"name": f"内蒙古第{i}联合研究院有限公司", "credit_code": f"91150207MA10000{i:02d}X", "role": "参与单位",
                 "work_share": f"{5 + i}%"} for i in range(1, 7)]
    schedule = [{"due_date": rules_of.add_months(start, 4 * i).isoformat(), "goal": f"第{i}阶段：完成样机设计、试制与台架测试",
                 "indicator": f"指标{i}"} for i in range(1, 9)]
    staffing = [{"name": f"成员{i}", "unit": partners[i % 6]["name"], "title": "研究员", "months": 8,
                 "role": "chief" if i == 0 else "lead" if i == 1 else "member"} for i in range(12)]
    budget = [{"category": c, "subsidy": "120.00", "enterprise": "300.00", "self_raised": "50.00", "other": "0.00"}
              for c in rules_of.CATEGORIES]
    data = {
        "schema": rules_of.SCHEMA,
        "project": {"number": "NMKJ-JBGS-2026-042", "name": "高推力密度永磁同步直线电机研制", "list": "2026年第一批揭榜挂帅榜单",
                    "bang_number": 7, "bang_title": "高推力密度永磁同步直线电机研制", "kind": "技术攻关类",
                    "racehorse": False, "route": "", "start": start.isoformat(), "end": end.isoformat(), "period_months": 36},
        "parties": {"organiser": {"name": "内蒙古自治区科学技术厅", "credit_code": "11150000011513375T"},
                    "lead": {"name": "哈尔滨工业大学", "credit_code": "12100000401780042J", "address": "哈尔滨市南岗区西大直街92号",
                             "legal_rep": "张三"},
                    "issuers": [{"name": "包头长安永磁电机有限公司", "credit_code": "91150207MA0N000001"}],
                    "partners": partners},
        "objectives": "研制高推力密度永磁同步直线电机样机，" * 30,
        "route": "采用分段斜极与模块化绕组，" * 40,
        "indicators": indicators, "field_test": "样机在发榜企业生产线上连续运行72小时，各项指标由第三方检测机构见证测试。",
        "schedule": schedule, "staffing": staffing, "budget": budget,
        "subsidy": str(120 * len(budget)) + ".00", "investment": "2100.00",
        "disbursement": rules_of.default_tranches(rules_of.money(120 * len(budget))),
        "ip": "项目形成的知识产权归牵头单位与发榜企业共有。", "benefit": "成果转化收益按出资比例分配。",
    }
    data["order"] = {"text": rules_of.order_text(rules_of.DEFAULT_ORDER, data, 3), "bar_years": 3}
    return data


def main() -> int:
    import django

    django.setup()
    from django.conf import settings

    from contracts.enums import PartyKind
    from contracts.fingerprint import fingerprint
    from contracts.models import SigningParty, TaskBook
    from contracts.pdf import render_task_book
    from contracts.signing import sign_pdf

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    if not settings.SIGNING_KEY_FILE:
        settings.VAR_DIR = Path(tempfile.mkdtemp(prefix="bench-taskbook-"))
    data = content()
    task_book = TaskBook(content=data, project_number=data["project"]["number"], project_name=data["project"]["name"],
                         fingerprint=fingerprint(data))
    parties = [SigningParty(kind=PartyKind.LEAD, name=data["parties"]["lead"]["name"]),
               SigningParty(kind=PartyKind.ISSUER, name=data["parties"]["issuers"][0]["name"]),
               SigningParty(kind=PartyKind.ORGANISER, name=data["parties"]["organiser"]["name"])]
    parties += [SigningParty(kind=PartyKind.PARTNER, name=p["name"]) for p in data["parties"]["partners"]]
    timings, renders = [], []
    for _ in range(runs + 1):  # the first run loads the fonts and the signer: reported, not counted
        began = time.perf_counter()
        unsigned = render_task_book(task_book, parties)
        rendered = time.perf_counter()
        pdf = sign_pdf(unsigned)
        timings.append(time.perf_counter() - began)
        renders.append(rendered - began)
    median = statistics.median(timings[1:])
    from pypdf import PdfReader  # dev-only, as the benchmark is

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"BENCH taskbook_first_run_s {timings[0]:.3f} - -")
    print(f"BENCH taskbook_render_median_s {statistics.median(renders[1:]):.3f} - -")
    print(f"BENCH taskbook_render_sign_median_s {median:.3f} {GOAL_SECONDS} {'ok' if median <= GOAL_SECONDS else 'short'}")
    print(f"BENCH taskbook_pdf_bytes {len(pdf)} {GOAL_BYTES} {'ok' if len(pdf) <= GOAL_BYTES else 'short'}")
    print(f"BENCH taskbook_pages {pages} - -")
    return 0 if median <= GOAL_SECONDS and len(pdf) <= GOAL_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
