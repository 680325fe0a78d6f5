from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from demands import services

pytestmark = pytest.mark.django_db


def test_pdf_holds_demand_name_as_text_with_embedded_cjk_font(client, demand, alice):
    services.demand_submit(demand=demand, by=alice)
    client.force_login(alice)
    response = client.get(reverse("demands:pdf", args=[demand.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert demand.name in text
    assert "内蒙古自治区“揭榜挂帅”项目需求表" in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    # The bundled font (declared as "Noto Serif SC" by @font-face), not a system one.
    assert any("Noto-Serif-SC" in name for name in fonts), fonts


def test_print_view_shows_official_form(client, demand, alice):
    client.force_login(alice)
    page = client.get(reverse("demands:print", args=[demand.pk])).content.decode()
    assert "内蒙古自治区“揭榜挂帅”项目需求表" in page
    assert "草稿（未提交）" in page
    assert demand.name in page
