"""The review's paper: the ranking sheet (Excel) and the panel's opinion (专家组意见, PDF)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from applications.exports import _safe


def ranking_workbook(bang_rows, out) -> None:
    """One sheet for the list: per bang, its applications in rank order with the score statistics and
    the issuing enterprise's opinion. Expert identities are not in it (staff see them on the page)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("评审排名"))
    ws.append([_("评审排名表"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    header = [_("榜单序号"), _("技术榜"), _("排名"), _("牵头单位"), _("技术路线"), _("得分"), _("评分份数"),
              _("最低分"), _("最高分"), _("标准差"), _("分歧提示"), _("推荐"), _("修改后推荐"), _("不推荐"),
              _("发榜方意见"), _("发榜方理由")]
    ws.append(header)
    for bang, rows in bang_rows:
        for row in rows:
            s = row.summary
            opinion = row.opinion
            ws.append([
                bang.number, _safe(ws, bang.title), row.rank, _safe(ws, row.lead_name), _safe(ws, row.route_label),
                s.score, s.count, s.minimum, s.maximum, s.stdev, _("是") if s.divergent else "",
                row.recommendations.get("recommend", 0), row.recommendations.get("after_changes", 0),
                row.recommendations.get("reject", 0),
                "" if opinion is None else (_("愿意合作") if opinion.willing else _("不愿意合作")),
                "" if opinion is None else _safe(ws, opinion.reason),
            ])
    wb.save(out)

