"""Whether a task book's indicator is at least as demanding as a reference (the bang's target, the
team's committed value). Pure: no Django.

A value is read as an optional comparison sign and a number ("≥1.2", ">= 95", "0.5"). The reference's
sign gives the direction: ≥, >, = or none mean more is better; ≤ and < mean less is better. The
answer is "ok", "weaker", or "unknown" when the two cannot be compared as numbers (text, or signs
that point different ways): those staff confirm by hand.
"""

import re
from decimal import Decimal, InvalidOperation

OK, WEAKER, UNKNOWN = "ok", "weaker", "unknown"

_VALUE_RE = re.compile(r"^\s*(≥|>=|>|≤|<=|<|=|＞|＜|≧|≦)?\s*(-?\d+(?:\.\d+)?)\s*(\S.*)?$")
_SIGNS = {">=": "≥", "≧": "≥", "＞": ">", "<=": "≤", "≦": "≤", "＜": "<"}
_UP, _DOWN = {"≥", ">"}, {"≤", "<"}


def parse(text: str) -> tuple[str | None, Decimal, str] | None:
    """(sign, number, what follows the number) or None when the text does not start with a number."""
    match = _VALUE_RE.match(text or "")
    if not match:
        return None
    try:
        number = Decimal(match.group(2))
    except InvalidOperation:  # pragma: no cover - the pattern only admits decimals
        return None
    sign = match.group(1)
    return _SIGNS.get(sign, sign), number, (match.group(3) or "").strip()


def compare(reference: str, value: str) -> str:
    """Is `value` weaker than `reference`? An empty reference (nothing was committed) binds nothing.

    Strictness counts: against "<2", "≤2" and "2" are weaker (they allow 2); against "≥1.2", ">1.2"
    is stronger."""
    if not (reference or "").strip():
        return OK
    ref, val = parse(reference), parse(value)
    if ref is None or val is None:
        return OK if (reference or "").strip() == (value or "").strip() else UNKNOWN
    ref_sign, goal, ref_rest = ref
    val_sign, number, val_rest = val
    if ref_rest != val_rest:  # "10 万次" against "10 次/秒": not the same quantity
        return UNKNOWN
    down = ref_sign in _DOWN
    same_way = _DOWN if down else _UP
    if val_sign not in (None, "=") and val_sign not in same_way:
        return UNKNOWN
    if number != goal:
        better = number < goal if down else number > goal
        return OK if better else WEAKER
    # On the bound itself: weaker only if the reference excludes it and the value does not.
    ref_strict, val_strict = ref_sign in {"<", ">"}, val_sign in {"<", ">"}
    return WEAKER if ref_strict and not val_strict else OK


def judge(value: str, references: list[str]) -> str:
    """The strictest answer over all references: weaker beats unknown beats ok."""
    answers = {compare(reference, value) for reference in references}
    if WEAKER in answers:
        return WEAKER
    if UNKNOWN in answers:
        return UNKNOWN
    return OK
