"""The 公文 page and type of GB/T 9704-2012 for every Word file the app writes: A4 with the standard margins
(版心 156 × 225 mm), title in 小标宋 (黑体 where it is missing), body in 仿宋 三号, headings in 黑体 (level 1)
and 楷体 (level 2), and the page number "— 1 —" at the foot, odd pages right and even pages left.
Pure python-docx; no Streamlit."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋"
HEADING_FONTS = {1: "黑体", 2: "楷体"}
NUMBER_FONT = "宋体"  # the page number: 四号半角宋体
LATIN_FONT = "Times New Roman"  # digits and Latin letters inside the Chinese text
# fontTable entries: each font's other name, so Word and WPS find it on a system that names it the other
# way, and 黑体 for 小标宋 on machines without the 方正 font
ALT_NAMES = {TITLE_FONT: "黑体", BODY_FONT: "FangSong", "黑体": "SimHei", "楷体": "KaiTi", NUMBER_FONT: "SimSun"}

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(10.5)  # 五号: a score table of eight columns fits the 156 mm line
NUMBER_SIZE = Pt(14)  # 四号
LINE = Pt(28.95)  # 22 lines in the 225 mm 版心
CHAR = BODY_SIZE  # one character of body text, for indents ("空二字")
_THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def apply(document) -> None:
    """Give a python-docx Document the 公文 page, styles, fonts and page numbers."""
    for section in document.sections:
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
        section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
        section.footer_distance = Mm(28)  # the number sits 7 mm below the last line of the 版心
        _page_numbers(document, section)
    _styles(document)
    _font_table(document)


def set_fonts(element, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts on a style or run, dropping the theme fonts Word would show instead of them."""
    # the document defaults (w:rPrDefault) are plain lxml: their w:rPr is always there
    rpr = element.get_or_add_rPr() if hasattr(element, "get_or_add_rPr") else element.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in _THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)


def _styles(document) -> None:
    styles = document.styles
    # every style and the document defaults: no theme font left anywhere for Word to prefer
    for fonts in styles.element.iter(qn("w:rFonts")):
        for attribute in _THEME_ATTRIBUTES:
            fonts.attrib.pop(qn(attribute), None)
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    set_fonts(defaults, BODY_FONT)
    language = defaults.find(qn("w:rPr")).find(qn("w:lang"))
    if language is not None:
        language.set(qn("w:eastAsia"), "zh-CN")

    normal = styles["Normal"]
    set_fonts(normal.element, BODY_FONT)
    normal.font.size = BODY_SIZE
    body = normal.paragraph_format
    body.line_spacing_rule, body.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    body.space_before = body.space_after = Pt(0)
    body.first_line_indent = CHAR * 2
    body.widow_control = False  # 公文 fills every line of the page

    title = styles["Title"]
    _plain(title)
    set_fonts(title.element, TITLE_FONT)
    title.font.size = TITLE_SIZE
    head = title.paragraph_format
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.first_line_indent = Pt(0)
    head.line_spacing_rule, head.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(35)  # the 二号 title's own line
    head.space_before, head.space_after = Pt(0), LINE  # one empty body line under the title

    for level, font in HEADING_FONTS.items():
        style = styles[f"Heading {level}"]
        _plain(style)
        set_fonts(style.element, font)
        style.font.size = BODY_SIZE
        form = style.paragraph_format
        form.line_spacing_rule, form.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
        form.space_before = form.space_after = Pt(0)
        form.first_line_indent = CHAR * 2
        form.keep_with_next = True

    table = styles["Table Grid"]
    set_fonts(table.element, BODY_FONT)
    table.font.size = TABLE_SIZE
    table_lines = table.paragraph_format
    table_lines.line_spacing_rule, table_lines.line_spacing = WD_LINE_SPACING.SINGLE, None
    table_lines.first_line_indent = Pt(0)
    table_lines.alignment = WD_ALIGN_PARAGRAPH.CENTER

    footer = styles["Footer"]
    set_fonts(footer.element, NUMBER_FONT)
    footer.font.size = NUMBER_SIZE
    footer.paragraph_format.first_line_indent = Pt(0)


def _plain(style) -> None:
    """Black, not bold or italic, no border: Word's blue headings and underlined title are not a 公文's."""
    style.font.bold = False
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    ppr = style.element.find(qn("w:pPr"))
    border = ppr.find(qn("w:pBdr")) if ppr is not None else None
    if border is not None:
        ppr.remove(border)
    rpr = style.element.get_or_add_rPr()
    for name in ("w:spacing", "w:kern", "w:bCs", "w:iCs"):
        found = rpr.find(qn(name))
        if found is not None:
            rpr.remove(found)


def _page_numbers(document, section) -> None:
    """— 1 — at the foot: odd pages right and even pages left, one character in from the edge."""
    document.settings.odd_and_even_pages_header_footer = True
    for footer, alignment, indent in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                      (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = document.styles["Footer"]
        paragraph.alignment = alignment
        setattr(paragraph.paragraph_format, f"{indent}_indent", NUMBER_SIZE)
        paragraph.add_run("— ")
        paragraph._p.append(_page_field())
        paragraph.add_run(" —")


def _page_field():
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    return field


def _font_table(document) -> None:
    """python-docx keeps the font table as a plain part: parse its bytes, add the fonts, write them back."""
    table = next(part for part in document.part.package.iter_parts() if part.partname == "/word/fontTable.xml")
    root = etree.fromstring(table.blob)
    _add_fonts(root)
    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _add_fonts(root) -> None:
    known = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
    for name, alternative in ALT_NAMES.items():
        if name in known:
            continue
        font = root.makeelement(qn("w:font"), {qn("w:name"): name})
        alt = font.makeelement(qn("w:altName"), {qn("w:val"): alternative})
        charset = font.makeelement(qn("w:charset"), {qn("w:val"): "86"})  # GB2312
        family = font.makeelement(qn("w:family"), {qn("w:val"): "modern" if name == "黑体" else "roman"})
        font.extend([alt, charset, family])
        root.append(font)
