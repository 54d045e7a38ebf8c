"""Working days: the dates a registrar would check against a wall calendar.

Every expected date below was counted by hand on the 2025-2027 calendar. Public days off come from
the ``holidays`` package (0.108): statutory holidays, the Labour Code's move of a holiday falling on
a weekend to the next working day (since 30 April 2023), the presidential decree for 2026 (extra
days off 2 January, 28-29 May, 31 August, 31 December for Saturday 12 December), and estimated
dates for Ramazon Hayit and Qurbon Hayit after 2025.
"""

from datetime import date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from edms.calendar import (
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)
from edms.models import CalendarOverride, Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def zomin() -> Office:
    return Office.objects.get(code="zomin")


@pytest.fixture
def jizzakh_city() -> Office:
    return Office.objects.get(code="jizzakh-city")


def test_navruz_2027_on_a_sunday_moves_to_monday() -> None:
    # 21 March 2027 is a Sunday; the Labour Code moves the day off to Monday 22 March.
    assert not is_working_day(date(2027, 3, 21))
    assert not is_working_day(date(2027, 3, 22))
    assert is_working_day(date(2027, 3, 23))
    # Fri 19 March: the first working day after it is Tue 23 March (Sat, Sun, Mon off).
    assert next_working_day(date(2027, 3, 19)) == date(2027, 3, 23)


def test_independence_day_2026_with_the_decree_bridge_day() -> None:
    # 1 September 2026 is a Tuesday; the decree makes Monday 31 August a day off too, so
    # Sat 29 August to Tue 1 September is a four-day break.
    assert not is_working_day(date(2026, 9, 1))
    assert not is_working_day(date(2026, 8, 31))
    assert is_working_day(date(2026, 8, 28))
    assert is_working_day(date(2026, 9, 2))
    assert next_working_day(date(2026, 8, 28)) == date(2026, 9, 2)


def test_new_year_and_the_december_2026_exchange() -> None:
    # Wed 31 December 2025 (decree), Thu 1 and Fri 2 January 2026 (holiday, decree) are off:
    # a document registered on Tue 30 December 2025 counts its first day on Mon 5 January 2026.
    assert not is_working_day(date(2025, 12, 31))
    assert not is_working_day(date(2026, 1, 1))
    assert not is_working_day(date(2026, 1, 2))
    assert add_working_days(date(2025, 12, 30), 1) == date(2026, 1, 5)
    # Thu 31 December 2026 is off in exchange for Saturday 12 December 2026, which is worked.
    assert not is_working_day(date(2026, 12, 31))
    assert is_working_day(date(2026, 12, 12))
    assert not is_working_day(date(2026, 12, 13))  # the Sunday after stays off
    # 1 January 2027 is a Friday.
    assert not is_working_day(date(2027, 1, 1))
    assert next_working_day(date(2026, 12, 30)) == date(2027, 1, 4)


def test_fifteen_working_days_across_navruz_2026() -> None:
    # Registered Wed 18 March 2026. Thu 19 = 1; Fri 20 Ramazon Hayit (the package's estimate);
    # Sat 21 Navruz, Sun 22; Mon 23 Navruz moved off the Saturday. Tue 24 .. Fri 27 = 2..5,
    # Mon 30 .. Fri 3 April = 6..10, Mon 6 .. Fri 10 April = 11..15.
    assert not is_working_day(date(2026, 3, 20))
    assert not is_working_day(date(2026, 3, 23))
    assert add_working_days(date(2026, 3, 18), 15) == date(2026, 4, 10)


def test_deadline_crossing_independence_day_2026() -> None:
    # Registered Tue 25 August 2026: Wed 26 = 1, Thu 27 = 2, Fri 28 = 3, Sat 29 to Tue 1
    # September off, Wed 2 = 4, Thu 3 = 5.
    assert add_working_days(date(2026, 8, 25), 5) == date(2026, 9, 3)


