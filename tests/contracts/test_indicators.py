"""The indicator rule on hand-worked examples (contracts/indicators.py)."""

import pytest

from contracts.indicators import OK, UNKNOWN, WEAKER, compare, judge


@pytest.mark.parametrize(("reference", "value", "expected"), [
    ("≥1.2", "≥1.2", OK),          # equal
    ("≥1.2", "1.3", OK),           # stronger
    ("≥1.2", "≥1.1", WEAKER),
    (">=95", "96", OK),
    ("≤5", "≤4.5", OK),            # less is better
    ("≤5", "6", WEAKER),
    ("<0.1", "0.09", OK),
    ("<2", "≤2", WEAKER),          # strictness: "<2" excludes 2, "≤2" allows it
    ("<2", "2", WEAKER),
    ("<2", "=2", WEAKER),
    ("<2", "<2", OK),
    (">1.2", "≥1.2", WEAKER),
    (">1.2", "1.2", WEAKER),
    (">1.2", ">1.2", OK),
    ("≥1.2", ">1.2", OK),          # stronger
    ("≤5", "<5", OK),
    ("≥1.2", "≤2", UNKNOWN),       # signs point different ways
    ("≥10 万次", "≥10 次/秒", UNKNOWN),  # not the same quantity
    ("稳定运行", "稳定运行", OK),     # identical text
    ("稳定运行", "连续稳定运行", UNKNOWN),
    ("", "anything", OK),          # nothing committed binds nothing
])
def test_compare(reference, value, expected):
    assert compare(reference, value) == expected


def test_judge_takes_the_strictest_reference():
    assert judge("1.3", ["≥1.2", "≥1.3"]) == OK
    assert judge("1.25", ["≥1.2", "≥1.3"]) == WEAKER  # above the bang's target, below the commitment
    assert judge("较高", ["≥1.2", "较高"]) == UNKNOWN
