"""The honours part of `gonghui demo`: run by the demo accounts through the real actions.

- a completed 2025 campaign (自治区劳动模范): nominated by the demo grassroots union, reviewed
  by the county, the prefecture and the federation, in notice, voted and approved;
- a 2026 campaign (自治区五一劳动奖章) in public notice today, with an open objection;
- a register with earlier honourees across the region, allowance rates, a few months of
  allowances, check-ups, hardship support, and a sanatorium session with bookings.

Every name is invented; identity numbers are valid but belong to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core import audit
from gonghui.core.validators import identity_check_character
from gonghui.honours import actions, lists
from gonghui.honours.models import (
    QUOTA,
    BenefitKind,
    CalendarDay,
    Campaign,
    Condition,
    Direction,
    Honouree,
    HonourKind,
    HonourLevel,
    Nomination,
    VoteChoice,
)
from gonghui.orgs.models import EmployerUnit, Organisation, OrgType
from gonghui.people.actions import PersonDetails, identity_digests, register_member
from gonghui.people.models import Person, SkillLevel

KINDS = [
    ("自治区劳动模范", HonourLevel.REGIONAL, False),
    ("自治区先进工作者", HonourLevel.REGIONAL, False),
    ("自治区五一劳动奖章", HonourLevel.REGIONAL, False),
    ("天山工匠", HonourLevel.REGIONAL, False),
    ("全国劳动模范", HonourLevel.NATIONAL, False),
    ("全国五一劳动奖章", HonourLevel.NATIONAL, False),
    ("自治区工人先锋号", HonourLevel.REGIONAL, True),
]

# Public holidays as data: the published arrangement is entered each year; demo figures.
HOLIDAYS_2026 = [
    ("2026-01-01", "2026-01-03", "元旦"),
    ("2026-02-15", "2026-02-23", "春节"),
    ("2026-04-04", "2026-04-06", "清明节"),
    ("2026-05-01", "2026-05-05", "劳动节"),
    ("2026-06-19", "2026-06-21", "端午节"),
    ("2026-09-25", "2026-09-27", "中秋节"),
    ("2026-10-01", "2026-10-08", "国庆节"),
]
MAKE_UP_DAYS_2026 = [
    ("2026-02-14", "春节调休"),
    ("2026-02-28", "春节调休"),
    ("2026-10-10", "国庆调休"),
]


@dataclass(frozen=True)
class Nominee:
    name: str
    post: str
    achievements: str
    summary: str
    frontline: bool = True
    skill: str = SkillLevel.SENIOR
    migrant: bool = False
    head: bool = False
    female: bool = False
    consent: bool = True


COMPLETED = [
    Nominee(
        "热依拉·阿不都",
        "焊工",
        "从事压力管道焊接二十二年，主持焊接工艺改进七项，带出高级工徒弟三十余名。",
        "压力管道焊接能手，改进焊接工艺七项。",
        skill=SkillLevel.SENIOR_TECHNICIAN,
        female=True,
    ),
    Nominee(
        "王志强",
        "钳工",
        "攻克大型压缩机组检修难题，年节约维修费用四百余万元。",
        "大型机组检修骨干，年节约维修费用四百余万元。",
        skill=SkillLevel.TECHNICIAN,
    ),
    Nominee(
        "马丽娟",
        "化验员",
        "建立原油快速化验方法，检测时间缩短一半，获自治区职工技术创新成果一等奖。",
        "原油快速化验方法发明人。",
        female=True,
    ),
    Nominee(
        "艾克拜尔·吐尔逊",
        "司机",
        "安全行车一百二十万公里无事故，冬季抢运物资四十余次。",
        "安全行车一百二十万公里无事故。",
        migrant=True,
    ),
    Nominee(
        "陈建国",
        "总经理",
        "带领企业扭亏为盈，吸纳当地就业一千二百人，职工收入连续五年增长。",
        "带领企业扭亏为盈，吸纳就业一千二百人。",
        frontline=False,
        skill=SkillLevel.NONE,
        head=True,
        consent=False,
    ),
]
IN_NOTICE = [
    Nominee(
        "古丽米拉·热合曼",
        "电工",
        "负责变电站运维十五年，完成带电作业三千余次零差错。",
        "变电站运维骨干，带电作业三千余次零差错。",
        female=True,
        skill=SkillLevel.TECHNICIAN,
    ),
    Nominee(
        "张海燕",
        "车工",
        "数控车削精度达到零点零零二毫米，获全国职业技能大赛银牌。",
        "数控车削技能大赛银牌获得者。",
        female=True,
    ),
    Nominee(
        "买买提·艾力",
        "仓管员",
        "推行仓储条码管理，库存准确率由百分之九十二提高到百分之九十九点八。",
        "仓储管理创新能手。",
        migrant=True,
        consent=False,
    ),
]
REGISTER = [
    (
        "吐尔洪·阿不拉",
        HonourLevel.NATIONAL,
        "全国劳动模范",
        2015,
        "石油",
        "扎根戈壁油田三十年的采油工，创新抽油机维修法。",
    ),
    (
        "李秀英",
        HonourLevel.NATIONAL,
        "全国五一劳动奖章",
        2019,
        "纺织",
        "纺织挡车工，连续十年产量质量全厂第一。",
    ),
    (
        "阿依古丽·买买提",
        HonourLevel.REGIONAL,
        "自治区劳动模范",
        2020,
        "农业",
        "带领合作社种植长绒棉，户均增收两万元。",
    ),
    (
        "赵卫东",
        HonourLevel.REGIONAL,
        "自治区先进工作者",
        2020,
        "医疗",
        "乡村医生，巡诊牧区三十二年。",
    ),
    (
        "努尔兰·哈力木",
        HonourLevel.REGIONAL,
        "天山工匠",
        2023,
        "机械",
        "精密模具钳工，手工研磨精度达一微米。",
    ),
    (
        "周红梅",
        HonourLevel.REGIONAL,
        "自治区劳动模范",
        2010,
        "教育",
        "山区小学教师，资助学生一百余名。",
    ),
]


def _people_identity(serial: int, *, female: bool) -> str:
    born = date(1970, 1, 1) + timedelta(days=serial * 397)
    body = f"650102{born:%Y%m%d}{(serial * 7) % 100:02d}{2 if female else 1}"
    return body + identity_check_character(body)


def _register_person(
    nominee: Nominee, *, union: Organisation, unit: EmployerUnit | None, by: User, serial: int
) -> Person:
    number = _people_identity(serial, female=nominee.female)
    while Person.objects.filter(identity_hash__in=identity_digests(number)).exists():
        serial += 1000
        number = _people_identity(serial, female=nominee.female)
    membership = register_member(
        by=by,
        identity_number=number,
        union=union,
        joined_on=date(2010, 3, 1),
        details=PersonDetails(
            name=nominee.name,
            phone=f"139{serial:08d}",
            unit=unit,
            post=nominee.post,
            skill_level=nominee.skill,
            is_frontline=nominee.frontline,
            is_migrant=nominee.migrant,
            is_enterprise_head=nominee.head,
        ),
    )
    return membership.person


def _calendar() -> None:
    for first, last, name in HOLIDAYS_2026:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            CalendarDay.objects.get_or_create(
                date=day, defaults={"is_workday": False, "name": name}
            )
            day += timedelta(days=1)
    for text, name in MAKE_UP_DAYS_2026:
        CalendarDay.objects.get_or_create(
            date=date.fromisoformat(text), defaults={"is_workday": True, "name": name}
        )


def _rules(campaign: Campaign, by: User) -> None:
    """The 2015 national rules, as data on the campaign."""
    for subset, condition, direction, percent in [
        (QUOTA, Condition.ENTERPRISE, Direction.AT_LEAST, "45"),
        (Condition.ENTERPRISE, Condition.FRONTLINE_OR_TECHNICIAN, Direction.AT_LEAST, "57"),
        (Condition.ENTERPRISE, Condition.ENTERPRISE_HEAD, Direction.AT_MOST, "20"),
        (Condition.FARMER, Condition.MIGRANT, Direction.AT_LEAST, "25"),
    ]:
        actions.add_rule(
            by=by,
            campaign=campaign,
            subset=subset,
            condition=condition,
            direction=direction,
            percent=Decimal(percent),
        )


JUSTIFICATION = "本级推荐名单经党组研究，比例与上级要求的差异已逐一说明。"


def _review(nomination: Nomination, reviewers: list[User]) -> Nomination:
    """Each level approves; where its list breaks a rule, it records why (as officers do)."""
    for reviewer in reviewers:
        nomination.refresh_from_db()
        panel = (
            lists.panel(nomination.campaign, nomination.reviewer) if nomination.reviewer else None
        )
        needs_reason = panel is not None and not (panel.is_compliant or panel.is_justified)
        nomination = actions.approve_nomination(
            by=reviewer, nomination=nomination, justification=JUSTIFICATION if needs_reason else ""
        )
    return nomination


def _nominate_all(
    campaign: Campaign,
    nominees: list[Nominee],
    *,
    users: dict[str, User],
    union: Organisation,
    unit: EmployerUnit | None,
    first_serial: int,
) -> list[Nomination]:
    grassroots = users["grassroots"]
    nominations = []
    for serial, nominee in enumerate(nominees, start=first_serial):
        person = _register_person(nominee, union=union, unit=unit, by=grassroots, serial=serial)
        nomination = actions.nominate(
            by=grassroots,
            campaign=campaign,
            organisation=union,
            person=person,
            details=actions.NominationDetails(
                achievements=nominee.achievements,
                summary=nominee.summary,
                democratic_record=f"{campaign.year - 1}年12月职工代表大会无记名投票推荐，应到86人，实到81人，赞成76票。",
                publication_consent=nominee.consent,
                trade="能源化工",
            ),
        )
        if person.is_enterprise_head:
            for kind in campaign.clearance_types:
                actions.record_clearance(
                    by=users["federation"],
                    nomination=nomination,
                    kind=kind,
                    is_cleared=True,
                    note="无不良记录",
                )
        actions.submit_nomination(by=grassroots, nomination=nomination)
        nominations.append(nomination)
    reviewers = [users["county"], users["prefecture"], users["federation"]]
    return [_review(n, reviewers) for n in nominations]


def _organisation_of(user: User) -> Organisation:
    if user.organisation is None:
        raise ValueError(f"demo account {user.username} has no organisation")
    return user.organisation


@transaction.atomic
def build_honours(*, today: date | None = None) -> dict[str, int]:
    """Add the honours demo to a demo federation; returns counts for the command to print."""
    today = today or timezone.localdate()
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["federation", "prefecture", "county", "grassroots"]
        )
    }
    if len(users) < 4:
        return {}
    federation = users["federation"]
    root = _organisation_of(federation)
    union = _organisation_of(users["grassroots"])
    unit = EmployerUnit.objects.filter(organisation=union).first()
    _calendar()
    kinds = {
        name: HonourKind.objects.get_or_create(
            name=name, defaults={"level": level, "is_collective": collective}
        )[0]
        for name, level, collective in KINDS
    }
    completed = _completed_campaign(kinds, users=users, union=union, unit=unit, today=today)
    _campaign_in_notice(kinds, users=users, union=union, unit=unit, today=today)
    _earlier_honourees(kinds, union=union, by=federation)
    _benefits(completed, root=root, by=federation, today=today)
    _sanatorium(root=root, by=federation, today=today)
    return {
        "campaigns": Campaign.objects.count(),
        "nominations": Nomination.objects.count(),
        "honourees": Honouree.objects.count(),
    }


def _completed_campaign(
    kinds: dict[str, HonourKind],
    *,
    users: dict[str, User],
    union: Organisation,
    unit: EmployerUnit | None,
    today: date,
) -> Campaign:
    """2025: the whole way to the register (quotas, review, notice, committee, vote)."""
    federation = users["federation"]
    completed = actions.create_campaign(
        by=federation,
        organiser=_organisation_of(federation),
        settings=actions.CampaignSettings(
            kind=kinds["自治区劳动模范"],
            year=2025,
            name="2025年自治区劳动模范和先进工作者评选",
            total_quota=30,
        ),
    )
    _rules(completed, federation)
    prefecture = _organisation_of(users["prefecture"])
    county = _organisation_of(users["county"])
    actions.allocate_quota(by=federation, campaign=completed, organisation=prefecture, quota=8)
    actions.allocate_quota(by=users["prefecture"], campaign=completed, organisation=county, quota=5)
    finished = _nominate_all(
        completed, COMPLETED, users=users, union=union, unit=unit, first_serial=1
    )
    actions.publish_notice(by=federation, campaign=completed, starts_on=today - timedelta(days=40))
    actions.set_committee(
        by=federation,
        campaign=completed,
        names=["王建华", "李明", "帕尔哈提·吾守尔", "刘芳", "孙国庆", "韩雪", "马军"],
    )
    actions.start_vote(by=federation, campaign=completed)
    members = list(completed.committee.values_list("pk", flat=True))
    for nomination in finished:
        yes = 6 if nomination.person and not nomination.person.is_enterprise_head else 4
        choices = [VoteChoice.YES] * yes + [VoteChoice.NO] * (7 - yes)
        actions.record_votes(
            by=federation, nomination=nomination, choices=dict(zip(members, choices, strict=True))
        )
        actions.close_vote(by=federation, nomination=nomination)
    return completed


def _campaign_in_notice(
    kinds: dict[str, HonourKind],
    *,
    users: dict[str, User],
    union: Organisation,
    unit: EmployerUnit | None,
    today: date,
) -> None:
    """2026: in public notice today, with an open objection."""
    federation = users["federation"]
    current = actions.create_campaign(
        by=federation,
        organiser=_organisation_of(federation),
        settings=actions.CampaignSettings(
            kind=kinds["自治区五一劳动奖章"],
            year=2026,
            name="2026年自治区五一劳动奖章评选",
            total_quota=40,
        ),
    )
    _rules(current, federation)
    in_notice = _nominate_all(
        current, IN_NOTICE, users=users, union=union, unit=unit, first_serial=20
    )
    actions.publish_notice(by=federation, campaign=current, starts_on=today)
    actions.file_objection(
        nomination=in_notice[0],
        reporter="",
        contact="来信（邮戳日期为准）",
        facts="反映该同志所在班组2025年曾发生一起未上报的轻微安全事故，请核实。",
    )


def _earlier_honourees(kinds: dict[str, HonourKind], *, union: Organisation, by: User) -> None:
    """The register: earlier honourees across the region."""
    prefectures = list(Organisation.objects.filter(type=OrgType.PREFECTURE).order_by("path")[:6])
    grassroots = list(Organisation.objects.filter(type=OrgType.GRASSROOTS).order_by("path")[:12])
    for index, (name, level, kind_name, year, trade, story) in enumerate(REGISTER):
        home = next(
            (
                g
                for g in grassroots
                if prefectures and g.path.startswith(prefectures[index % len(prefectures)].path)
            ),
            union,
        )
        honouree = Honouree.objects.create(
            name=name,
            organisation=home,
            prefecture=prefectures[index % len(prefectures)] if prefectures else None,
            unit_name=f"{home.name.removesuffix('工会')}",
            trade=trade,
            kind=kinds[kind_name],
            level=level,
            year=year,
            is_frontline=index % 2 == 0,
            receives_allowance=year <= 2015 or level == HonourLevel.NATIONAL,
            publication_consent=True,
            story=story,
        )
        audit.record(action="honouree.create", by=by, obj=honouree, extra={"demo": True})


def _benefits(completed: Campaign, *, root: Organisation, by: User, today: date) -> None:
    """Allowance rates, the new honourees' award and check-up, two months of allowances, and
    one hardship payment."""
    for level, amount in [
        (HonourLevel.NATIONAL, 100),
        (HonourLevel.REGIONAL, 80),
        (HonourLevel.PREFECTURE, 60),
    ]:
        actions.set_allowance_rate(by=by, organisation=root, level=level, amount=Decimal(amount))
    for honouree in Honouree.objects.filter(campaign=completed):
        honouree_update = actions.update_honouree(
            by=by,
            honouree=honouree,
            story=honouree.story,
            publication_consent=honouree.publication_consent,
            receives_allowance=True,
        )
        actions.record_benefit(
            by=by,
            honouree=honouree_update,
            kind=BenefitKind.AWARD,
            on=today - timedelta(days=20),
            amount=Decimal(20000),
            note="一次性奖金（自治区财政）",
        )
        actions.record_benefit(
            by=by,
            honouree=honouree_update,
            kind=BenefitKind.CHECKUP,
            on=today - timedelta(days=10),
            amount=Decimal(800),
            note="年度健康体检",
        )
    for months_ago in (2, 1):
        first = (today.replace(day=1) - timedelta(days=28 * months_ago)).replace(day=1)
        actions.pay_allowances(by=by, organisation=root, period=f"{first:%Y-%m}")
    hardship = Honouree.objects.filter(year__lte=2015).first()
    if hardship is not None:
        actions.record_benefit(
            by=by,
            honouree=hardship,
            kind=BenefitKind.HARDSHIP,
            on=today - timedelta(days=5),
            amount=Decimal(2000),
            note="困难劳模帮扶",
        )


def _sanatorium(*, root: Organisation, by: User, today: date) -> None:
    """A sanatorium session a month ahead, with three frontline honourees booked."""
    session = actions.create_session(
        by=by,
        organisation=root,
        name=f"{today.year}年劳模疗休养（赛里木湖）第一期",
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=36),
        places=10,
    )
    for honouree in Honouree.objects.active().filter(is_frontline=True)[:3]:
        actions.book_stay(by=by, session=session, honouree=honouree)
