"""PDF rendering reuses its font set-up: building it reloads the CJK font on every document."""

import io
import threading

from pypdf import PdfReader

from core import pdf


def test_font_configuration_is_built_once_per_thread(monkeypatch):
    import weasyprint.text.fonts as fonts

    built = []
    real = fonts.FontConfiguration

    def counting():
        built.append(1)
        return real()

    monkeypatch.setattr(fonts, "FontConfiguration", counting)
    documents = []

    def render_twice():  # a fresh thread starts without a cached configuration
        documents.extend(pdf.html_to_pdf(f"<p>揭榜挂帅 第{n}份</p>") for n in (1, 2))

    thread = threading.Thread(target=render_twice)
    thread.start()
    thread.join(timeout=120)
    assert len(built) == 1
    assert "揭榜挂帅 第2份" in PdfReader(io.BytesIO(documents[1])).pages[0].extract_text()

