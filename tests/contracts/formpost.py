"""What a browser would post from a rendered form: every named input, textarea and selected option."""

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, testid: str):
        super().__init__()
        self.testid, self.inside, self.data = testid, False, {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("data-testid") == self.testid:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[a["name"]] = a.get("value", "on")
            else:
                self.data[a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.data[a["name"]] = ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.data):
            self.data[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(html: str, testid: str) -> dict:
    parser = _Form(testid)
    parser.feed(html)
    data = parser.data
    for name, value in list(data.items()):
        if isinstance(value, str) and value.startswith("\n") and name in data:
            data[name] = value[1:]  # a textarea's leading newline is not part of its value
    return data
