import atexit
import threading
from pathlib import Path

from django.conf import settings

STATIC_DIR = Path(settings.BASE_DIR) / "static"
FONT_PATH = STATIC_DIR / "fonts" / "NotoSerifSC-Regular.otf"

# The font configuration and the @font-face stylesheet are built once per thread and reused:
# building them loads the CJK font again, which made every render slower than it needs to be.
_local = threading.local()
# Dropped before the interpreter tears modules down: WeasyPrint's FontConfiguration.__del__ needs them.
atexit.register(lambda: _local.__dict__.clear())


def _font_stylesheet():
    if getattr(_local, "fonts", None) is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        _local.css = CSS(
            string=(
                "@font-face { font-family: 'Noto Serif SC'; src: url('%s'); }\n"
                "html { font-family: 'Noto Serif SC', serif; }"
            ) % FONT_PATH.as_uri(),
            font_config=fonts,
        )
        _local.fonts = fonts
    return _local.fonts, _local.css


def html_to_pdf(html: str) -> bytes:
    """Render HTML to PDF with the bundled CJK font embedded, so it looks the same everywhere."""
    from weasyprint import HTML

    fonts, font_css = _font_stylesheet()
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/").write_pdf(
        stylesheets=[font_css], font_config=fonts
    )
