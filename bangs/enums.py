from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class BangKind(models.TextChoices):
    TACKLING = "tackling", _("技术攻关类")
    TRANSFER = "transfer", _("成果转化类")


# Subsidy: at most 30% of total R&D investment, capped per kind (shared/DOMAIN.md).
SUBSIDY_RATE = Decimal("0.30")
SUBSIDY_CAPS = {BangKind.TACKLING: Decimal("1000"), BangKind.TRANSFER: Decimal("500")}


class BangListState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")
    REVIEWING = "reviewing", _("评审中")
    NOTICED = "noticed", _("公示中")
    CONCLUDED = "concluded", _("已结束")


LIST_TRANSITIONS: dict[str, set[str]] = {
    BangListState.DRAFT: {BangListState.PUBLISHED},
    BangListState.PUBLISHED: {BangListState.WITHDRAWN, BangListState.REVIEWING},
    BangListState.REVIEWING: {BangListState.NOTICED},
    BangListState.NOTICED: {BangListState.CONCLUDED},
    BangListState.WITHDRAWN: set(),
    BangListState.CONCLUDED: set(),
}


class AttachmentKind(models.TextChoices):
    INTEGRITY = "integrity", _("科研诚信承诺书")
    JOINT_AGREEMENT = "joint_agreement", _("联合协议（联合体申报）")
    FINANCIALS = "financials", _("近两年企业年度财务报表")
    FUND_MATCHING = "fund_matching", _("企业资金匹配承诺书")
    MANAGEMENT_RULES = "management_rules", _("科技项目和经费管理制度")
    OTHER = "other", _("其他")


class AttachmentCondition(models.TextChoices):
    ALWAYS = "always", _("所有申报")
    CONSORTIUM = "consortium", _("联合体申报时")
    ENTERPRISE_LEAD = "enterprise_lead", _("企业牵头时")


DEFAULT_CHECKLIST = [
    # (kind, required, condition) — seeds 000 and 002; each list may change them.
    (AttachmentKind.INTEGRITY, True, AttachmentCondition.ALWAYS),
    (AttachmentKind.JOINT_AGREEMENT, True, AttachmentCondition.CONSORTIUM),
    (AttachmentKind.FINANCIALS, True, AttachmentCondition.ENTERPRISE_LEAD),
    (AttachmentKind.FUND_MATCHING, True, AttachmentCondition.ENTERPRISE_LEAD),
    (AttachmentKind.MANAGEMENT_RULES, False, AttachmentCondition.ALWAYS),
]

DEFAULT_CONDITIONS = [
    "揭榜方应为我国境内注册的具有独立法人资格的高校、科研机构、科技型企业或其组成的联合体，具有较强的研发团队、科研条件和自主研发能力，项目负责人在相关领域内具有较高技术水平，有能力完成榜单任务。",
    "揭榜方应针对榜单要求提出具体解决关键技术的实施方案，掌握自主知识产权，且须完成全部预期目标。",
    "项目（课题）负责人每年用于项目的工作时间不少于6个月；实行首席科学家负责制，揭榜方应确定1名领军型科研人员作为首席科学家。",
    "揭榜方须联合相关高校、科研院所、企业等共同组织项目实施的，牵头单位应与成员单位签署具有法律效力的联合协议。",
    "企业牵头揭榜的，应具有完成项目所需的资金配套能力，申报时须提供近2年企业年度财务报表，并签署企业资金匹配承诺书。",
    "揭榜方应签订科研诚信承诺书，科研诚信记录良好，未被列入失信被执行人名单，不得提交有涉密内容的申请材料。",
]

DEFAULT_PROCESS = """1.揭榜申报。揭榜方在申报截止时间前登录本平台，在线填写“揭榜挂帅”项目实施方案并提交有关资料。
2.推荐报送。各旗县市区科技管理部门、主管部门对本地区本单位的揭榜单位及申报材料进行初审，在推荐截止时间前完成推荐。
3.遴选评审。申报截止后，组织专家对揭榜实施方案可行性等进行充分论证，遴选确定揭榜方。对于面向不同技术路线的可采取“赛马制”的方式，支持多支研发团队平行攻关。
4.揭榜公示。根据评审情况提出拟立项结果，向全社会公示。
5.签署“军令状”。公示无异议后，组织签署“军令状”及任务书，拨付项目资金。"""
