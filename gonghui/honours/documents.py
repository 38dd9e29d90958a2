"""Official documents as union offices file them: the nomination approval form (推荐审批表)
and the public notice (公示), ready to print and seal.

The approval form is one A4 page a nominee: the nominee's particulars, the achievements and
the democratic recommendation, then one box a level, from the nominating union up to the
organiser, each with its opinion, the day it was given and room for the seal. It comes as PDF
(printed as it stands) and as Word (.docx: offices edit before sealing). The notice is a PDF
with dates written the Chinese way and the organising office's telephone and address.

The facts are gathered once (`approval_form`, `NoticeText`) and laid out twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from gonghui.core.models import AuditEvent
from gonghui.core.pdf import build_document, chinese_day, cjk_font, document_styles, paragraph
from gonghui.honours import lists
from gonghui.honours.models import Campaign, Nomination, NominationStatus
from gonghui.orgs.models import Organisation

IN_NOTICE = [NominationStatus.IN_NOTICE, NominationStatus.OBJECTION]
SEAL_SPACE = "（盖章）"
# official documents are in Chinese whatever the reader's language
GENDERS = {"M": "男", "F": "女"}
BLANK_DATE = "年　　月　　日"


@dataclass(frozen=True)
class Opinion:
    """One level's box: whose opinion, what it was, on which day (None: not given yet)."""

    organisation: str
    opinion: str
    day: date | None


@dataclass(frozen=True)
class ApprovalForm:
    title: str
    particulars: tuple[tuple[str, str], ...]  # label, value, two a row
    achievements: str
    democratic_record: str
    opinions: tuple[Opinion, ...]


def _steps(nomination: Nomination) -> list[AuditEvent]:
    """The nomination's last submission and the approvals after it, oldest first."""
    events = list(
        AuditEvent.objects.filter(
            object_type="honours.nomination",
            object_id=str(nomination.pk),
            action__in=["nomination.submit", "nomination.send_up", "nomination.shortlist"],
        ).order_by("id")
    )
    submits = [i for i, e in enumerate(events) if e.action == "nomination.submit"]
    return events[submits[-1] :] if submits else []


def _day(event: AuditEvent) -> date:
    return timezone.localtime(event.at).date()


def approval_form(nomination: Nomination) -> ApprovalForm:
    campaign = nomination.campaign
    person = nomination.person
    particulars: list[tuple[str, str]] = [("姓名", nomination.display_name)]
    if person is not None:
        particulars += [
            ("性别", GENDERS.get(person.gender, "")),
            ("出生年份", f"{person.birth_year}年"),
        ]
    particulars += [
        ("工作单位", nomination.unit_name or "—"),
        ("工种（职务）", nomination.trade or "—"),
        ("推荐工会", nomination.organisation.name),
    ]
    if person is not None:
        particulars.append(("是否一线职工", "是" if person.is_frontline else "否"))
    chain = (
        list(Organisation.objects.filter(pk__in=nomination.review_chain))
        if nomination.review_chain
        else lists.review_chain(campaign, nomination.organisation)
    )
    by_pk = {org.pk: org for org in chain}
    ordered = [by_pk[pk] for pk in nomination.review_chain] if nomination.review_chain else chain
    steps = _steps(nomination)
    submitted, approvals = (steps[0], steps[1:]) if steps else (None, [])
    opinions = [
        Opinion(
            nomination.organisation.name,
            "经民主推荐，同意推荐。" if submitted else "",
            _day(submitted) if submitted else None,
        )
    ]
    for level, org in enumerate(ordered):
        approved = approvals[level] if level < len(approvals) else None
        last = level == len(ordered) - 1
        words = "同意，确定为拟表彰人选。" if last else "同意上报。"
        opinions.append(
            Opinion(org.name, words if approved else "", _day(approved) if approved else None)
        )
    return ApprovalForm(
        title=f"{campaign.name}推荐审批表",
        particulars=tuple(particulars),
        achievements=nomination.achievements,
        democratic_record=nomination.democratic_record,
        opinions=tuple(opinions),
    )


# ---- PDF ---------------------------------------------------------------------------------


def _para(text: str, styles: dict[str, ParagraphStyle], style: str = "body") -> Paragraph:
    return paragraph(text, styles[style])


