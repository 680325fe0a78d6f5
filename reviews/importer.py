"""Import experts from an Excel sheet (专家库批量导入), and the template to fill in."""

import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from accounts.enums import OrganisationKind
from accounts.models import Organisation, Region, User
from accounts.validators import (
    normalize_credit_code,
    validate_credit_code,
    validate_mobile,
)
from core.exceptions import DomainError
from core.files import validate_upload
from core.services import activity_record
from demands.models import TechField

from .models import ExpertProfile
from .pool import _apply, _grant_expert, _new_username, _profile_new, _require_manager

MAX_ROWS = 2000
# The template's headers in Chinese; a sheet is accepted with these or with their translation in the
# page's language (a template downloaded in one language and uploaded in the other still imports).
HEADER_SOURCES = ["姓名", "手机", "电子邮箱", "工作单位", "统一社会信用代码", "单位所在地区代码", "职称", "技术领域",
                  "研究专长"]
HEADERS = [
    gettext_lazy("姓名"), gettext_lazy("手机"), gettext_lazy("电子邮箱"), gettext_lazy("工作单位"),
    gettext_lazy("统一社会信用代码"), gettext_lazy("单位所在地区代码"), gettext_lazy("职称"),
    gettext_lazy("技术领域"), gettext_lazy("研究专长"),
]
KEYS = ["name", "mobile", "email", "unit_name", "credit_code", "region_code", "title", "fields", "specialties"]
FIELD_SEPARATORS = re.compile(r"[、,，;；/\s]+")

CREATED, UPDATED, REFUSED = "created", "updated", "refused"
STATUS_LABELS = {CREATED: gettext_lazy("新建"), UPDATED: gettext_lazy("更新"), REFUSED: gettext_lazy("未导入")}


@dataclass
class RowResult:
    row: int  # the sheet's row number, as Excel shows it
    name: str
    status: str
    messages: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


class RowRefused(Exception):
    def __init__(self, *messages):
        super().__init__(*messages)
        self.messages = [str(m) for m in messages]


def template_workbook(out) -> None:
    """The import template: the headers and one example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("专家信息")
    ws.append([str(h) for h in HEADERS])
    first_field = TechField.objects.filter(is_active=True).values_list("name", flat=True).first() or ""
    ws.append([_("张三"), "13800000000", "zhangsan@example.com", _("内蒙古某某大学"), "12150000MB12345671",
               "150105", _("教授"), first_field, _("稀土永磁材料、电机控制")])
    for column, width in zip("ABCDEFGHI", (10, 14, 24, 28, 22, 16, 10, 20, 30), strict=True):
        ws.column_dimensions[column].width = width
    wb.save(out)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a mobile number typed into a number cell
    return str(value).replace("\x00", "").strip()


def read_rows(upload) -> list[tuple[int, dict]]:
    """The sheet's data rows as (row number, {key: text}); raises DomainError if the file is no
    xlsx, its headers are not the template's, or it has more than MAX_ROWS rows."""
    try:
        validate_upload(upload, allowed=("xlsx",))
    except ValidationError as error:
        raise DomainError(error.messages[0]) from error
    upload.seek(0)
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError) as error:
        raise DomainError(_("无法读取该文件，请使用下载的模板（.xlsx）填写后上传。")) from error
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise DomainError(_("文件中没有工作表。"))
        rows = ws.iter_rows(values_only=True)
        header = [_text(v) for v in next(rows, ())]
        expected = [str(h) for h in HEADERS]
        if header[:len(expected)] not in (expected, HEADER_SOURCES):
            raise DomainError(_("表头与模板不一致，应为：%(headers)s。") % {"headers": "、".join(expected)})
        found = []
        for number, values in enumerate(rows, start=2):
            cells = [_text(v) for v in values[:len(KEYS)]]
            if not any(cells):
                continue
            if len(found) == MAX_ROWS:
                raise DomainError(_("一次最多导入 %(n)d 行，请分批导入。") % {"n": MAX_ROWS})
            cells += [""] * (len(KEYS) - len(cells))
            found.append((number, dict(zip(KEYS, cells, strict=True))))
    finally:
        wb.close()
    if not found:
        raise DomainError(_("表中没有数据行。"))
    return found


