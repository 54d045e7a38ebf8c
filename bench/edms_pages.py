"""Benchmark: the e-document workspace pages on PostgreSQL with a realistic 200,000 documents.

Run from the project folder::

    .venv/bin/python bench/edms_pages.py [--documents 200000] [--requests 200] [--keep]

What it does, in order (see bench/README.md for the figures and how to read them):

1. Creates a fresh PostgreSQL database ``bench_edms_<pid>`` on 127.0.0.1:5432 (user postgres,
   trust auth), points ``DATABASE_URL`` at it (``config.settings.dev`` with DEBUG off), runs
   ``migrate``, ``createcachetable`` and ``load_demo``.
2. Bulk-fills the documents of the 27 offices: registration numbers per journal and year with
   the journal counters set to match, resolutions, assignments (some delegated), reports,
   extension requests, the people on each document and dispatches between offices; then
   ``VACUUM ANALYZE``.
3. Times the inbox, execution control and document list pages through ``django.test.Client``
   (median and p95 over ``--requests`` requests after a warm-up) and counts their SQL queries.
4. Prints ``EXPLAIN ANALYZE`` one-line summaries of the main queries of those pages.
5. Drops the database unless ``--keep`` (or ``--reuse`` was given).

Nothing outside the new database and a temporary media folder is written; only local addresses
are used (REDIS_URL and ELASTICSEARCH_URL are unset for the run).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from harness import (  # bench/ is on the path when a benchmark runs
    PG_HOST,
    PG_PORT,
    PG_USER,
    ROOT,
    bound_statements,
    create_database,
    drop_database,
    phase,
    say,
)

TZ = ZoneInfo("Asia/Tashkent")  # settings.TIME_ZONE; no daylight saving time
BATCH = 5_000
STATEMENT_TIMEOUT_MS = 120_000
DAYS_OF_HISTORY = 730


# --- Command line and environment -----------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=200_000, help="documents to generate")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed of the fill")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--reuse",
        metavar="DBNAME",
        help="measure an existing database kept by an earlier --keep run (no create, no fill)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=3 * 3600,
        help="seconds; the timed loops stop early (and say so) once it is reached",
    )
    parser.add_argument("--plans", action="store_true", help="also print the full EXPLAIN plans")
    args = parser.parse_args(argv)
    if args.documents < 1_000 or args.documents > 5_000_000:
        parser.error("--documents must be between 1,000 and 5,000,000")
    if args.requests < 1 or args.requests > 100_000:
        parser.error("--requests must be between 1 and 100,000")
    if args.reuse and not args.reuse.startswith("bench_edms_"):
        parser.error("--reuse only takes a database this benchmark created (bench_edms_...)")
    return args


def configure_environment(dbname: str, media_root: str) -> None:
    """Settings come from the environment: set it before Django reads it."""
    os.environ["DATABASE_URL"] = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["MEDIA_ROOT"] = media_root
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    for name in ("REDIS_URL", "ELASTICSEARCH_URL"):  # in-process Celery, database search
        os.environ.pop(name, None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)


def setup_django() -> None:
    import warnings

    import django

    # WhiteNoise warns that collectstatic has not run; the benchmark serves no static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

    django.setup()

    bound_statements(STATEMENT_TIMEOUT_MS)


# --- Schema and demo data -------------------------------------------------------------------


def prepare_schema(timings: dict[str, float]) -> None:
    from django.core.management import call_command

    with phase("migrate", timings):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
    with phase("load_demo", timings):
        call_command("load_demo", verbosity=0)


# --- The fill -------------------------------------------------------------------------------

INCOMING_TITLES = [
    "Ichimlik suvi taʼminotini yaxshilash toʻgʻrisida",
    "Maktab binosini taʼmirlash haqida",
    "Koʻcha yoritgichlarini oʻrnatish toʻgʻrisida",
    "Yer uchastkasi chegaralari toʻgʻrisida",
    "Savdo rastalarini joylashtirish haqida",
    "Chiqindilarni olib ketish jadvali toʻgʻrisida",
    "Yoshlar bandligini taʼminlash chora-tadbirlari",
    "Yoʻl qurilishi loyihasini kelishish haqida",
    "Kasalxona isitish tizimi toʻgʻrisida",
    "Mahalla guzarini obodonlashtirish haqida",
    "Soliq tushumlari rejasining bajarilishi toʻgʻrisida",
    "Qishloq xoʻjaligi ekin maydonlari haqida maʼlumot",
]
ORGANISATIONS = [
    "Suvoqova MChJ",
    "Xalq taʼlimi boʻlimi",
    "«Yangi hayot» mahallasi",
    "Kadastr agentligi hududiy boʻlimi",
    "Dehqon bozori maʼmuriyati",
    "Obodonlashtirish boshqarmasi",
    "Yoshlar ishlari agentligi",
    "Yoʻl qurilishi boshqarmasi",
    "Tibbiyot birlashmasi",
    "Hududiy elektr tarmoqlari AJ",
    "Davlat soliq inspeksiyasi",
]
APPLICATION_TITLES = [
    "Uy-joy masalasi boʻyicha ariza",
    "Moddiy yordam soʻrab ariza",
    "Yer uchastkasi ajratish haqida ariza",
    "Gaz taʼminoti boʻyicha shikoyat",
    "Ish bilan taʼminlash haqida murojaat",
    "Ijtimoiy yordam berish haqida murojaat",
]
OUTGOING_TITLES = [
    "Murojaatga javob xati",
    "Hisobot taqdim etish haqida",
    "Tajriba almashish boʻyicha hamkorlik toʻgʻrisida",
    "Maʼlumot soʻrash haqida",
]
INTERNAL_TITLES = [
    "Farmoyish: ish rejasini tasdiqlash toʻgʻrisida",
    "Xizmat yozuvi: jihozlar taʼmiri haqida",
    "Buyruq: navbatchilik jadvali toʻgʻrisida",
]
FIRST_NAMES = ["Akmal", "Dilshod", "Gulchehra", "Kamola", "Laziz", "Nigora", "Oybek", "Shoira"]
LAST_NAMES = ["Abdurahmonov", "Boboyeva", "Ganiyev", "Haydarova", "Jalilov", "Mamatova", "Olimov"]
EXECUTOR_DEPARTMENTS = ["appeals", "architecture", "land", "social", "economy", "legal"]
SUMMARY = (
    "Xatda koʻrsatilgan masala boʻyicha oʻrganish oʻtkazish, zarur choralarni koʻrish va "
    "natijasi haqida belgilangan muddatda maʼlumot berish soʻralgan."
)

KIND_WEIGHTS = {"incoming": 40, "application": 20, "outgoing": 25, "internal": 15}
OPEN_WEIGHTS = {"new": 30, "in_progress": 45, "extension_requested": 8, "reported": 17}


@dataclass
class OfficeStaff:
    head: Any
    controller: Any
    registrar: Any
    executors: list[Any]


@dataclass
class AssignmentPlan:
    executor: Any
    is_lead: bool
    deadline: date
    status: str
    closed_on: date | None
    children: list[AssignmentPlan] = field(default_factory=list)


@dataclass
class ResolutionPlan:
    date: date
    deadline: date
    assignments: list[AssignmentPlan]


@dataclass
class FillStats:
    rows: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=TZ)


@contextmanager
def explicit_timestamps(*models: Any) -> Iterator[None]:
    """``auto_now_add`` would stamp every generated row with the time of the fill; the fill sets
    realistic times itself (for this process only, the models are not changed on disk)."""
    fields = [f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now_add", 0)]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


class Calendar:
    """Working days from the product's public calendar (no overrides exist in the fill)."""

    def __init__(self, today: date) -> None:
        from edms.calendar import is_public_working_day

        self.is_working = is_public_working_day
        self.today = today
        first = today - timedelta(days=DAYS_OF_HISTORY)
        self.days = [
            first + timedelta(days=n)
            for n in range(DAYS_OF_HISTORY + 1)
            if is_public_working_day(first + timedelta(days=n))
        ]
        self.recent = set(self.days[-3:])  # today and the two working days before

    def add(self, day: date, count: int) -> date:
        while count > 0:
            day += timedelta(days=1)
            if self.is_working(day):
                count -= 1
        return day