@pytest.mark.parametrize(
    ("friday", "due"),
    [
        # Two plain weeks: Mon 9 .. Fri 13 = 1..5, Mon 16 .. Fri 20 November 2026 = 6..10.
        (date(2026, 11, 6), date(2026, 11, 20)),
        # Fri 22 May 2026: Mon 25 = 1, Tue 26 = 2, Wed 27 Qurbon Hayit (estimate), Thu 28 and
        # Fri 29 decree days off, Mon 1 .. Fri 5 June = 3..7, Mon 8 = 8, Tue 9 = 9, Wed 10 = 10.
        (date(2026, 5, 22), date(2026, 6, 10)),
    ],
)
def test_ten_working_days_from_a_friday(friday: date, due: date) -> None:
    assert friday.weekday() == 4
    assert add_working_days(friday, 10) == due


def test_start_day_is_not_counted_and_zero_days_means_the_next_working_day() -> None:
    # Mon 9 November 2026 + 1 = Tue 10; + 0 = Mon 9 itself.
    assert add_working_days(date(2026, 11, 9), 1) == date(2026, 11, 10)
    assert add_working_days(date(2026, 11, 9), 0) == date(2026, 11, 9)
    # Sat 7 November 2026 + 0 and + 1 are both Mon 9 November.
    assert add_working_days(date(2026, 11, 7), 0) == date(2026, 11, 9)
    assert add_working_days(date(2026, 11, 7), 1) == date(2026, 11, 9)
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 11, 9), -1)
    with pytest.raises(TypeError, match="datetime"):
        is_working_day(datetime(2026, 11, 9, 10, 0))


def test_office_day_off_affects_only_that_office(zomin: Office, jizzakh_city: Office) -> None:
    # A local holiday in Zomin on Tue 13 October 2026.
    CalendarOverride.objects.create(
        office=zomin, date=date(2026, 10, 13), kind=CalendarOverride.Kind.DAY_OFF, reason="Local"
    )
    assert not is_working_day(date(2026, 10, 13), office=zomin)
    assert is_working_day(date(2026, 10, 13), office=jizzakh_city)
    assert is_working_day(date(2026, 10, 13))
    # Registered Mon 12 October: Zomin's next working day is Wed 14, Jizzakh city's Tue 13.
    assert add_working_days(date(2026, 10, 12), 1, office=zomin) == date(2026, 10, 14)
    assert add_working_days(date(2026, 10, 12), 1, office=jizzakh_city) == date(2026, 10, 13)


def test_all_offices_working_saturday(zomin: Office) -> None:
    # Sat 7 November 2026 declared a working day for every office (paying for a bridge day).
    CalendarOverride.objects.create(
        date=date(2026, 11, 7), kind=CalendarOverride.Kind.WORKING_DAY, reason="Decree"
    )
    assert is_working_day(date(2026, 11, 7))
    assert is_working_day(date(2026, 11, 7), office=zomin)
    assert not is_working_day(date(2026, 11, 8))  # Sunday untouched
    # Fri 6 November + 1 = Sat 7; + 6 = Sat 7, Mon 9 .. Fri 13 -> Fri 13 November.
    assert add_working_days(date(2026, 11, 6), 1, office=zomin) == date(2026, 11, 7)
    assert add_working_days(date(2026, 11, 6), 6) == date(2026, 11, 13)


