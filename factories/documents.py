"""What the tests read back from an office file: a Word document's 公文 page and type (GB/T 9704). It
returns the problems it finds, so a test asserts an empty list and a failure says what is wrong."""

from __future__ import annotations

from docx.oxml.ns import qn

PAGE_MM = {"page_width": 210, "page_height": 297, "top_margin": 37, "bottom_margin": 35, "left_margin": 28,
           "right_margin": 26}
FONTS = {"Normal": ("仿宋", 16), "Title": ("方正小标宋简体", 22), "Heading 1": ("黑体", 16), "Heading 2": ("楷体", 16)}
THEME_FONTS = ("asciiTheme", "eastAsiaTheme", "hAnsiTheme")


def word_problems(document) -> list[str]:
    """A python-docx Document against the 公文 layout: A4 and its margins (to the millimetre), the fonts and
    sizes of the body, title and headings named for East Asian text with no theme font left in any style,
    and the page number as — 1 — on odd and even pages."""
    found = []
    for index, section in enumerate(document.sections):
        for name, mm in PAGE_MM.items():
            if round(getattr(section, name).mm) != mm:
                found.append(f"section {index}: {name} {getattr(section, name).mm:.1f} mm, not {mm}")
        for footer in (section.footer, section.even_page_footer):
            xml = footer._element.xml
            if "PAGE" not in xml or footer.paragraphs[0].text.strip() != "—  —":
                found.append(f"section {index}: no — PAGE — page number in a footer")
    if not document.settings.odd_and_even_pages_header_footer:
        found.append("odd and even pages share one footer")
    for name, (font, size) in FONTS.items():
        style = document.styles[name]
        fonts = style.element.rPr.rFonts
        if fonts.get(qn("w:eastAsia")) != font:
            found.append(f"{name}: East Asian font {fonts.get(qn('w:eastAsia'))}, not {font}")
        if style.font.size is None or style.font.size.pt != size:
            found.append(f"{name}: {style.font.size and style.font.size.pt} pt, not {size}")
    themed = [f"{fonts.getparent().getparent().get(qn('w:styleId')) or 'defaults'}: {attribute}"
              for fonts in document.styles.element.iter(qn("w:rFonts")) for attribute in THEME_FONTS
              if fonts.get(qn(f"w:{attribute}")) is not None]
    return found + [f"theme font left in {where}" for where in themed]
