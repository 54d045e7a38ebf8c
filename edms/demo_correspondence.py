"""A realistic month of correspondence for the demo offices, made through the real services.

Each working day of the last month the chancellery registers letters; the head writes
resolutions; executors start, ask for more time, report; the controller accepts; some work runs
late and some is still open past its deadline; outgoing letters go between jizzakh-city and
namangan-city and are registered or returned there. Every step runs on its own day (the clock is
set to that day while it runs), so numbers, deadlines, countdowns and the audit trail read as
they would after a month of real work. Only ``manage.py load_demo`` calls this.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from edms import assignments
from edms.calendar import add_working_days, is_working_day
from edms.exchange import dispatch_register, dispatch_return, document_dispatch
from edms.models import Assignment, Dispatch, Document, Journal, Office
from edms.registration import document_register

DEMO_OFFICES = ("jizzakh-city", "namangan-city")
DAYS = 30

LETTERS = [
    ("Ichimlik suvi taʼminotini yaxshilash toʻgʻrisida", "Suvoqova MChJ"),
    ("Maktab binosini taʼmirlash haqida", "Xalq taʼlimi boʻlimi"),
    ("Koʻcha yoritgichlarini oʻrnatish toʻgʻrisida", "«Yangi hayot» mahallasi"),
    ("Ijtimoiy yordam berish haqida murojaat", "Fuqaro Qodirova M."),
    ("Yer uchastkasi chegaralari toʻgʻrisida", "Kadastr agentligi hududiy boʻlimi"),
    ("Savdo rastalarini joylashtirish haqida", "Dehqon bozori maʼmuriyati"),
    ("Chiqindilarni olib ketish jadvali toʻgʻrisida", "Obodonlashtirish boshqarmasi"),
    ("Yoshlar bandligini taʼminlash chora-tadbirlari", "Yoshlar ishlari agentligi"),
    ("Yoʻl qurilishi loyihasini kelishish haqida", "Yoʻl qurilishi boshqarmasi"),
    ("Kasalxona isitish tizimi toʻgʻrisida", "Tibbiyot birlashmasi"),
]


@dataclass(order=True)
class Event:
    at: datetime
    order: int
    run: Callable[[], None] = field(compare=False)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Services read the time through ``timezone.now``: set it to the moment being replayed."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def people(office: str) -> dict[str, User]:
    users = get_user_model().objects.filter(username__startswith=f"{office}.")
    return {u.username.split(".", 1)[1]: u for u in users}


def working_days_back(today: date, count: int) -> list[date]:
    days: list[date] = []
    day = today
    while len(days) < count:
        day -= timedelta(days=1)
        if is_working_day(day):
            days.append(day)
    return sorted(days)


class Month:
    """The events of one demo month, run in time order."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.events: list[Event] = []

    def at(self, day: date, hour: int, run: Callable[[], None]) -> None:
        if day <= self.today:
            self.events.append(Event(moment(day, hour), len(self.events), run))

    def run(self) -> None:
        # Events are created while earlier ones run (a report needs its assignment): keep
        # taking the earliest until none is left.
        while self.events:
            self.events.sort()
            event = self.events.pop(0)
            with clock_at(event.at):
                event.run()


