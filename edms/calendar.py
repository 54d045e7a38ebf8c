"""The working-day calendar that deadlines are counted in.

The rules, in the order they are applied to a date:

1. A ``CalendarOverride`` for the office decides (a local holiday, or a working day there).
2. Otherwise an override for every office (``office`` empty) decides: a bridge day the government
   declares after the package was released, a working Saturday that pays for it, or a correction
   of an estimated Islamic holiday once the Muslim Board of Uzbekistan announces the real date.
3. Otherwise the public calendar of Uzbekistan from the ``holidays`` package decides. Saturday and
   Sunday are days off (the khokimiyats work a five-day week). Public holidays are days off: New
   Year (1 January), Women's Day (8 March), Navruz (21 March), the Day of Memory and Honour
   (9 May), Independence Day (1 September), Teachers' Day (1 October), Constitution Day
   (8 December), Ramazon Hayit and Qurbon Hayit (Islamic; dates after the last confirmed year are
   the package's estimates). Since the Labour Code of 30 April 2023 a holiday that falls on a
   Saturday or Sunday moves to the next working day, and the package has the presidential decrees'
   extra days off and the Saturdays worked in exchange (e.g. Saturday 12 December 2026, worked for
   Thursday 31 December 2026).

Deadlines count whole working days after the start date: the day a document is registered is not
counted, so "within 15 working days" of a Monday starts counting on Tuesday.
"""

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays
from django.db.models import F, Q

from edms.models import CalendarOverride, Office

COUNTRY = "UZ"
WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())

# How many calendar days of overrides to load per working day asked for, plus a margin that covers
# the longest holiday run (Navruz with Ramazon Hayit, or the New Year break). A walk that still
# runs past the loaded range loads the next one, so this only decides how often that happens.
_DAYS_PER_WORKING_DAY = 2
_WINDOW_MARGIN = 31

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _PublicYear:
    days_off: frozenset[date]
    working_weekend_days: frozenset[date]


@functools.lru_cache(maxsize=64)
def _public_year(year: int) -> _PublicYear:
    """The public days off and the worked Saturdays of one year, built once per year."""
    # The neighbouring years are built too: a holiday observed on the next working day, or a
    # Saturday worked in exchange for a day off, can fall across New Year.
    table = holidays.country_holidays(COUNTRY, years=range(year - 1, year + 2))
    return _PublicYear(
        days_off=frozenset(day for day in table if day.year == year),
        working_weekend_days=frozenset(day for day in table.weekend_workdays if day.year == year),
    )


def is_public_working_day(day: date) -> bool:
    """A day is a working day for the state when it is a weekday that is no public day off, or a
    Saturday or Sunday a decree made a working day; overrides are not read."""
    year = _public_year(_as_date(day).year)
    if day.weekday() in WEEKEND:
        return day in year.working_weekend_days
    return day not in year.days_off


def _as_date(day: date) -> date:
    # A datetime is a date too, but it never equals one: it would miss every table.
    if isinstance(day, datetime):
        raise TypeError("Pass a date (e.g. timezone.localdate()), not a datetime.")
    return day


class _Calendar:
    """The working days of one office, with the overrides of a date range loaded in one query."""

    def __init__(self, office: Office | None) -> None:
        self.office_id = office.pk if office is not None else None
        self.overrides: dict[date, bool] = {}
        self.loaded_from: date | None = None
        self.loaded_to: date | None = None

    def load(self, first: date, last: date) -> None:
        """Read the overrides from ``first`` to ``last`` (inclusive) that apply to the office."""
        applies = Q(office__isnull=True)
        if self.office_id is not None:
            applies |= Q(office_id=self.office_id)
        rows = (
            CalendarOverride.objects.filter(applies, date__range=(first, last))
            # All-offices rows first, so the office's own row for the same date replaces them.
            .order_by(F("office_id").asc(nulls_first=True))
            .values_list("date", "kind")
        )
        for day, kind in rows:
            self.overrides[day] = kind == CalendarOverride.Kind.WORKING_DAY
        self.loaded_from = first if self.loaded_from is None else min(self.loaded_from, first)
        self.loaded_to = last if self.loaded_to is None else max(self.loaded_to, last)

    def is_working_day(self, day: date) -> bool:
        if self.loaded_to is None or self.loaded_from is None:
            raise RuntimeError("Load the overrides first.")
        if not self.loaded_from <= day <= self.loaded_to:
            raise RuntimeError(f"{day} is outside the loaded overrides.")
        override = self.overrides.get(day)
        if override is not None:
            return override
        return is_public_working_day(day)

    def days_after(self, start: date, window: int) -> Iterator[date]:
        """The days after ``start``, loading overrides ``window`` days at a time as it goes."""
        day = start
        while True:
            day += _ONE_DAY
            if self.loaded_to is None or day > self.loaded_to:
                self.load(day, day + timedelta(days=window))
            yield day


def is_working_day(day: date, *, office: Office | None = None) -> bool:
    """A day is a working day as the office's override says, else as an all-offices override says,
    else when it is neither a Saturday, a Sunday nor a public day off."""
    calendar = _Calendar(office)
    calendar.load(_as_date(day), day)
    return calendar.is_working_day(day)


def add_working_days(start: date, days: int, *, office: Office | None = None) -> date:
    """The due date is the ``days``-th working day after ``start`` (``start`` itself is not
    counted; with ``days == 0`` it is ``start`` when that is a working day, else the next one)."""
    start = _as_date(start)
    if days < 0:
        raise ValueError("days must not be negative.")
    calendar = _Calendar(office)
    window = days * _DAYS_PER_WORKING_DAY + _WINDOW_MARGIN
    if days == 0:
        calendar.load(start, start + timedelta(days=window))
        if calendar.is_working_day(start):
            return start
        days = 1
    counted = 0
    for day in calendar.days_after(start, window):
        if calendar.is_working_day(day):
            counted += 1
            if counted == days:
                return day
    raise AssertionError("unreachable")  # pragma: no cover


def next_working_day(day: date, *, office: Office | None = None) -> date:
    """The next working day is the first working day strictly after ``day``."""
    return add_working_days(day, 1, office=office)


def working_days_between(start: date, end: date, *, office: Office | None = None) -> int:
    """The working days after ``start`` up to and including ``end``, negative when ``end`` is before
    ``start`` (so ``working_days_between(today, due)`` is the days left, or minus the days overdue).
    """
    start, end = _as_date(start), _as_date(end)
    if end == start:
        return 0
    first, last = (start, end) if start < end else (end, start)
    calendar = _Calendar(office)
    calendar.load(first + _ONE_DAY, last)
    count = 0
    day = first + _ONE_DAY
    while day <= last:
        count += calendar.is_working_day(day)
        day += _ONE_DAY
    return count if start < end else -count


def working_days_left(
    *, today: date, deadlines: Iterable[date], office: Office | None = None
) -> dict[date, int]:
    """For each deadline, ``working_days_between(today, deadline)``, with one query for all."""
    today = _as_date(today)
    wanted = sorted({_as_date(d) for d in deadlines})
    if not wanted:
        return {}
    calendar = _Calendar(office)
    first, last = min(wanted[0], today), max(wanted[-1], today)
    calendar.load(first + _ONE_DAY, last)
    # Working days after ``first`` up to each day, so each countdown is a difference of two.
    running: dict[date, int] = {first: 0}
    count, day = 0, first + _ONE_DAY
    while day <= last:
        count += calendar.is_working_day(day)
        running[day] = count
        day += _ONE_DAY
    return {deadline: running[deadline] - running[today] for deadline in wanted}
