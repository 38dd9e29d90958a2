"""Certificates (荣誉证书) for medals and awards: one PDF, a page per certificate.

The Chinese font is embedded in the PDF (`core.pdf` finds and registers it), so that it
prints the same on any machine; without one, `FontMissing` says what to install.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from gonghui.contests.marking import ResultLine
from gonghui.contests.models import Contest
from gonghui.core.pdf import FontMissing, chinese_date, cjk_font, wrap_chinese

__all__ = ["FontMissing", "render_certificates"]


def render_certificates(contest: Contest, lines: Sequence[ResultLine]) -> bytes:
    """One A4 landscape page per awarded competitor, the font embedded."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    font = cjk_font().name
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
            (s for s in (18, 16, 14, 12) if len(wrap_chinese(text, font, s, width - 260)) <= 3), 10
        )
        pdf.setFont(font, size)
        for row, part in enumerate(wrap_chinese(text, font, size, width - 260)):
            pdf.drawString(150, height - 260 - (size + 14) * row, part)
        pdf.setFont(font, 34)
        pdf.setFillColorRGB(0.7, 0.15, 0.12)
        pdf.drawCentredString(width / 2, height - 370, line.award_name)
        pdf.setFillColorRGB(0.1, 0.1, 0.1)
        pdf.setFont(font, 14)
        pdf.drawString(150, height - 410, "特发此证，以资鼓励。")
        pdf.setFont(font, 18)
        pdf.drawRightString(width - 110, 130, contest.organiser.name)
        pdf.drawRightString(width - 110, 100, chinese_date(contest.ends_on))
        pdf.setFont(font, 10)
        pdf.drawString(
            60, 56, f"证书编号 {contest.code}-{line.skill.code}-{line.competitor.number}"
        )
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
