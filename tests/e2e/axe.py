"""Run axe-core (vendored under vendor/axe-core, no CDN) in a Playwright page."""

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")

# The impacts that fail a page; "minor" and "moderate" findings are reported by axe but left to review.
BLOCKING = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    """Every axe violation on the page as it stands, each with its id, impact, help and node targets.

    page.evaluate goes through the DevTools protocol, which the page's Content-Security-Policy does
    not govern, so axe runs without a <script> tag the policy would have to allow."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(
        """async () => {
            const results = await window.axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" ")),
            }));
        }"""
    )


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    """One line per rule: id, impact, how many nodes, and the nodes' selectors."""
    return "\n".join(
        f"{v['id']} ({v['impact']}, {len(v['targets'])}): {v['help']} -> {', '.join(v['targets'])}"
        for v in violations
    )
