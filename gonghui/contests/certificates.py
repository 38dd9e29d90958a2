"""Certificates (荣誉证书) for medals and awards: one PDF, a page per certificate.

The Chinese font is embedded in the PDF, so that it prints the same on any machine. ReportLab
embeds TrueType outlines only (not the CFF outlines of Noto CJK), so a TrueType CJK font must
be installed: Debian's fonts-wqy-microhei (the Makefile installs it) or any font named by
GONGHUI_CERTIFICATE_FONT.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from gonghui.contests.marking import ResultLine
from gonghui.contests.models import Contest

FONT_NAME = "GonghuiCJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
)


class FontMissing(Exception):
    """No TrueType CJK font to embed; the message says what to install."""


def font_path() -> Path:
    configured = str(getattr(settings, "CERTIFICATE_FONT", "") or "")
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        _(
            "Certificates need a Chinese TrueType font to embed: install fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or set GONGHUI_CERTIFICATE_FONT to a .ttf or .ttc file."
        )
    )


@cache
def _register(path: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
    except TTFError as error:
        raise FontMissing(
            _("The font %(path)s cannot be embedded (%(error)s): use a TrueType font.")
            % {"path": path, "error": error}
        ) from None
    return FONT_NAME


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break Chinese text (no spaces to break at) into lines no wider than `width`."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for character in text:
        if current and stringWidth(current + character, font, size) > width:
            lines.append(current)
            current = ""
        current += character
    return [*lines, current] if current else lines


def render_certificates(contest: Contest, lines: Sequence[ResultLine]) -> bytes:
    """One A4 landscape page per awarded competitor, the font embedded."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    font = _register(str(font_path()))
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"{contest.name} 荣誉证书")
    pdf.setAuthor(contest.organiser.name)
    for line in lines:
        if line.award is None:
            continue
        pdf.setStrokeColorRGB(0.7, 0.15, 0.12)
        pdf.setLineWidth(6)
        pdf.rect(28, 28, width - 56, height - 56)
        pdf.setLineWidth(1.5)
        pdf.rect(40, 40, width - 80, height - 80)
        pdf.setFillColorRGB(0.7, 0.15, 0.12)
        pdf.setFont(font, 44)
        pdf.drawCentredString(width / 2, height - 130, "荣 誉 证 书")
        pdf.setFillColorRGB(0.1, 0.1, 0.1)
        pdf.setFont(font, 22)
        pdf.drawString(110, height - 210, f"{line.competitor.person.name} 同志：")
        text = f"在{contest.name}“{line.skill.name}”赛项中，成绩第 {line.rank} 名，荣获"
        size = next(
            (s for s in (18, 16, 14, 12) if len(_wrap(text, font, s, width - 260)) <= 3), 10
        )
        pdf.setFont(font, size)
        for row, part in enumerate(_wrap(text, font, size, width - 260)):
            pdf.drawString(150, height - 260 - (size + 14) * row, part)
        pdf.setFont(font, 34)
        pdf.setFillColorRGB(0.7, 0.15, 0.12)
        pdf.drawCentredString(width / 2, height - 370, line.award_name)
        pdf.setFillColorRGB(0.1, 0.1, 0.1)
        pdf.setFont(font, 14)
        pdf.drawString(150, height - 410, "特发此证，以资鼓励。")
        pdf.setFont(font, 18)
        pdf.drawRightString(width - 110, 130, contest.organiser.name)
        pdf.drawRightString(width - 110, 100, f"{contest.ends_on:%Y年%m月%d日}")
        pdf.setFont(font, 10)
        pdf.drawString(
            60, 56, f"证书编号 {contest.code}-{line.skill.code}-{line.competitor.number}"
        )
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
