"""The statistics page in Chromium: ECharts draws under the site's CSP (no eval, no inline script or
style is reported), and at 390 px nothing scrolls sideways and the charts fit."""

import pytest
from playwright.sync_api import expect

from ..stats.world import build_world
from .axe import axe_violations, blocking, describe
from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _charts(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
        const canvas = el.querySelector('canvas');
        return {key: el.dataset.chart, width: el.getBoundingClientRect().width,
                canvas: canvas ? canvas.getBoundingClientRect().width : 0};
    })""")


def test_charts_draw_under_the_csp_and_fit_a_phone(new_page):
    build_world()
    page = new_page()
    page.set_viewport_size(DESKTOP)
    page.goto("/stats/")
    expect(page.get_by_test_id("fig-bangs")).to_have_text("5")
    page.wait_for_function("document.querySelectorAll('[data-chart] canvas').length === 4")
    assert {c["key"] for c in _charts(page) if c["canvas"] > 0} == {"outcomes", "year", "organiser", "field"}

    page.set_viewport_size(PHONE)
    # The resize handler redraws after a short debounce: wait until every chart fits its box.
    page.wait_for_function("""() => Array.from(document.querySelectorAll('[data-chart]')).every(el => {
        const canvas = el.querySelector('canvas');
        return canvas && canvas.getBoundingClientRect().width <= el.getBoundingClientRect().width + 1;
    })""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for chart in _charts(page):
        assert 0 < chart["canvas"] <= chart["width"] + 1, chart
    expect(page.get_by_test_id("export-field")).to_be_visible()
    found = blocking(axe_violations(page))
    assert found == [], describe(found)
