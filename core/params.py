"""Filter values read from a query string (or a form post) that nobody has checked.

A list page must survive a hand-edited or truncated URL: a value that cannot be used is dropped, the
list is shown without that filter, and a warning says which filter was ignored. Never `int()` a
parameter directly: huge numbers overflow the database driver, and `str.isdigit()` accepts "²".
"""

import re
from collections.abc import Iterable, Mapping

from django.contrib import messages
from django.utils.translation import gettext as _

# The largest value of an integer primary key (a 32-bit `serial` on PostgreSQL): anything larger
# cannot name a row, and some drivers raise instead of finding nothing.
MAX_ID = 2**31 - 1
MAX_TEXT = 200

_INTEGER = re.compile(r"[+-]?[0-9]{1,19}", re.ASCII)


def parse_int(raw: str | None, *, min_value: int = 1, max_value: int = MAX_ID) -> int | None:
    """`raw` as an integer within [min_value, max_value]; None if blank, malformed or out of range."""
    raw = (raw or "").strip()
    if not _INTEGER.fullmatch(raw):
        return None
    value = int(raw)
    return value if min_value <= value <= max_value else None


def parse_ids(values: Iterable[str]) -> list[int]:
    """The usable primary keys among `values`, in order, without repeats; the rest are dropped."""
    ids: list[int] = []
    for raw in values:
        value = parse_int(raw)
        if value is not None and value not in ids:
            ids.append(value)
    return ids


def clean_text(raw: str | None, *, max_length: int = MAX_TEXT) -> str:
    """A search text: trimmed, without NUL characters (PostgreSQL refuses them), of bounded length."""
    return (raw or "").replace("\x00", "").strip()[:max_length]


class FilterParams:
    """Reads the filters of one list page; each unusable value is reported once per request.

    `data` defaults to `request.GET`; pass a copy to add defaults. With `warn=False` (downloads)
    nothing is reported, since the warning would only show on the next page the user opens.
    """

    def __init__(self, request, data: Mapping | None = None, *, warn: bool = True):
        self.request = request
        self.data = request.GET if data is None else data
        self.warn = warn

    def ignored(self, label: str) -> None:
        if not self.warn:
            return
        reported = self.request.__dict__.setdefault("_ignored_filters", set())
        if label in reported:
            return
        reported.add(label)
        messages.warning(self.request, _("筛选条件“%(label)s”的值无效，已忽略。") % {"label": label})

    def raw(self, name: str) -> str:
        return (self.data.get(name) or "").strip()

    def text(self, name: str, *, max_length: int = MAX_TEXT) -> str:
        return clean_text(self.data.get(name), max_length=max_length)

    def integer(self, name: str, *, label: str, min_value: int = 1, max_value: int = MAX_ID) -> int | None:
        raw = self.raw(name)
        if not raw:
            return None
        value = parse_int(raw, min_value=min_value, max_value=max_value)
        if value is None:
            self.ignored(label)
        return value

    def choice(self, name: str, *, label: str, choices: Iterable) -> str | None:
        """One of `choices` (values, or (value, label) pairs); None if blank or not one of them."""
        raw = self.raw(name)
        if not raw:
            return None
        allowed = {c[0] if isinstance(c, (tuple, list)) else c for c in choices}
        if raw not in allowed:
            self.ignored(label)
            return None
        return raw

    def matching(self, name: str, *, label: str, pattern: str) -> str | None:
        """The value if it matches the regular expression `pattern` as a whole, else None."""
        raw = self.raw(name)
        if not raw:
            return None
        if not re.fullmatch(pattern, raw, re.ASCII):
            self.ignored(label)
            return None
        return raw

    def ids(self, name: str, *, label: str, separator: str | None = None) -> list[int]:
        """Primary keys from a repeated parameter, or from one parameter split on `separator`."""
        values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name, "")]
        if separator:
            values = [part for value in values for part in value.split(separator)]
        values = [value.strip() for value in values if value and value.strip()]
        if any(parse_int(value) is None for value in values):
            self.ignored(label)
        return parse_ids(values)


def filterset_qs(request, filterset, *, warn: bool = True):
    """The filtered queryset of a django-filter FilterSet: an invalid field is left out (as
    django-filter does) and, unlike django-filter, the user is told."""
    if filterset.is_bound and not filterset.is_valid() and warn:
        params = FilterParams(request)
        for name in filterset.form.errors:
            field = filterset.form.fields.get(name)
            params.ignored(str(field.label) if field is not None else name)
    return filterset.qs
