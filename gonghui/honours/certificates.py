"""荣誉证书: one A4 landscape page per honouree, Chinese text set in an embedded TrueType font.

`certificate_pdf` draws any number of honourees into one document (a batch prints as one
file); `print_batch` is the background task behind the batch page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from gonghui.core import audit
from gonghui.core.pdf import FontMissing, chinese_date, cjk_font, wrap_chinese
from gonghui.honours.models import BatchState, CertificateBatch, Honouree

RED = Color(0.70, 0.15, 0.12)
GOLD = Color(0.79, 0.64, 0.15)
INK = Color(0.12, 0.14, 0.16)


def certificate_number(honouree: Honouree) -> str:
    return f"{honouree.year}-{honouree.kind_id:03d}-{honouree.pk:06d}"


def _page(canvas: Canvas, honouree: Honouree, font: str, issuer: str, issued: date) -> None:
    width, height = landscape(A4)
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(6)
    canvas.rect(28, 28, width - 56, height - 56)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.5)
    canvas.rect(40, 40, width - 80, height - 80)

    canvas.setFillColor(RED)
    canvas.setFont(font, 54)
    canvas.drawCentredString(width / 2, height - 140, "荣 誉 证 书")

    canvas.setFillColor(INK)
    canvas.setFont(font, 24)
    left = 120
    canvas.drawString(
        left, height - 220, f"{honouree.name}{'' if honouree.is_collective else ' 同志'}："
    )
    body = (
        f"在{honouree.year}年度表彰中，被授予“{honouree.kind.name}”"
        f"{'荣誉称号' if not honouree.kind.name.endswith(('奖章', '称号')) else ''}。"
        "特发此证，以资鼓励。"
    )
    y = height - 270
    for line in wrap_chinese("　　" + body, font, 22, width - 2 * left):
        canvas.setFont(font, 22)
        canvas.drawString(left, y, line)
        y -= 38
    if honouree.unit_name:
        canvas.setFont(font, 14)
        canvas.setFillColor(Color(0.36, 0.39, 0.43))
        canvas.drawString(left, y - 6, f"工作单位：{honouree.unit_name}")
    canvas.setFillColor(INK)
    canvas.setFont(font, 20)
    canvas.drawRightString(width - 120, 150, issuer)
    canvas.drawRightString(width - 120, 118, chinese_date(issued))
    canvas.setFont(font, 10)
    canvas.setFillColor(Color(0.36, 0.39, 0.43))
    canvas.drawString(60, 56, f"证书编号：{certificate_number(honouree)}")
    canvas.showPage()


def certificate_pdf(
    honourees: Iterable[Honouree],
    *,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The certificates as one PDF; raises FontMissing when no CJK font is installed."""
    font = cjk_font().name
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=landscape(A4))
    canvas.setTitle("荣誉证书")
    canvas.setAuthor("gonghui")
    issued = timezone.localdate()
    for count, honouree in enumerate(honourees, start=1):
        issuer = (
            honouree.campaign.organiser.name if honouree.campaign else honouree.organisation.name
        )
        _page(canvas, honouree, font, issuer, issued)
        if progress is not None and count % 20 == 0:
            progress(count)
    canvas.save()
    return buffer.getvalue()


def _progress(batch_id: int, done: int) -> None:
    CertificateBatch.objects.filter(pk=batch_id).update(done=done)


@task()
def print_batch(batch_id: int) -> None:
    """Print every active honouree of the batch's campaign into one file."""
    batch = CertificateBatch.objects.select_related("campaign__organiser").get(pk=batch_id)
    if batch.state != BatchState.QUEUED:
        return
    honourees = (
        Honouree.objects.filter(campaign=batch.campaign)
        .exclude(status="revoked")
        .select_related("kind", "campaign__organiser", "organisation")
        .order_by("organisation__path", "name")
    )
    CertificateBatch.objects.filter(pk=batch_id).update(
        state=BatchState.RUNNING, total=honourees.count()
    )
    try:
        pdf = certificate_pdf(honourees, progress=lambda n: _progress(batch_id, n))
    except FontMissing as error:
        CertificateBatch.objects.filter(pk=batch_id).update(
            state=BatchState.FAILED, message=str(error)
        )
        return
    batch.refresh_from_db()
    batch.file.save(
        f"certificates-{batch.campaign_id}-{batch.pk}.pdf", ContentFile(pdf), save=False
    )
    batch.state = BatchState.DONE
    batch.done = batch.total
    batch.save(update_fields=["file", "state", "done"])
    audit.record(
        action="certificate.batch",
        by=batch.requested_by,
        obj=batch,
        extra={"campaign": batch.campaign_id, "certificates": batch.total},
    )
