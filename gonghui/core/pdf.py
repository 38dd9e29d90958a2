"""PDF with Chinese text: find a TrueType CJK font on the machine and register it with
reportlab, which embeds (a subset of) it in every document, so that a certificate prints the
same on any computer.

reportlab embeds TrueType outlines only. Debian's Noto CJK fonts are CFF (PostScript)
outlines and cannot be used; `make pdf-fonts` installs AR PL UMing (a Song/Ming face, for
formal documents) and WenQuanYi Micro Hei. GONGHUI_PDF_FONT names another .ttf/.ttc file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

# (file, the face inside a collection to prefer), best first
CANDIDATES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/arphic/uming.ttc", "UMingCN"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYiZenHei"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYiMicroHei"),
)
FONT_NAME = "GonghuiCJK"


class FontMissing(RuntimeError):
    """No TrueType CJK font is installed; the message says how to install one."""


@dataclass(frozen=True)
class CJKFont:
    name: str
    path: Path
    face: str


def _load(path: Path, preferred: str) -> TTFont | None:
    first: TTFont | None = None
    for index in range(8):  # collections hold a handful of faces
        try:
            font = TTFont(FONT_NAME, str(path), subfontIndex=index)
        except (TTFError, OSError, IndexError):
            break
        if first is None:
            first = font
        face = font.face.name.decode("latin-1", "ignore").replace(" ", "").lower()
        if preferred and preferred.lower() == face:
            return font
        if not str(path).lower().endswith(".ttc"):
            break
    return first


@cache
def cjk_font() -> CJKFont:
    """Register the best installed CJK font with reportlab (once) and say which it is."""
    configured = os.environ.get("GONGHUI_PDF_FONT", "")
    candidates = ((configured, ""),) if configured else CANDIDATES
    for file, preferred in candidates:
        path = Path(file)
        if not path.is_file():
            continue
        font = _load(path, preferred)
        if font is not None:
            pdfmetrics.registerFont(font)
            face = font.face.name.decode("latin-1", "ignore")
            return CJKFont(name=FONT_NAME, path=path, face=face)
    raise FontMissing(
        "No TrueType Chinese font found for PDF certificates "
        f"(looked for {', '.join(c for c, _ in candidates)}). Install one with "
        "`make pdf-fonts` (Debian packages fonts-arphic-uming, fonts-wqy-microhei), or set "
        "GONGHUI_PDF_FONT to a .ttf/.ttc file with TrueType outlines (Noto CJK is CFF and "
        "cannot be embedded)."
    )


# Chinese line breaking (GB/T 15834, 标点符号用法): a closing mark never starts a line — it
# hangs at the end of the line before; an opening mark never ends a line — it moves down with
# what it opens. Runs of Latin letters and digits (years, codes) stay whole.
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")
_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*|.", re.DOTALL)


def wrap_chinese(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text with no spaces to break at into lines no wider than `width` points."""
    lines: list[str] = []
    current = ""
    for token in _TOKENS.findall(text):
        fits = pdfmetrics.stringWidth(current + token, font, size) <= width
        if fits or not current or token[0] in NO_LINE_START:
            current += token
            continue
        moved = ""
        while current and current[-1] in NO_LINE_END:
            current, moved = current[:-1], current[-1] + moved
        if current:
            lines.append(current)
        current = moved + token
    if current:
        lines.append(current)
    return lines


CHINESE_DIGITS = "〇一二三四五六七八九"


def chinese_date(day: date) -> str:
    """二〇二六年五月一日, as certificates are dated."""
    year, month, date_of_month = day.year, day.month, day.day

    def small(n: int) -> str:
        if n < 10:
            return CHINESE_DIGITS[n]
        tens, units = divmod(n, 10)
        return (
            ("" if tens == 1 else CHINESE_DIGITS[tens])
            + "十"
            + (CHINESE_DIGITS[units] if units else "")
        )

    return f"{''.join(CHINESE_DIGITS[int(d)] for d in str(year))}年{small(month)}月{small(date_of_month)}日"


def chinese_day(day: date) -> str:
    """2026年12月3日: how a date is written in a notice or a form."""
    return f"{day.year}年{day.month}月{day.day}日"


# ---- documents set with reportlab's platypus: forms, notices, lists ----------------------


def document_styles(font: str) -> dict[str, ParagraphStyle]:
    """Body, label (centred), title, right-aligned and indented running text, in `font`."""
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    return {
        "body": base,
        "label": ParagraphStyle("label", parent=base, alignment=1),
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=1),
        "heading": ParagraphStyle("heading", parent=base, fontSize=13, leading=20),
        "right": ParagraphStyle("right", parent=base, alignment=2),
        "text": ParagraphStyle("text", parent=base, fontSize=12, leading=21, firstLineIndent=24),
    }


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """Plain text (never markup) as a paragraph; line breaks kept."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped.replace("\n", "<br/>") or "&nbsp;", style)


def build_document(story: list[Flowable], *, title: str) -> bytes:
    """An A4 portrait PDF of the story, with office margins."""
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
    )
    document.build(story)
    return out.getvalue()
