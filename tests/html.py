"""Read a page as a user sees it: the text of an element picked by its data-testid."""

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Picker(HTMLParser):
    def __init__(self, testid: str):
        super().__init__()
        self.testid = testid
        self.depth = 0
        self.found: list[list[str]] = []
        self.links: list[list[tuple[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            if tag not in VOID:
                self.depth += 1
            if tag == "a":
                self._href = attrs.get("href", "")
                self._link_text: list[str] = []
        elif attrs.get("data-testid") == self.testid:
            self.found.append([])
            self.links.append([])
            self.depth = 0 if tag in VOID else 1

    def handle_endtag(self, tag):
        if self.depth:
            if tag == "a" and hasattr(self, "_href"):
                self.links[-1].append((squash("".join(self._link_text)), self._href))
                del self._href
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1].append(data)
            if hasattr(self, "_href"):
                self._link_text.append(data)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def texts(response_or_html, testid: str) -> list[str]:
    """The visible text of every element with this data-testid, whitespace squashed."""
    picker = _parse(response_or_html, testid)
    return [squash("".join(parts)) for parts in picker.found]


def text(response_or_html, testid: str) -> str:
    found = texts(response_or_html, testid)
    assert len(found) == 1, f"expected one data-testid={testid!r}, found {len(found)}"
    return found[0]


def links(response_or_html, testid: str) -> list[tuple[str, str]]:
    """(text, href) of the links inside the element with this data-testid."""
    picker = _parse(response_or_html, testid)
    assert len(picker.found) == 1, f"expected one data-testid={testid!r}, found {len(picker.found)}"
    return picker.links[0]


def _parse(response_or_html, testid):
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    picker = _Picker(testid)
    picker.feed(html)
    return picker