def office_shares(offices: list[Any], total: int) -> dict[int, int]:
    """Cities and regional khokimiyats handle half again as much as a district."""
    weights = {o.pk: 1.5 if o.kind in ("region", "city") else 1.0 for o in offices}
    scale = total / sum(weights.values())
    shares = {pk: int(w * scale) for pk, w in weights.items()}
    leftover = total - sum(shares.values())
    for pk in sorted(weights, key=lambda pk: weights[pk] * scale - shares[pk], reverse=True):
        if leftover <= 0:
            break
        shares[pk] += 1
        leftover -= 1
    return shares


def create_staff(offices: list[Any], rng: random.Random, stats: FillStats) -> dict[int, Any]:
    """Demo staff exist only in jizzakh-city and namangan-city: every office gets a head, a
    controller, a registrar and 4-6 executors; the demo offices get extra executors."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from edms.demo import DEMO_OFFICES, DEMO_PASSWORD
    from edms.models import Department, Position
    from edms.roles import Role, role_group

    user_model = get_user_model()
    password = make_password(DEMO_PASSWORD)
    groups = {role: role_group(role) for role in Role}
    departments = {(d.office_id, d.code): d for d in Department.objects.all()}
    wanted: list[tuple[Any, Role, int]] = []
    for office in offices:
        executors = 6 if office.kind in ("region", "city") else 4
        if office.code in DEMO_OFFICES:
            wanted += [(office, Role.EXECUTOR, n) for n in range(2, executors + 1)]
        else:
            wanted += [(office, role, 0) for role in (Role.HEAD, Role.CONTROLLER, Role.REGISTRAR)]
            wanted += [(office, Role.EXECUTOR, n) for n in range(1, executors + 1)]
    users = [
        user_model(
            username=f"bench.{office.code}.{role.value}{n or ''}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            email=f"bench.{office.code}.{role.value}{n or ''}@khokimiyat.example",
            password=password,
        )
        for office, role, n in wanted
    ]
    user_model.objects.bulk_create(users, batch_size=BATCH)
    titles = {
        Role.HEAD: ("leadership", "Hokim", True),
        Role.CONTROLLER: ("chancellery", "Ijro nazorati boʻyicha bosh mutaxassis", False),
        Role.REGISTRAR: ("chancellery", "Devonxona mudiri", True),
    }
    positions = []
    for user, (office, role, _n) in zip(users, wanted, strict=True):
        code, title, lead = titles.get(
            role, (rng.choice(EXECUTOR_DEPARTMENTS), "Bosh mutaxassis", False)
        )
        positions.append(
            Position(
                user=user,
                office=office,
                department=departments[(office.pk, code)],
                title=title,
                is_lead=lead,
            )
        )
    Position.objects.bulk_create(positions, batch_size=BATCH)
    membership = user_model.groups.through
    membership.objects.bulk_create(
        [
            membership(user_id=user.pk, group_id=groups[role].pk)
            for user, (_office, role, _n) in zip(users, wanted, strict=True)
        ],
        batch_size=BATCH,
    )
    stats.rows["users (staff)"] += len(users)
    stats.rows["positions"] += len(positions)
    stats.rows["group memberships"] += len(users)

    by_name = {u.username: u for u in user_model.objects.filter(username__contains=".")}
    staff: dict[int, OfficeStaff] = {}
    for office in offices:
        prefix = office.code if office.code in DEMO_OFFICES else f"bench.{office.code}"
        executors = [u for name, u in by_name.items() if name.startswith(f"{prefix}.executor")]
        if office.code in DEMO_OFFICES:
            executors = [by_name[f"{office.code}.executor"]] + [
                u for name, u in by_name.items() if name.startswith(f"bench.{office.code}.executor")
            ]
        staff[office.pk] = OfficeStaff(
            head=by_name[f"{prefix}.head"],
            controller=by_name[f"{prefix}.controller"],
            registrar=by_name[f"{prefix}.registrar"],
            executors=sorted(executors, key=lambda u: u.pk),
        )
    return staff


def assignment_fate(
    deadline: date, start: date, today: date, rng: random.Random
) -> tuple[str, date | None]:
    """Old work is mostly done (a few chronic overdue items stay open); recent work is open."""
    overdue = (today - deadline).days
    p_open = 0.04 if overdue > 30 else 0.4 if overdue > 0 else 0.85
    if rng.random() < p_open:
        return rng.choices(list(OPEN_WEIGHTS), weights=list(OPEN_WEIGHTS.values()))[0], None
    if rng.random() < 0.04:
        return "cancelled", None
    closed = deadline + timedelta(days=rng.randint(-8, 3))  # about one in five closes late
    return "done", min(max(closed, start), today)


def plan_resolution(
    reg_date: date, staff: OfficeStaff, cal: Calendar, rng: random.Random
) -> ResolutionPlan:
    today = cal.today
    written = min(cal.add(reg_date, rng.choice([0, 0, 1, 2])), today)
    deadline = cal.add(written, rng.choice([5, 10, 10, 15]))
    people = rng.sample(staff.executors, 2)
    plans = []
    for executor, lead in ((people[0], True), (people[1], False)):
        if not lead and rng.random() >= 0.35:  # a co-executor on about a third
            continue
        status, closed = assignment_fate(deadline, written, today, rng)
        plan = AssignmentPlan(executor, lead, deadline, status, closed)
        if lead and rng.random() < 0.05:  # the lead delegates part of it
            helper = rng.choice([e for e in staff.executors if e.pk != executor.pk])
            sub_deadline = max(written, deadline - timedelta(days=2))
            sub_status, sub_closed = assignment_fate(sub_deadline, written, today, rng)
            plan.children.append(
                AssignmentPlan(helper, False, sub_deadline, sub_status, sub_closed)
            )
        plans.append(plan)
    return ResolutionPlan(written, deadline, plans)


def fill_office(
    office: Any,
    count: int,
    staff: OfficeStaff,
    journals: dict[str, Any],
    departments: list[Any],
    other_offices: list[Any],
    counters: dict[tuple[int, int], int],
    cal: Calendar,
    rng: random.Random,
    stats: FillStats,
) -> None:
    from edms.models import (
        Assignment,
        AssignmentReport,
        Dispatch,
        Document,
        ExtensionRequest,
        Resolution,
    )

    today = cal.today
    kinds = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=count)
    dates = sorted(rng.choice(cal.days) for _ in range(count))
    journal_of = {
        "incoming": journals["incoming"],
        "application": journals["applications"],
        "outgoing": journals["outgoing"],
        "internal": journals["internal"],
    }
    documents: list[Any] = []
    resolutions: list[ResolutionPlan | None] = []
    for kind, reg_date in zip(kinds, dates, strict=True):
        journal = journal_of[kind]
        key = (journal.pk, reg_date.year)
        counters[key] = seq = counters.get(key, 0) + 1
        recent = reg_date in cal.recent
        plan = None
        correspondent_office = None
        due_date = None
        if kind in ("incoming", "application"):
            due_date = cal.add(reg_date, 15)
            if rng.random() < (0.3 if recent else 0.6):
                plan = plan_resolution(reg_date, staff, cal, rng)
        if kind == "incoming":
            n = rng.randrange(len(INCOMING_TITLES))
            title = INCOMING_TITLES[n]
            if rng.random() < 0.15:
                correspondent_office = rng.choice(other_offices)
                corr_kind, corr_name, channel = "office", "", "exchange"
            else:
                corr_kind, corr_name, channel = "organisation", rng.choice(ORGANISATIONS), "paper"
        elif kind == "application":
            title = rng.choice(APPLICATION_TITLES)
            person = f"Fuqaro {rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)[0]}."
            corr_kind, corr_name, channel = "person", person, "application"
        elif kind == "outgoing":
            title = rng.choice(OUTGOING_TITLES)
            if rng.random() < 0.4:
                correspondent_office = rng.choice(other_offices)
                corr_kind, corr_name = "office", ""
            else:
                corr_kind, corr_name = "organisation", rng.choice(ORGANISATIONS)
            channel = "created"
        else:
            title = rng.choice(INTERNAL_TITLES)
            corr_kind, corr_name, channel = "", "", "created"
            if rng.random() < 0.5:
                due_date = cal.add(reg_date, 10)
        if plan is not None:
            still_open = [a for a in plan.assignments if a.status not in ("done", "cancelled")]
            status = "in_work" if still_open else "done"
        elif kind in ("incoming", "application", "internal"):
            status = "registered" if recent or rng.random() < 0.01 else "closed"
        else:
            status = "done"
        documents.append(
            Document(
                office=office,
                journal=journal,
                kind=kind,
                reg_seq=seq,
                reg_year=reg_date.year,
                reg_number=journal.format_number(seq, reg_date.year),
                reg_date=reg_date,
                title=f"{title} ({seq})",
                summary=SUMMARY,
                correspondent_kind=corr_kind,
                correspondent_name=corr_name,
                correspondent_office=correspondent_office,
                channel=channel,
                is_confidential=rng.random() < 0.03,
                status=status,
                department=rng.choice(departments),
                due_date=due_date,
                registered_by=staff.registrar,
                created_at=at(reg_date, rng.randint(9, 16), rng.randint(0, 59)),
            )
        )
        resolutions.append(plan)
    Document.objects.bulk_create(documents, batch_size=BATCH)
    stats.rows["documents"] += len(documents)

    # Resolutions, then their assignments, then the delegated parts (they need the parent's pk).
    written = [
        (doc, plan) for doc, plan in zip(documents, resolutions, strict=True) if plan is not None
    ]
    resolution_rows = [
        Resolution(
            document=doc,
            author=staff.head,
            text="Oʻrganib chiqilsin va javob loyihasi tayyorlansin.",
            deadline=plan.deadline,
            controller=staff.controller,
            created_at=at(plan.date, 11),
        )
        for doc, plan in written
    ]
    Resolution.objects.bulk_create(resolution_rows, batch_size=BATCH)

    def assignment_row(
        resolution: Any, doc: Any, a: AssignmentPlan, by: Any, parent: Any = None
    ) -> Any:
        closed_at = at(a.closed_on, 16) if a.closed_on else None
        return Assignment(
            resolution=resolution,
            document=doc,
            office_id=doc.office_id,
            reviewer=parent.executor
            if parent is not None
            else (resolution.controller or resolution.author),
            parent=parent,
            executor=a.executor,
            is_lead=a.is_lead,
            assigned_by=by,
            deadline=a.deadline,
            status=a.status,
            created_at=resolution.created_at,
            closed_at=closed_at,
            closed_on=a.closed_on,
        )

    tops: list[tuple[Any, AssignmentPlan]] = []
    for resolution, (doc, plan) in zip(resolution_rows, written, strict=True):
        for a in plan.assignments:
            tops.append((assignment_row(resolution, doc, a, staff.head), a))
    Assignment.objects.bulk_create([row for row, _a in tops], batch_size=BATCH)
    subs = [
        (assignment_row(row.resolution, row.document, child, row.executor, parent=row), child)
        for row, a in tops
        for child in a.children
    ]
    Assignment.objects.bulk_create([row for row, _a in subs], batch_size=BATCH)
    stats.rows["resolutions"] += len(resolution_rows)
    stats.rows["assignments"] += len(tops) + len(subs)

    # Reports and extension requests, as the controller (or the delegating executor) saw them.
    reports, extensions = [], []
    for row, a in tops + subs:
        reviewer = row.parent.executor if row.parent is not None else staff.controller
        start = row.created_at.date()
        if a.status == "reported":
            sent = min(today, start + timedelta(days=rng.randint(1, 6)))
            reports.append(
                AssignmentReport(
                    assignment=row,
                    author=row.executor,
                    text="Javob loyihasi tayyorlandi, ilova qilindi.",
                    status="submitted",
                    created_at=at(sent, 15),
                )
            )
        elif a.status == "done" and a.closed_on is not None:
            if rng.random() < 0.1 and a.closed_on > start:
                reports.append(
                    AssignmentReport(
                        assignment=row,
                        author=row.executor,
                        text="Dastlabki javob.",
                        status="refused",
                        reviewed_by=reviewer,
                        reviewed_at=at(a.closed_on, 10),
                        comment="Toʻliq emas, qayta ishlansin.",
                        created_at=at(start, 15),
                    )
                )
            reports.append(
                AssignmentReport(
                    assignment=row,
                    author=row.executor,
                    text="Topshiriq bajarildi.",
                    status="accepted",
                    reviewed_by=reviewer,
                    reviewed_at=at(a.closed_on, 16),
                    created_at=at(a.closed_on, 12),
                )
            )
        if a.status == "extension_requested" or (a.status == "done" and rng.random() < 0.05):
            pending = a.status == "extension_requested"
            extensions.append(
                ExtensionRequest(
                    assignment=row,
                    requested_by=row.executor,
                    old_deadline=a.deadline,
                    new_deadline=a.deadline + timedelta(days=7),
                    reason="Qoʻshimcha maʼlumot soʻralgan.",
                    status="pending" if pending else "accepted",
                    decided_by=None if pending else reviewer,
                    decided_at=None if pending else at(min(today, a.deadline), 10),
                    created_at=at(min(today, start + timedelta(days=2)), 10),
                )
            )
    AssignmentReport.objects.bulk_create(reports, batch_size=BATCH)
    ExtensionRequest.objects.bulk_create(extensions, batch_size=BATCH)
    stats.rows["reports"] += len(reports)
    stats.rows["extension requests"] += len(extensions)

    # The people on each document: what resolution_write and registration add in the product.
    through = Document.participants.through
    pairs: set[tuple[int, int]] = set()
    for doc in documents:
        if doc.is_confidential:
            pairs.add((doc.pk, staff.registrar.pk))
    for row, _a in tops + subs:
        pairs.update(
            {
                (row.document_id, staff.head.pk),
                (row.document_id, staff.controller.pk),
                (row.document_id, row.executor_id),
            }
        )
    through.objects.bulk_create(
        [through(document_id=d, user_id=u) for d, u in sorted(pairs)], batch_size=BATCH
    )
    stats.rows["participants"] += len(pairs)

    # Outgoing letters go out: through the system to another office, else by e-mail or paper.
    dispatches = []
    for doc in documents:
        if doc.kind != "outgoing" or rng.random() >= 0.7:
            continue
        system = doc.correspondent_office is not None
        if system:
            waiting = doc.reg_date in cal.recent and rng.random() < 0.5
            status = "delivered" if waiting else "registered"
        else:
            status = "sent"
        dispatches.append(
            Dispatch(
                document=doc,
                channel="system" if system else rng.choice(["email", "paper"]),
                recipient_office=doc.correspondent_office,
                recipient_name="" if system else doc.correspondent_name,
                status=status,
                sent_by=staff.registrar,
                sent_at=at(doc.reg_date, 17),
                handled_by=None,
                handled_at=at(doc.reg_date, 17) + timedelta(days=1)
                if status == "registered"
                else None,
            )
        )
    Dispatch.objects.bulk_create(dispatches, batch_size=BATCH)
    stats.rows["dispatches"] += len(dispatches)


def fill(documents: int, seed: int, timings: dict[str, float]) -> FillStats:
    from django.db import connection, transaction
    from django.utils import timezone

    from edms.models import (
        Assignment,
        AssignmentReport,
        Department,
        Dispatch,
        Document,
        ExtensionRequest,
        Journal,
        JournalCounter,
        Office,
        Resolution,
    )

    rng = random.Random(seed)  # noqa: S311 - reproducible made-up data, not a secret
    stats = FillStats()
    today = timezone.localdate()
    cal = Calendar(today)
    offices = list(Office.objects.order_by("sort_order", "code"))
    if len(offices) != 27:
        say(f"  note: {len(offices)} offices in the demo data (27 expected)")
    shares = office_shares(offices, documents)
    say(
        f"… fill: {documents:,} documents over {len(offices)} offices, {len(cal.days)} working days"
    )
    started = time.perf_counter()
    with transaction.atomic():
        staff = create_staff(offices, rng, stats)
    journals: dict[int, dict[str, Any]] = defaultdict(dict)
    for journal in Journal.objects.filter(is_active=True).order_by("pk"):
        journals[journal.office_id].setdefault(journal.kind, journal)
    departments: dict[int, list[Any]] = defaultdict(list)
    for department in Department.objects.exclude(code="leadership"):
        departments[department.office_id].append(department)
    # Numbers continue after what the demo month already registered.
    counters = {(c.journal_id, c.year): c.last_number for c in JournalCounter.objects.all()}
    timestamped = (Document, Resolution, Assignment, AssignmentReport, ExtensionRequest)
    with explicit_timestamps(*timestamped, Dispatch):
        for n, office in enumerate(offices, 1):
            with transaction.atomic():
                fill_office(
                    office,
                    shares[office.pk],
                    staff[office.pk],
                    journals[office.pk],
                    departments[office.pk],
                    [o for o in offices if o.pk != office.pk],
                    counters,
                    cal,
                    rng,
                    stats,
                )
            elapsed = time.perf_counter() - started
            say(
                f"  {n:2d}/{len(offices)} {office.code:<20} {shares[office.pk]:>7,} documents"
                f"  {stats.total:>9,} rows in {elapsed:6.1f} s"
            )
    JournalCounter.objects.bulk_create(
        [
            JournalCounter(journal_id=j, year=y, last_number=last)
            for (j, y), last in counters.items()
        ],
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["journal", "year"],
        update_fields=["last_number"],
    )
    stats.rows["journal counters"] += len(counters)
    timings["fill"] = time.perf_counter() - started
    say(
        f"  fill: {timings['fill']:.1f} s, {stats.total:,} rows "
        f"({stats.total / timings['fill']:,.0f} rows/s; "
        f"{stats.rows['documents'] / timings['fill']:,.0f} documents/s)"
    )
    for name, value in stats.rows.items():
        say(f"    {name:<20} {value:>9,}")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM edms_document d LEFT JOIN edms_journalcounter c"
            " ON c.journal_id = d.journal_id AND c.year = d.reg_year"
            " WHERE c.id IS NULL OR d.reg_seq > c.last_number"
        )
        bad = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM edms_journalcounter c WHERE c.last_number <>"
            " (SELECT max(reg_seq) FROM edms_document d"
            "  WHERE d.journal_id = c.journal_id AND d.reg_year = c.year)"
        )
        off = cursor.fetchone()[0]
    say(
        f"  numbering check: {bad} documents above their counter, {off} counters not at the"
        f" journal's last number ({'OK' if bad == off == 0 else 'INCONSISTENT'})"
    )
    with phase("VACUUM ANALYZE", timings):
        connection.ensure_connection()
        autocommit = connection.get_autocommit()
        connection.set_autocommit(True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        connection.set_autocommit(autocommit)
    return stats


# --- Measuring the pages --------------------------------------------------------------------


@dataclass
class PageCase:
    label: str
    username: str
    path: str
    key_query: tuple[str, Callable[[str], bool]] | None = None


@dataclass
class PageResult:
    case: PageCase
    samples_ms: list[float]
    queries: int
    queries_varied: bool
    sql_ms: float
    bytes: int
    statements: list[tuple[str, Any]]
    stopped_early: bool

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank


def is_inbox_assignments(text: str) -> bool:
    return 'FROM "edms_assignment"' in text and '"edms_assignment"."executor_id" =' in text


def is_control_counts(text: str) -> bool:
    return 'FROM "edms_assignment"' in text and "COUNT(" in text and "FILTER" in text


def build_cases() -> list[PageCase]:
    from edms.access import documents_visible_to
    from edms.models import Document

    registrar = user_named("jizzakh-city.registrar")
    visible = documents_visible_to(registrar).count()
    pages = max(1, math.ceil(visible / 25))
    say(f"  jizzakh-city.registrar sees {visible:,} documents: {pages:,} list pages")
    number = (
        Document.objects.filter(office__code="jizzakh-city", kind="incoming")
        .order_by("reg_date", "pk")
        .values_list("reg_number", flat=True)
        .first()
        or "K-1/25"
    )
    inbox_key = ("inbox: open assignments of the executor", is_inbox_assignments)
    control_key = ("control: the five bucket counts", is_control_counts)
    cases = [
        PageCase("inbox", "jizzakh-city.executor", "/workspace/", inbox_key),
        PageCase("inbox", "jizzakh-city.head", "/workspace/"),
        PageCase("inbox", "jizzakh-city.controller", "/workspace/"),
        PageCase(
            "control (overdue)", "jizzakh-city.controller", "/workspace/control/", control_key
        ),
        PageCase(
            "control due_soon", "jizzakh-city.controller", "/workspace/control/?show=due_soon"
        ),
        PageCase(
            "control closed_on_time",
            "jizzakh-city.controller",
            "/workspace/control/?show=closed_on_time",
        ),
        PageCase("documents p1", "jizzakh-city.registrar", "/workspace/documents/"),
    ]
    if pages >= 50:
        cases.append(
            PageCase("documents p50", "jizzakh-city.registrar", "/workspace/documents/?page=50")
        )
    else:
        say("  (no page 50 of the document list: fewer than 1,226 visible documents)")
    cases += [
        PageCase(
            "documents q=number", "jizzakh-city.registrar", f"/workspace/documents/?q={number}"
        ),
        PageCase("documents q=suv", "jizzakh-city.registrar", "/workspace/documents/?q=suv"),
    ]
    return cases


def user_named(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def measure(case: PageCase, requests: int, warmup: int, deadline: float) -> PageResult:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user_named(case.username))

    def get() -> Any:
        response = client.get(case.path)
        if response.status_code != 200:
            raise RuntimeError(f"{case.path} as {case.username}: HTTP {response.status_code}")
        return response

    for _ in range(warmup):
        get()
    samples: list[float] = []
    stopped = False
    for _ in range(requests):
        if time.monotonic() > deadline and len(samples) >= 10:
            stopped = True
            break
        started = time.perf_counter()
        response = get()
        samples.append((time.perf_counter() - started) * 1000)
    # Query count through CaptureQueriesContext; time inside the database through a wrapper
    # with perf_counter (the captured times are rounded to whole milliseconds).
    counts, sql_times = [], []
    statements: list[tuple[str, Any]] = []

    def timed(execute: Any, text: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(text, params, many, context)
        finally:
            sql_times[-1] += time.perf_counter() - started

    for _ in range(3):
        sql_times.append(0.0)
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
            response = get()
        counts.append(len(captured.captured_queries))

    def record(execute: Any, text: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((text, params))
        return execute(text, params, many, context)

    with connection.execute_wrapper(record):
        get()
    return PageResult(
        case=case,
        samples_ms=samples,
        queries=max(counts),
        queries_varied=len(set(counts)) > 1,
        sql_ms=statistics.median(sql_times) * 1000,
        bytes=len(response.content),
        statements=statements,
        stopped_early=stopped,
    )


# --- EXPLAIN ANALYZE ------------------------------------------------------------------------


@dataclass
class Explained:
    text: str
    execution_ms: float
    planning_ms: float
    summary: str
    plan: Any


def explain(text: str, params: Any) -> Explained | None:
    import json

    from django.db import connection

    if not text.lstrip().upper().startswith("SELECT"):
        return None
    with connection.cursor() as cursor:
        # The statement is one Django itself just ran, with its own parameters.
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + text, params)
        raw = cursor.fetchone()[0]
    plan = json.loads(raw) if isinstance(raw, str) else raw
    root = plan[0]
    return Explained(
        text=text,
        execution_ms=root["Execution Time"],
        planning_ms=root["Planning Time"],
        summary=summarize(root),
        plan=root,
    )


def summarize(root: dict[str, Any]) -> str:
    """One line: times, and for every table read whether through an index or sequentially."""
    seq: dict[str, int] = {}
    index: dict[str, int] = {}
    notes: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        kind = node["Node Type"]
        loops = node.get("Actual Loops", 1) or 1
        read = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
        if kind in ("Seq Scan", "Parallel Seq Scan"):
            name = node["Relation Name"]
            seq[name] = seq.get(name, 0) + read
        elif kind in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"):
            name = f"{node['Index Name']}"
            index[name] = index.get(name, 0) + read
        if kind == "Sort" and node.get("Sort Space Type") == "Disk":
            notes.append("sort spills to disk")
        if kind in ("Sort", "Incremental Sort") and node.get("Actual Rows", 0) > 5_000:
            notes.append(f"sorts {node['Actual Rows']:,} rows")
        for child in node.get("Plans", []):
            walk(child)

    walk(root["Plan"])
    big_seq = {name: rows for name, rows in seq.items() if rows >= 1_000}
    verdict = "SEQ SCAN" if big_seq else "index" if index else "no table scan of size"
    parts = [f"{root['Execution Time']:.2f} ms (+{root['Planning Time']:.2f} ms planning)"]
    parts.append(verdict)
    parts += [f"seq {name} ~{rows:,} rows" for name, rows in sorted(seq.items())]
    parts += [f"idx {name} ~{rows:,} rows" for name, rows in sorted(index.items())]
    parts += sorted(set(notes))
    return " · ".join(parts)


def short_label(text: str) -> str:
    """The main table of a statement and what it does (count, aggregate, page)."""
    upper = text.upper()
    match = re.search(r'FROM "(\w+)"', text)
    table = match.group(1) if match else "?"
    what = []
    if "COUNT(" in upper:
        what.append("count")
    if "DISTINCT" in upper:
        what.append("distinct")
    if " LIMIT " in upper:
        what.append("limit " + upper.split(" LIMIT ")[-1].split()[0])
    if " OFFSET " in upper:
        what.append("offset " + upper.split(" OFFSET ")[-1].split()[0])
    return f"{table}" + (f" [{', '.join(what)}]" if what else "")


# --- Report ---------------------------------------------------------------------------------


def print_table(results: list[PageResult]) -> None:
    header = (
        f"{'page':<24} {'user':<25} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'min ms':>7}"
        f" {'max ms':>8} {'queries':>7} {'SQL ms':>7} {'KiB':>5}"
    )
    say(header)
    say("-" * len(header))
    for r in results:
        flag = "~" if r.queries_varied else " "
        say(
            f"{r.case.label:<24} {r.case.username:<25} {len(r.samples_ms):>4}"
            f" {r.median:>10.1f} {r.p95:>8.1f} {min(r.samples_ms):>7.1f}"
            f" {max(r.samples_ms):>8.1f} {r.queries:>6}{flag} {r.sql_ms:>7.1f}"
            f" {r.bytes / 1024:>5.0f}"
            + ("  (stopped early: time limit)" if r.stopped_early else "")
        )
    say(
        "n: timed requests; queries: SQL statements per request (~: varied between requests);"
        "\nSQL ms: time spent executing SQL in one request (median of 3 extra requests);"
        "\nKiB: size of the HTML."
    )


def print_explains(results: list[PageResult], full_plans: bool) -> None:
    say("\nEXPLAIN ANALYZE of the main queries (one line each)")
    say(
        "(seq/idx: how each table was read and about how many rows, summed over loops and"
        " parallel workers)"
    )
    say("=" * 60)
    for r in results:
        if r.case.key_query is None:
            continue
        name, matches = r.case.key_query
        found = [(t, p) for t, p in r.statements if matches(t)]
        if not found:
            say(f"{name}: query not found on the page")
            continue
        explained = explain(*found[0])
        if explained is None:
            continue
        say(f"{name} ({r.case.username}):\n  {explained.summary}")
        say(f"  SQL: {shape(explained.text)}")
        if full_plans:
            print_plan(explained.plan["Plan"])
    say("\nThe three slowest statements of each page (EXPLAIN ANALYZE, same parameters)")
    say("=" * 60)
    for r in results:
        explained = [e for e in (explain(t, p) for t, p in r.statements) if e is not None]
        explained.sort(key=lambda e: e.execution_ms, reverse=True)
        total = sum(e.execution_ms for e in explained)
        say(
            f"{r.case.label} as {r.case.username} ({len(r.statements)} statements,"
            f" {total:.1f} ms executing in total):"
        )
        say(f"  statements by table: {tables_of(r.statements)}")
        for e in explained[:3]:
            say(f"  {short_label(e.text):<44} {e.summary}")
            if full_plans:
                say(f"    SQL: {shape(e.text)}")
                print_plan(e.plan["Plan"], indent=4)


def compact(text: str, limit: int = 600) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shape(text: str, limit: int = 900) -> str:
    """The statement without its long column list: ``SELECT … FROM …``."""
    text = " ".join(text.split())
    head, sep, rest = text.partition(" FROM ")
    if sep and head.upper().startswith("SELECT") and "(" not in head[:40] and len(head) > 80:
        text = f"SELECT … FROM {rest}"  # noqa: S608 - text to print, never executed
    return compact(text, limit)


def tables_of(statements: list[tuple[str, Any]]) -> str:
    """How many statements read each main table, e.g. ``wagtailcore_page 6``."""
    counts = Counter(short_label(text).split(" [")[0] for text, _params in statements)
    return ", ".join(f"{name} {n}" for name, n in counts.most_common())


def print_plan(node: dict[str, Any], indent: int = 2) -> None:
    name = node["Node Type"]
    on = node.get("Index Name") or node.get("Relation Name") or ""
    say(
        f"{' ' * indent}-> {name}{' ' + on if on else ''}"
        f"  rows={node.get('Actual Rows')} loops={node.get('Actual Loops')}"
        f" time={node.get('Actual Total Time')} ms"
        + (f"  filter: {node['Filter']}" if "Filter" in node else "")
        + (f"  cond: {node['Index Cond']}" if "Index Cond" in node else "")
    )
    for child in node.get("Plans", []):
        print_plan(child, indent + 3)


def print_context() -> None:
    """What the pages work on: the numbers behind them for jizzakh-city."""
    from django.db.models import Q
    from django.utils import timezone

    from edms.models import Assignment, AssignmentReport, Document
    from edms.selectors import OPEN_STATUSES

    today = timezone.localdate()
    office_docs = Document.objects.filter(office__code="jizzakh-city")
    work = Assignment.objects.filter(document__office__code="jizzakh-city")
    executor = user_named("jizzakh-city.executor")
    controller = user_named("jizzakh-city.controller")
    mine = Assignment.objects.filter(executor=executor, status__in=OPEN_STATUSES).count()
    to_review = AssignmentReport.objects.filter(
        Q(assignment__resolution__controller=controller), status="submitted"
    ).count()
    say(
        f"Database: {Document.objects.count():,} documents, {Assignment.objects.count():,}"
        f" assignments, {AssignmentReport.objects.count():,} reports in all offices.\n"
        f"jizzakh-city: {office_docs.count():,} documents, {work.count():,} assignments"
        f" ({work.filter(status__in=OPEN_STATUSES, deadline__lt=today).count():,} open overdue);"
        f" jizzakh-city.executor has"
        f" {mine:,} open assignments (the inbox shows 50); reports awaiting"
        f" jizzakh-city.controller: {to_review:,}."
    )


# --- Main -----------------------------------------------------------------------------------


def terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally that drops the database


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, terminate)
    deadline = time.monotonic() + args.time_limit
    dbname = args.reuse or f"bench_edms_{os.getpid()}"
    media_root = tempfile.mkdtemp(prefix="bench_edms_media_")
    created = False
    django_ready = False
    timings: dict[str, float] = {}
    try:
        if not args.reuse:
            create_database(dbname)
            created = True
        say(f"Database {dbname} on {PG_HOST}:{PG_PORT}")
        configure_environment(dbname, media_root)
        setup_django()
        django_ready = True
        if not args.reuse:
            prepare_schema(timings)
            fill(args.documents, args.seed, timings)
        say()
        print_context()
        say(f"\nMeasuring: {args.warmup} warm-up + {args.requests} timed requests per page")
        results = []
        load_before = os.getloadavg()
        for case in build_cases():
            result = measure(case, args.requests, args.warmup, deadline)
            say(
                f"  {case.label:<24} {case.username:<25} median {result.median:7.1f} ms"
                f"  p95 {result.p95:7.1f} ms  {result.queries} queries"
            )
            results.append(result)
        load_after = os.getloadavg()
        say("\nResults (single process, django.test.Client, DEBUG off, PostgreSQL 127.0.0.1)")
        say("=" * 60)
        say(
            f"Machine: {os.cpu_count()} CPUs; load average (1 min) {load_before[0]:.2f} before"
            f" and {load_after[0]:.2f} after measuring (other work on the machine shows here)"
        )
        if timings:
            say(
                "Setup: "
                + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
            )
        print_table(results)
        print_explains(results, args.plans)
    finally:
        if django_ready:
            from django.db import connections

            connections.close_all()
        shutil.rmtree(media_root, ignore_errors=True)
        if created and not args.keep:
            drop_database(dbname)
            say(f"\nDropped database {dbname}.")
        elif created:
            say(
                f"\nKept database {dbname}; measure again with --reuse {dbname}, drop it with"
                f' psql -h {PG_HOST} -U {PG_USER} -c "DROP DATABASE {dbname}"'
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
