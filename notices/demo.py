"""Demo public notices (issue 11) on the 2023 rare-earth list, whose review reviews/demo.py leaves with
two proposed awards:

- the racehorse motor bang (two teams, two routes): a notice published two weeks before loading,
  ended with no objection, so its awards are confirmed by `notices_confirm_due` (project numbers,
  both applications 中榜/立项);
- the pigment bang: a notice running now (it ends a period after loading), with one objection from a
  member of the public accepted by the organiser's staff, who have asked the lead unit (哈尔滨工业大学)
  for a written response; the objection stays 调查核实中 and holds the award back.

The 鄂尔多斯 list stays in expert review (its scoring and 高专家's invitation are part of that demo), so
the running notice is the rare-earth list's second batch rather than a 鄂尔多斯 one.

Idempotent: nothing is done when the rare-earth list already has a notice. Periods are moved into the
past by setting the timestamps directly, as the other demo modules do."""

from bangs.demo import days_ahead
from bangs.models import BangList
from reviews.demo import RARE_EARTH
from reviews.enums import DecisionState
from reviews.models import BangDecision

from . import services
from .enums import ObjectorKind
from .models import Notice, NoticeBang
from .period import notice_end
from .validators import id_check_character

BASIS = (
    "依据《内蒙古自治区“揭榜挂帅”科技项目管理办法》，本榜单经公开发榜、揭榜申报、形式审查和推荐、"
    "专家评审（评审组随机抽取，回避有利害关系的专家）及发榜企业合作意见，拟定以下揭榜结果，现予公示。"
)
HOW_TO_OBJECT = (
    "对公示内容有异议的，请在公示期内通过本平台“提出异议”以实名方式提交，或以书面形式寄送"
    "内蒙古稀土新材料技术创新中心（包头市稀土高新区，邮编014030）。个人须提供姓名、身份证号码和联系电话；"
    "单位须提供加盖公章并由法定代表人签字的异议函。匿名、冒名或逾期提出的异议不予受理。"
)

# A fictional member of the public (the ID number's check character is computed, so it validates).
_ID17 = "15010219850312123"
OBJECTOR = {
    "name": "张明远",
    "id_number": _ID17 + id_check_character(_ID17),
    "mobile": "13704710021",
    "email": "zhangmingyuan@example.com",
}
GROUNDS = (
    "拟揭榜团队申报材料中“耐温不低于1000℃”的小试数据，与其此前公开发表论文中的样品数据一致，"
    "疑似并非采用本次申报的溶胶-凝胶包覆路线取得。请核实其小试数据的来源和真实性。"
)
QUESTION = (
    "有异议反映，贵单位申报材料中耐温1000℃的小试数据可能并非采用本次申报的溶胶-凝胶包覆路线取得。"
    "请就该数据的样品制备方法、测试时间和测试机构作出书面说明，并附原始测试报告。"
)


def load_demo_notices(*, users: dict, units: dict) -> int:
    bang_list = BangList.objects.filter(title=RARE_EARTH).first()
    if bang_list is None or Notice.objects.filter(bang_list=bang_list).exists():
        return 0
    proposed = {d.bang.title: d.bang for d in BangDecision.objects.filter(
        bang__bang_list=bang_list, state=DecisionState.PROPOSED).select_related("bang")}
    motor, pigment = proposed.get("高推力密度永磁同步直线电机研制"), proposed.get("稀土环保颜料耐高温关键技术")
    if motor is None or pigment is None:
        return 0
    staff = users["staff_rare"]
    created = 0

    # The motor bang: published two weeks ago, ended with no objection, confirmed.
    ended = services.notice_publish(
        bang_list=bang_list, by=staff, bang_ids=[motor.pk], confirm_warnings=True, basis=BASIS,
        how_to_object=HOW_TO_OBJECT, title="稀土科技创新重大示范工程“揭榜挂帅”项目揭榜结果公示（第一批）")
    published = days_ahead(-15).replace(hour=9, minute=0, second=0)
    end = notice_end(published, unit=ended.period_unit, days=ended.period_days)
    Notice.objects.filter(pk=ended.pk).update(published_at=published, ends_at=end.end_of_day(),
                                              calendar_warnings=end.warnings)
    services.notices_confirm_due()
    created += 1

    # The pigment bang: running now, with an objection under investigation.
    running = services.notice_publish(
        bang_list=bang_list, by=staff, bang_ids=[pigment.pk], confirm_warnings=True, basis=BASIS,
        how_to_object=HOW_TO_OBJECT, title="稀土科技创新重大示范工程“揭榜挂帅”项目揭榜结果公示（第二批）")
    created += 1
    entry = NoticeBang.objects.get(notice=running, bang=pigment)
    objection = services.objection_file(entry=entry, kind=ObjectorKind.PERSON, data=OBJECTOR, grounds=GROUNDS)
    created += 1
    services.objection_accept(objection=objection, by=staff)
    # The lead unit (哈尔滨工业大学, login `applicant`) is to answer within four days.
    services.response_request(objection=objection, by=staff, question=QUESTION, deadline=days_ahead(4))
    created += 1
    return created