def _check(values: dict, fields_by_name: dict) -> dict:
    """The row's values, checked; raises RowRefused with every problem found."""
    problems = []
    if not values["name"]:
        problems.append(_("缺少姓名"))
    try:
        validate_mobile(values["mobile"])
    except ValidationError:
        problems.append(_("手机号码无效：%(v)s") % {"v": values["mobile"] or "—"})
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            problems.append(_("电子邮箱无效：%(v)s") % {"v": values["email"]})
    if not values["unit_name"]:
        problems.append(_("缺少工作单位"))
    code = normalize_credit_code(values["credit_code"])
    try:
        validate_credit_code(code)
    except ValidationError as error:
        problems.append(_("统一社会信用代码无效（%(v)s）：%(why)s") % {"v": code or "—", "why": error.messages[0]})
    names = [n for n in FIELD_SEPARATORS.split(values["fields"]) if n]
    unknown = [n for n in names if n not in fields_by_name]
    if not names:
        problems.append(_("缺少技术领域"))
    elif unknown:
        problems.append(_("未知的技术领域：%(v)s") % {"v": "、".join(unknown)})
    if len(values["title"]) > 64 or len(values["specialties"]) > 300 or len(values["unit_name"]) > 200:
        problems.append(_("职称、研究专长或单位名称过长"))
    if problems:
        raise RowRefused(*problems)
    return {**values, "credit_code": code, "fields": [fields_by_name[n] for n in dict.fromkeys(names)]}


def _unit_for(values: dict) -> tuple[Organisation, str | None]:
    unit = Organisation.objects.filter(credit_code=values["credit_code"]).first()
    if unit is not None:
        return unit, None
    if not values["region_code"]:
        raise RowRefused(_("单位未注册，须填写单位所在地区代码"))
    region = Region.objects.filter(code=values["region_code"]).first()
    if region is None:
        raise RowRefused(_("未知的地区代码：%(v)s") % {"v": values["region_code"]})
    unit = Organisation.objects.create(name=values["unit_name"], credit_code=values["credit_code"],
                                       kind=OrganisationKind.OTHER, region=region, is_placeholder=True)
    return unit, _("单位未注册，已按代填单位登记：%(name)s") % {"name": unit.name}


def _import_row(values: dict, *, by: User) -> tuple[str, list[str]]:
    matches = list(User.objects.filter(mobile=values["mobile"])[:2])
    if len(matches) > 1:
        raise RowRefused(_("该手机号对应多个账号，请在页面上逐一维护"))
    unit, note = _unit_for(values)
    data = {"unit": unit, "title": values["title"], "fields": values["fields"],
            "specialties": values["specialties"], "phone": values["mobile"]}
    if values["email"]:
        data["email"] = values["email"]
    notes = [note] if note else []
    if matches:
        user = matches[0]
        _grant_expert(user)
        profile = ExpertProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            data.setdefault("email", user.email)
            _profile_new(user=user, data=data, by=by, action=_("导入专家库"))
        else:
            changes = _apply(profile, data)
            if changes:
                activity_record(target=profile, by=by, action=_("导入更新专家信息"), note="；".join(changes))
        return UPDATED, [_("已匹配账号 %(u)s") % {"u": user.username}, *notes]
    user = User(username=_new_username(values["mobile"]), full_name=values["name"], mobile=values["mobile"],
                email=values["email"], title=values["title"])
    user.set_unusable_password()
    user.save()
    _grant_expert(user)
    activity_record(target=user, by=by, action=_("导入专家账号"))
    _profile_new(user=user, data=data, by=by, action=_("导入专家库"))
    return CREATED, notes


def pool_import(*, rows: list[tuple[int, dict]], by: User) -> list[RowResult]:
    """Import the rows read by `read_rows`: each row is its own savepoint, so a refused row leaves
    nothing behind and the rows after it still import. Returns one result per row.

    Side effects: creates accounts (expert role, no password: an administrator sends the link),
    placeholder units for unregistered credit codes, profiles; each logged."""
    _require_manager(by)
    fields_by_name = {f.name: f for f in TechField.objects.all()}
    seen: dict[str, int] = {}
    results = []
    with transaction.atomic():
        for number, raw in rows:
            result = RowResult(row=number, name=raw["name"], status=REFUSED)
            results.append(result)
            try:
                values = _check(raw, fields_by_name)
                if values["mobile"] in seen:
                    raise RowRefused(_("与第 %(n)d 行手机号重复") % {"n": seen[values["mobile"]]})
                seen[values["mobile"]] = number
                with transaction.atomic():
                    result.status, result.messages = _import_row(values, by=by)
            except RowRefused as refused:
                result.messages = refused.messages
            except ValidationError as error:
                result.messages = [str(m) for m in error.messages]
    return results
