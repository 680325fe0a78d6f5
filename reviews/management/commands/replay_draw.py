"""Recompute a panel draw from its record and say whether it matches: exit 0 on a match, 1 otherwise."""

from django.core.management.base import BaseCommand, CommandError

from reviews.models import PanelDraw
from reviews.services import replay


class Command(BaseCommand):
    help = "重放专家抽取：按记录的随机种子和候选名单重新计算，核对评审组与候补顺序。"

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="抽取记录编号")
        parser.add_argument("--all", action="store_true", help="核对全部抽取记录")

    def handle(self, *args, ids, all, **options):
        if all:
            records = PanelDraw.objects.order_by("pk")
        elif ids:
            records = PanelDraw.objects.filter(pk__in=ids).order_by("pk")
            missing = set(ids) - set(records.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"没有编号为 {', '.join(map(str, sorted(missing)))} 的抽取记录")
        else:
            raise CommandError("请给出抽取记录编号，或使用 --all")
        mismatches = 0
        for record in records.select_related("bang"):
            matches, again = replay(record)
            label = f"#{record.pk} {record.bang.number}. {record.bang.title} seed={record.seed}"
            if matches:
                self.stdout.write(f"一致 {label} 评审组={list(again.panel)} 候补={list(again.reserve)}")
            else:
                mismatches += 1
                self.stdout.write(f"不一致 {label} 记录评审组={record.panel} 重算={list(again.panel)} "
                                  f"记录候补={record.reserve} 重算={list(again.reserve)}")
        if mismatches:
            raise SystemExit(1)
