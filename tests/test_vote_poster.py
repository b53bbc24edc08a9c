"""The printed poster of a campaign (issue 16): the QR code carries the campaign's public vote address,
module for module; an A4 PNG and a one-page A4 PDF; text with a CJK font, and without one the code and
the address only, never boxes."""

import io
import re
from pathlib import Path

import pytest
import qrcode
from PIL import Image

from components.voting import poster

URL = "https://vote.example.gov.cn/cpme/vote?c=12"
TEXT = poster.PosterText(
    band="扫码投票", title="2026年锦江区社区营造十佳案例评选（第二届）" * 2,
    lines=("投票时间：2026年11月10日 09:00 至 2026年11月25日 18:00", "每个手机号每天可投 5 票，同一案例每天限投 1 票。"),
    how="投票方法", steps=("1. 扫码", "2. 验证", "3. 投票"), or_open="或在浏览器中打开：", footer="主办单位：锦江区")
NOTO_REGULAR = poster.NOTO_CJK.format(weight="Regular")
HAS_NOTO = Path(NOTO_REGULAR).is_file()


@pytest.fixture(autouse=True)
def _fonts_looked_up_afresh(monkeypatch):
    monkeypatch.delenv("APP_CJK_FONT", raising=False)
    poster.font_file.cache_clear()
    yield
    poster.font_file.cache_clear()


def _reads_as(drawn: poster.Poster, url: str) -> bool:
    """Every module of the drawn code (sampled at its centre) is what qrcode encodes for `url`."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    left, top, right, _ = drawn.qr_box
    size = (right - left) / len(matrix)
    pixels = drawn.image.convert("L")
    return len(matrix) == drawn.modules and all(
        (pixels.getpixel((int(left + (col + 0.5) * size), int(top + (row + 0.5) * size))) < 128) == dark
        for row, cells in enumerate(matrix) for col, dark in enumerate(cells))


def test_the_address_is_the_campaign_vote_page_under_the_public_url():
    assert poster.vote_url("https://vote.example.gov.cn", 7) == "https://vote.example.gov.cn/vote?c=7"
    assert poster.vote_url(" https://gov.cn/cpme/ ", 7) == "https://gov.cn/cpme/vote?c=7"  # behind a path prefix
    for bad in ("vote.example.gov.cn", "ftp://gov.cn", "https://", "https://gov.cn/?x=1", "https://gov.cn/#top",
                "javascript:alert(1)", ""):
        with pytest.raises(poster.BadPublicUrl):
            poster.vote_url(bad, 7)


@pytest.mark.skipif(not HAS_NOTO, reason="fonts-noto-cjk not installed")
def test_an_a4_poster_with_its_text_and_the_code_of_the_campaign():
    drawn = poster.draw(TEXT, URL)
    assert drawn.with_text and drawn.image.size == (1240, 1754)  # A4 at 150 dpi
    assert _reads_as(drawn, URL) and not _reads_as(drawn, URL.replace("c=12", "c=13"))
    left, top, right, bottom = drawn.qr_box
    assert right - left >= 600 and bottom < 1754 - 300  # large enough to scan across a corridor, room for the steps
    grey = drawn.image.convert("L")
    assert grey.crop((90, 200, 1150, top)).getextrema()[0] < 100  # the title and the rules above the code
    assert grey.crop((90, bottom + 10, 1150, 1700)).getextrema()[0] < 100  # the address and the steps below
    stored = Image.open(io.BytesIO(poster.png(TEXT, URL)))
    assert stored.format == "PNG" and stored.size == (1240, 1754) and round(stored.info["dpi"][0]) == 150
    document = poster.pdf(TEXT, URL)
    assert document.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b", document)) == 1
    width, height = map(float, re.search(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", document).groups())
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1  # 210 × 297 mm in points


def test_without_a_chinese_font_the_code_and_the_address_only(monkeypatch, tmp_path):
    monkeypatch.setattr(poster, "NOTO_CJK", str(tmp_path / "missing-{weight}.ttc"))
    assert poster.font_file() is None
    drawn = poster.draw(TEXT, URL)
    assert not drawn.with_text and _reads_as(drawn, URL)
    grey = drawn.image.convert("L")
    assert grey.crop((0, 0, 1240, drawn.qr_box[1])).getextrema() == (255, 255)  # no band, no boxes for 汉字
    assert grey.crop((0, drawn.qr_box[3], 1240, drawn.qr_box[3] + 80)).getextrema()[0] < 100  # the address


@pytest.mark.skipif(not HAS_NOTO, reason="fonts-noto-cjk not installed")
def test_a_chinese_font_named_in_the_setting(monkeypatch, tmp_path):
    monkeypatch.setattr(poster, "NOTO_CJK", str(tmp_path / "missing-{weight}.ttc"))
    monkeypatch.setenv("APP_CJK_FONT", NOTO_REGULAR)
    path, index = poster.font_file()
    assert path.endswith("NotoSansCJK-Regular.ttc") and index == 2  # the Simplified Chinese face
    assert poster.draw(TEXT, URL).with_text
