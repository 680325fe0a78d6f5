from pathlib import Path

from django.conf import settings

STATIC_DIR = Path(settings.BASE_DIR) / "static"
FONT_PATH = STATIC_DIR / "fonts" / "NotoSerifSC-Regular.otf"


def html_to_pdf(html: str) -> bytes:
    """Render HTML to PDF with the bundled CJK font embedded, so it looks the same everywhere."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    font_css = CSS(
        string=(
            "@font-face { font-family: 'Noto Serif SC'; src: url('%s'); }\n"
            "html { font-family: 'Noto Serif SC', serif; }"
        ) % FONT_PATH.as_uri(),
        font_config=fonts,
    )
    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/").write_pdf(
        stylesheets=[font_css], font_config=fonts
    )