def plan_office(month: Month, office_code: str, days: list[date]) -> None:
    staff = people(office_code)
    journal = Journal.objects.get(office__code=office_code, kind=Journal.Kind.INCOMING)
    office = journal.office
    for n, day in enumerate(days):
        for k in range(2):
            index = n * 2 + k
            title, correspondent = LETTERS[index % len(LETTERS)]
            confidential = index % 17 == 5

            def register(
                title: str = title,
                correspondent: str = correspondent,
                confidential: bool = confidential,
                index: int = index,
                day: date = day,
                hour: int = 11 + k,
            ) -> None:
                document = document_register(
                    journal=journal,
                    kind=Document.Kind.INCOMING,
                    title=title,
                    channel=Document.Channel.PAPER,
                    correspondent_kind=Document.CorrespondentKind.ORGANISATION,
                    correspondent_name=correspondent,
                    department=office.departments.filter(code="appeals").first(),
                    is_confidential=confidential,
                    due_date=add_working_days(day, 15, office=office),
                    by=staff["registrar"],
                )
                if confidential:
                    document.participants.add(staff["head"])
                if day < days[-2]:  # the last two days' letters still wait for a resolution
                    month.at(day, hour, lambda: resolve(document, index, day))

            month.at(day, 9 + k, register)

    def resolve(document: Document, index: int, day: date) -> None:
        deadline = add_working_days(day, 5 if index % 3 == 0 else 10, office=office)
        co = [staff["lawyer"]] if index % 4 == 0 else []
        resolution = assignments.resolution_write(
            document=document,
            by=staff["head"],
            text="Oʻrganib chiqilsin va javob loyihasi tayyorlansin.",
            deadline=deadline,
            lead_executor=staff["executor"],
            co_executors=co,
            controller=staff["controller"],
        )
        lead = resolution.assignments.get(is_lead=True)
        progress(lead, index % 6, day, deadline)

    def progress(assignment: Assignment, fate: int, day: date, deadline: date) -> None:
        executor, controller = staff["executor"], staff["controller"]
        next_day = add_working_days(day, 1, office=office)

        def start() -> None:
            assignments.assignment_start(assignment=assignment, by=executor)

        def report() -> None:
            assignments.assignment_report(
                assignment=assignment,
                by=executor,
                text="Javob loyihasi tayyorlandi, ilova qilindi.",
            )

        def accept() -> None:
            report_row = assignment.reports.filter(status="submitted").first()
            if report_row is not None:
                assignments.report_decide(report=report_row, by=controller, accept=True)

        def extension() -> None:
            assignments.assignment_request_extension(
                assignment=assignment,
                by=executor,
                new_deadline=add_working_days(deadline, 5, office=office),
                reason="Qoʻshimcha maʼlumot soʻralgan.",
            )

        if fate == 0:
            return  # never started: overdue once its deadline passes
        month.at(next_day, 10, start)
        if fate == 2:
            month.at(add_working_days(day, 3, office=office), 15, report)
        elif fate == 3:
            month.at(add_working_days(day, 3, office=office), 15, report)
            month.at(add_working_days(day, 4, office=office), 10, accept)
        elif fate == 4:
            month.at(add_working_days(day, 2, office=office), 12, extension)
        elif fate == 5:
            late = add_working_days(deadline, 2, office=office)
            month.at(late, 15, report)
            month.at(late, 17, accept)


def plan_exchange(month: Month, days: list[date]) -> None:
    sender, receiver = people("jizzakh-city"), people("namangan-city")
    outgoing = Journal.objects.get(office__code="jizzakh-city", kind=Journal.Kind.OUTGOING)
    namangan = Office.objects.get(code="namangan-city")
    for n, day in enumerate(days[::5]):

        def send(n: int = n, day: date = day) -> None:
            document = document_register(
                journal=outgoing,
                kind=Document.Kind.OUTGOING,
                title=f"Tajriba almashish boʻyicha hamkorlik toʻgʻrisida ({n + 1})",
                channel=Document.Channel.CREATED,
                correspondent_kind=Document.CorrespondentKind.OFFICE,
                correspondent_office=namangan,
                by=sender["registrar"],
            )
            dispatch = document_dispatch(
                document=document,
                by=sender["registrar"],
                channel=Dispatch.Channel.SYSTEM,
                recipient_office=namangan,
            )

            def give_back() -> None:
                dispatch_return(
                    dispatch=dispatch, by=receiver["registrar"], reason="Ilova qilinmagan."
                )

            def register_there() -> None:
                dispatch_register(dispatch=dispatch, by=receiver["registrar"])

            next_day = add_working_days(day, 1)
            if n == 1:
                month.at(next_day, 10, give_back)
            elif day < days[-3]:  # the newest stays pending in namangan-city's registry
                month.at(next_day, 10, register_there)

        month.at(day, 16, send)


@transaction.atomic
def load_correspondence(today: date | None = None) -> int:
    """The demo month, once: nothing is added when the demo offices already have documents."""
    if Document.objects.filter(office__code__in=DEMO_OFFICES).exists():
        return 0
    today = today or timezone.localdate()
    days = working_days_back(today, 22)
    month = Month(today)
    for office_code in DEMO_OFFICES:
        plan_office(month, office_code, days)
    plan_exchange(month, days)
    month.run()
    return Document.objects.filter(office__code__in=DEMO_OFFICES).count()