def test_office_override_beats_all_offices_override_beats_public_calendar(
    zomin: Office, jizzakh_city: Office
) -> None:
    # A bridge day for everyone on Fri 6 November 2026, but Zomin works that day.
    CalendarOverride.objects.create(date=date(2026, 11, 6), kind=CalendarOverride.Kind.DAY_OFF)
    CalendarOverride.objects.create(
        office=zomin, date=date(2026, 11, 6), kind=CalendarOverride.Kind.WORKING_DAY
    )
    assert is_working_day(date(2026, 11, 6), office=zomin)
    assert not is_working_day(date(2026, 11, 6), office=jizzakh_city)
    assert not is_working_day(date(2026, 11, 6))
    # An all-offices working day on Fri 20 March 2026, as if Ramazon Hayit were announced for
    # another day than the package's estimate: the override wins over the public holiday.
    CalendarOverride.objects.create(date=date(2026, 3, 20), kind=CalendarOverride.Kind.WORKING_DAY)
    assert is_working_day(date(2026, 3, 20), office=zomin)
    # Then Wed 18 March + 15 moves a day earlier: Thu 19 = 1, Fri 20 = 2, ..., Thu 9 April = 15.
    assert add_working_days(date(2026, 3, 18), 15) == date(2026, 4, 9)


def test_working_days_between_counts_left_and_overdue() -> None:
    # Mon 24 August to Thu 3 September 2026: Tue 25, Wed 26, Thu 27, Fri 28, Wed 2, Thu 3 = 6.
    assert working_days_between(date(2026, 8, 24), date(2026, 9, 3)) == 6
    # Due Mon 24 August, today Thu 3 September: six working days overdue.
    assert working_days_between(date(2026, 9, 3), date(2026, 8, 24)) == -6
    assert working_days_between(date(2026, 9, 3), date(2026, 9, 3)) == 0
    # Fri 28 August to Tue 1 September: nothing but days off after the Friday.
    assert working_days_between(date(2026, 8, 28), date(2026, 9, 1)) == 0
    # Counting back what add_working_days counted forward gives the same number.
    start = date(2026, 3, 18)
    assert working_days_between(start, add_working_days(start, 15)) == 15


def test_working_days_between_reads_the_office_overrides(zomin: Office) -> None:
    CalendarOverride.objects.create(
        office=zomin, date=date(2026, 10, 13), kind=CalendarOverride.Kind.DAY_OFF
    )
    # Mon 12 to Fri 16 October 2026: 4 working days, 3 in Zomin.
    assert working_days_between(date(2026, 10, 12), date(2026, 10, 16)) == 4
    assert working_days_between(date(2026, 10, 12), date(2026, 10, 16), office=zomin) == 3


def test_add_working_days_reads_overrides_in_one_query(
    zomin: Office, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    CalendarOverride.objects.create(
        office=zomin, date=date(2026, 10, 13), kind=CalendarOverride.Kind.DAY_OFF
    )
    with django_assert_max_num_queries(1):
        add_working_days(date(2026, 1, 5), 15, office=zomin)
    with django_assert_max_num_queries(1):
        add_working_days(date(2026, 1, 5), 250, office=zomin)


def test_only_one_all_offices_override_per_date() -> None:
    CalendarOverride.objects.create(date=date(2026, 11, 6), kind=CalendarOverride.Kind.DAY_OFF)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarOverride.objects.create(
            date=date(2026, 11, 6), kind=CalendarOverride.Kind.WORKING_DAY
        )


def test_overrides_are_listed_in_the_wagtail_admin(client: Client, zomin: Office) -> None:
    CalendarOverride.objects.create(
        office=zomin, date=date(2026, 10, 13), kind=CalendarOverride.Kind.DAY_OFF, reason="Sayil"
    )
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(reverse("wagtailsnippets_edms_calendaroverride:list"))
    assert response.status_code == 200
    assert "Sayil" in response.content.decode()


def test_working_days_left_matches_working_days_between_in_one_query(
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    from edms.calendar import working_days_left

    today = date(2026, 3, 18)
    deadlines = [date(2026, 3, 10), date(2026, 3, 18), date(2026, 3, 24), date(2026, 4, 10)]
    with django_assert_max_num_queries(1):
        left = working_days_left(today=today, deadlines=deadlines)
    assert left == {d: working_days_between(today, d) for d in deadlines}
    # Navruz (Sat 21 Mar, moved to Mon 23 Mar) and Ramazon Hayit (Fri 20 Mar) are not counted.
    assert left[date(2026, 3, 24)] == 2