def _opinion_cell(opinion: Opinion, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    day = chinese_day(opinion.day) if opinion.day else BLANK_DATE
    return [
        paragraph(opinion.opinion, styles["body"]),
        Spacer(1, 14 * mm),
        Paragraph(SEAL_SPACE, styles["right"]),
        Paragraph(day, styles["right"]),
    ]


def _form_flowables(form: ApprovalForm, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    def p(text: str, style: str = "body") -> Paragraph:
        return _para(text, styles, style)

    rows: list[list[object]] = []
    pairs = list(form.particulars)
    for i in range(0, len(pairs), 2):
        row: list[object] = []
        for label, value in pairs[i : i + 2]:
            row += [p(label, "label"), p(value)]
        while len(row) < 4:
            row += [""]
        rows.append(row)
    spans = []
    start = len(rows)
    rows.append([p("主要事迹", "label"), p(form.achievements), "", ""])
    rows.append([p("民主推荐情况", "label"), p(form.democratic_record), "", ""])
    for opinion in form.opinions:
        rows.append(
            [p(f"{opinion.organisation}意见", "label"), _opinion_cell(opinion, styles), "", ""]
        )
    spans = [("SPAN", (1, r), (3, r)) for r in range(start, len(rows))]
    table = Table(rows, colWidths=[40 * mm, 45 * mm, 40 * mm, 45 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, "black"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("VALIGN", (1, start), (1, -1), "TOP"),
                *spans,
            ]
        )
    )
    return [paragraph(form.title, styles["title"]), Spacer(1, 6 * mm), table]


def approval_forms_pdf(forms: Sequence[ApprovalForm]) -> bytes:
    """One page a form (a long account of achievements runs on to a second)."""
    styles = document_styles(cjk_font().name)
    story: list[Flowable] = []
    for n, form in enumerate(forms):
        if n:
            story.append(PageBreak())
        story += _form_flowables(form, styles)
    return build_document(story, title=forms[0].title if forms else "推荐审批表")


# ---- Word --------------------------------------------------------------------------------

WORD_FONT = "宋体"


def _word_text(cell: object, text: str, *, bold: bool = False, align: int | None = None) -> None:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    run = paragraph.add_run(text)
    run.bold = bold
    if align is not None:
        paragraph.alignment = align


def approval_forms_docx(forms: Sequence[ApprovalForm]) -> bytes:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = WORD_FONT
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), WORD_FONT)
    for n, form in enumerate(forms):
        if n:
            document.add_page_break()  # type: ignore[no-untyped-call]
        heading = document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title = heading.add_run(form.title)
        title.bold, title.font.size = True, Pt(16)
        pairs = list(form.particulars)
        rows = (len(pairs) + 1) // 2 + 2 + len(form.opinions)
        table = document.add_table(rows=rows, cols=4)
        table.style = "Table Grid"
        for i, (label, value) in enumerate(pairs):
            row, col = divmod(i, 2)
            _word_text(table.cell(row, col * 2), label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            _word_text(table.cell(row, col * 2 + 1), value)
        row = (len(pairs) + 1) // 2
        long_rows = [("主要事迹", form.achievements), ("民主推荐情况", form.democratic_record)]
        for label, text in long_rows:
            _word_text(table.cell(row, 0), label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            merged = table.cell(row, 1).merge(table.cell(row, 3))
            _word_text(merged, text)
            row += 1
        for opinion in form.opinions:
            _word_text(
                table.cell(row, 0),
                f"{opinion.organisation}意见",
                bold=True,
                align=WD_ALIGN_PARAGRAPH.CENTER,
            )
            merged = table.cell(row, 1).merge(table.cell(row, 3))
            _word_text(merged, opinion.opinion)
            for line in (
                "",
                "",
                SEAL_SPACE,
                chinese_day(opinion.day) if opinion.day else BLANK_DATE,
            ):
                merged.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
            row += 1
    out = BytesIO()
    document.save(out)
    return out.getvalue()


# ---- the public notice -------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeText:
    title: str
    body: str
    rows: tuple[tuple[str, ...], ...]  # 序号, 姓名, 性别, 工作单位, 简要事迹
    signature: str
    day: date


def notice_text(
    campaign: Campaign, nominations: Iterable[Nomination], *, today: date
) -> NoticeText:
    listed = [n for n in nominations if n.status in IN_NOTICE]
    starts, ends = campaign.notice_starts, campaign.notice_ends
    period = f"{chinese_day(starts)}至{chinese_day(ends)}" if starts and ends else "（公示期待定）"
    first = listed[0].display_name if listed else ""
    who = f"{first}等{len(listed)}名" if len(listed) > 1 else first
    contact = []
    if campaign.notice_contact_phone:
        contact.append(f"联系电话：{campaign.notice_contact_phone}")
    if campaign.notice_contact_address:
        contact.append(f"通讯地址：{campaign.notice_contact_address}")
    body = (
        f"根据{campaign.name}工作安排，经基层推荐、逐级审核，现将{who}拟表彰人选予以公示。"
        f"公示期为{period}。公示期间，如对公示对象有异议，请以书面、电话或当面等方式向"
        f"{campaign.organiser.name}反映。反映情况须实事求是，并提供具体事实和联系方式，"
        "以便核实。" + ("\n" + "；".join(contact) + "。" if contact else "")
    )
    rows = tuple(
        (
            str(i),
            n.display_name,
            GENDERS.get(n.person.gender, "") if n.person is not None else "—",
            n.unit_name or "—",
            n.summary,
        )
        for i, n in enumerate(listed, start=1)
    )
    return NoticeText(
        title=f"关于{campaign.name}拟表彰人选的公示",
        body=body,
        rows=rows,
        signature=campaign.organiser.name,
        day=starts or today,
    )


def notice_pdf(notice: NoticeText) -> bytes:
    styles = document_styles(cjk_font().name)

    def p(text: str, style: str = "body") -> Paragraph:
        return _para(text, styles, style)

    header = ["序号", "姓名", "性别", "工作单位", "简要事迹"]
    table = Table(
        [[p(h, "label") for h in header], *[[p(v) for v in row] for row in notice.rows]],
        colWidths=[12 * mm, 24 * mm, 12 * mm, 50 * mm, 72 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.6, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        )
    )
    story: list[Flowable] = [
        paragraph(notice.title, styles["title"]),
        Spacer(1, 6 * mm),
        *[paragraph(part, styles["text"]) for part in notice.body.split("\n")],
        Spacer(1, 5 * mm),
        table,
        Spacer(1, 12 * mm),
        paragraph(notice.signature, styles["right"]),
        Paragraph(chinese_day(notice.day), styles["right"]),
    ]
    return build_document(story, title=notice.title)
