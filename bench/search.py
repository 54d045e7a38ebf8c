"""Benchmark: the search backends with a realistic 1,000,000 generated entries.

Run from the project folder::

    .venv/bin/python bench/search.py [--docs 1000000] [--queries 1000] [--backend all] [--wagtail]

For each backend (``sqlite``: the database backend on an SQLite file; ``postgres``: the
database backend on a fresh PostgreSQL database; ``elastic``: ``ElasticBackend`` on an in-memory
osmem-server) it

1. generates ``--docs`` entries (``search.backends.base.Entry``) deterministically from
   ``--seed``: Uzbek Latin titles and summaries (with ʻ and ʼ), some in Uzbek Cyrillic and in
   Russian, registration numbers like ``Ch-123/26``, 27 offices with about 9 departments each,
   kinds, statuses, dates over 3 years, and principals as ``search.entries`` makes them;
2. streams them through ``backend.rebuild(iterator)`` (bounded memory) and reports docs/s and
   the peak resident memory of this process while indexing (VmHWM, reset just before; for
   elastic also the osmem-server process's own peak);
3. times ``--queries`` varied queries (one and two words, Cyrillic spellings, apostrophe
   variants, Russian inflections, one-letter typos, exact numbers, filters) as a member of
   staff of one office, with facets: ``backend.search(Query(...), query_terms(text))``;
4. with ``--wagtail`` (database backends), also indexes the same rows with Wagtail's own
   database search backend (a proxy model of ``SearchEntry``, defined here, with
   ``search_fields``) and runs the same queries through it, with the same filters and facets.

``--backend all`` runs each backend in its own child process (its own Django settings and
memory figures) and prints one table. Everything it creates (an SQLite file in a temporary
folder, the ``bench_search_<pid>`` PostgreSQL database, the osmem-server) is removed at the end.

This file is named ``search.py`` like the project's ``search`` package: the project folder is
put first on ``sys.path`` so that ``import search`` finds the package, not this script.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

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

if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))  # before bench/: ``search`` is the project's package

from portal.transliteration import latin_to_cyrillic
from search.backends.base import Entry, Query

STATEMENT_TIMEOUT_MS = 120_000
REFERENCE_DAY = date(2026, 6, 30)  # "today" of the corpus: dates, deadlines, overdue
HISTORY_DAYS = 3 * 365
BACKENDS = ("sqlite", "postgres", "elastic")

# --- The corpus -----------------------------------------------------------------------------

# 27 offices: two regional khokimiyats, two cities, 23 districts (weight: cities and regions 1.5).
OFFICES = [
    ("Jizzax viloyati", 1.5), ("Jizzax shahri", 1.5), ("Arnasoy", 1), ("Baxmal", 1),
    ("Doʻstlik", 1), ("Forish", 1), ("Gʻallaorol", 1), ("Mirzachoʻl", 1), ("Paxtakor", 1),
    ("Sharof Rashidov", 1), ("Yangiobod", 1), ("Zafarobod", 1), ("Zarbdor", 1), ("Zomin", 1),
    ("Namangan viloyati", 1.5), ("Namangan shahri", 1.5), ("Chortoq", 1), ("Chust", 1),
    ("Kosonsoy", 1), ("Mingbuloq", 1), ("Norin", 1), ("Pop", 1), ("Toʻraqoʻrgʻon", 1),
    ("Uchqoʻrgʻon", 1), ("Uychi", 1), ("Yangiqoʻrgʻon", 1), ("Davlatobod", 1),
]  # fmt: skip
OFFICE_IDS = list(range(1, len(OFFICES) + 1))
OFFICE_WEIGHTS = [weight for _name, weight in OFFICES]
USERS_PER_OFFICE = 40
ROLES = ("head", "controller", "registrar", "executor")


def departments(office_id: int) -> range:
    """8 to 10 departments per office, numbered across offices."""
    start = sum(8 + (o % 3) for o in range(1, office_id)) + 1
    return range(start, start + 8 + (office_id % 3))


def users(office_id: int) -> range:
    start = (office_id - 1) * USERS_PER_OFFICE + 1
    return range(start, start + USERS_PER_OFFICE)


PLACES = [name.split()[0] for name, _w in OFFICES] + [
    "Qoʻrgʻontepa", "Yangi hayot", "Bogʻishamol", "Oqtepa", "Navbahor", "Sayxun", "Gulzor",
]  # fmt: skip
PLACE_FORMS = ["{} tumanida", "{} shahrida", "{} mahallasida", "{} tumani", "{} qishlogʻida"]
TOPICS = [
    "ichimlik suvi taʼminotini yaxshilash", "maktab binosini taʼmirlash",
    "koʻcha yoritgichlarini oʻrnatish", "yer uchastkasi ajratish",
    "savdo rastalarini joylashtirish", "chiqindilarni olib ketish jadvali",
    "yoshlar bandligini taʼminlash", "yoʻl qurilishi loyihasini kelishish",
    "kasalxona isitish tizimi", "mahalla guzarini obodonlashtirish",
    "soliq tushumlari rejasining bajarilishi", "qishloq xoʻjaligi ekin maydonlari",
    "gaz taʼminoti uzilishi", "elektr energiyasi uzilishlari", "koʻp qavatli uy-joy qurilishi",
    "bogʻcha oʻrinlari yetishmasligi", "paxta hosilini yigʻishtirish", "gʻalla ekish mavsumi",
    "kanal va ariqlarni tozalash", "sport majmuasini qurish", "ijtimoiy himoya reestri",
    "tadbirkorlarga imtiyozli kredit ajratish", "avtobus qatnovini yoʻlga qoʻyish",
    "daraxt koʻchatlarini ekish", "sugʻorish suvi taqsimoti",
    "nogironligi boʻlgan shaxslarga yordam", "kamxarj oilalarga moddiy yordam",
    "qurilish ruxsatnomasini berish",
]  # fmt: skip
ENDINGS = ["toʻgʻrisida", "haqida", "boʻyicha", "masalasi"]
APPLICATION_WORDS = ["ariza", "murojaat", "shikoyat", "taklif"]
INTERNAL_WORDS = ["Buyruq", "Farmoyish", "Xizmat yozuvi", "Bayonnoma"]
ORGANISATIONS = [
    "Suvoqova MChJ", "Xalq taʼlimi boʻlimi", "Kadastr agentligi hududiy boʻlimi",
    "Dehqon bozori maʼmuriyati", "Obodonlashtirish boshqarmasi", "Yoshlar ishlari agentligi",
    "Yoʻl qurilishi boshqarmasi", "Tibbiyot birlashmasi", "Hududiy elektr tarmoqlari AJ",
    "Davlat soliq inspeksiyasi", "Hududgaz filiali", "Qishloq xoʻjaligi boshqarmasi",
    "Bandlik va kambagʻallikni qisqartirish boʻlimi", "Adliya boʻlimi",
]  # fmt: skip
FIRST_NAMES = [
    "Akmal", "Dilshod", "Gulchehra", "Kamola", "Laziz", "Nigora", "Oybek", "Shoira", "Oʻktam",
    "Gʻayrat", "Maʼmura", "Sherzod", "Feruza", "Bahodir", "Zulfiya", "Jasur",
]  # fmt: skip
LAST_NAMES = [
    "Abdurahmonov", "Boboyeva", "Ganiyev", "Haydarova", "Jalilov", "Mamatova", "Olimov",
    "Toʻxtayev", "Gʻofurova", "Qodirov", "Yoʻldoshev", "Rahimova", "Xolmatov", "Ergasheva",
]  # fmt: skip
SUMMARIES = [
    "Xatda {topic} masalasi boʻyicha oʻrganish oʻtkazish va natijasi haqida {days} kun ichida "
    "maʼlumot berish soʻralgan.",
    "{place} {org} {topic} boʻyicha taklif kiritgan, zarur choralarni koʻrish soʻraladi.",
    "Fuqaro {name} {place} {topic} boʻyicha yordam soʻrab murojaat qilgan.",
    "{org} tomonidan {topic} yuzasidan hisobot taqdim etilgan, muddati {days} kun.",
    "Hokim topshirigʻiga asosan {topic} boʻyicha ishchi guruh tuzilsin va {place} joyida "
    "oʻrganilsin.",
]
RU_TOPICS = [
    "выделении земельного участка", "ремонте школьного здания", "обеспечении питьевой водой",
    "вывозе твёрдых бытовых отходов", "строительстве автомобильной дороги",
    "отоплении районной больницы", "трудоустройстве выпускников колледжей",
    "подаче природного газа", "благоустройстве махалли", "исполнении налогового плана",
    "распределении поливной воды", "открытии детского сада", "уборке хлопка",
    "выдаче льготных кредитов предпринимателям", "установке уличного освещения",
]  # fmt: skip
RU_PLACES = [
    "Джизаке", "Намангане", "Зааминском районе", "Галляаральском районе", "Чустском районе",
    "Туракурганском районе", "Пахтакорском районе", "Касансайском районе",
]  # fmt: skip
RU_SUMMARIES = [
    "Просим рассмотреть вопрос о {topic} и сообщить о принятых мерах в течение {days} дней.",
    "Направляем письмо по вопросу о {topic} для рассмотрения и исполнения.",
    "В соответствии с поручением хокима проведена проверка по вопросу о {topic} в {place}.",
]
KINDS = {"incoming": 40, "application": 20, "outgoing": 25, "internal": 15}
NUMBER_PREFIX = {"incoming": "K", "application": "M", "outgoing": "Ch", "internal": "I"}
STATUSES = ("registered", "in_work", "done", "closed")


def _about(topic: str) -> str:
    return "Об" if topic[0] in "аоуэиы" else "О"


def entry(i: int, seed: int) -> Entry:
    """The ``i``-th entry of the corpus: a pure function of (i, seed), so queries can ask for
    what exists (an entry's number) without keeping the corpus in memory."""
    rng = random.Random(seed * 10_000_019 + i)  # noqa: S311 - test data
    office_id = rng.choices(OFFICE_IDS, OFFICE_WEIGHTS)[0]
    kind = rng.choices(list(KINDS), list(KINDS.values()))[0]
    age = rng.randrange(HISTORY_DAYS)
    day = REFERENCE_DAY - timedelta(days=age)
    topic = rng.choice(TOPICS)
    place = rng.choice(PLACE_FORMS).format(rng.choice(PLACES))
    org = rng.choice(ORGANISATIONS)
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    days = rng.choice((3, 5, 10, 15, 30))
    language = rng.random()
    if language < 0.15:  # Russian
        ru_topic = rng.choice(RU_TOPICS)
        title = f"{_about(ru_topic)} {ru_topic}"
        if rng.random() < 0.5:
            title += f" в {rng.choice(RU_PLACES)}"
        body = rng.choice(RU_SUMMARIES).format(
            topic=ru_topic, days=days, place=rng.choice(RU_PLACES)
        )
    else:
        if kind == "application":
            title = f"{place} {topic} {rng.choice(ENDINGS)} {rng.choice(APPLICATION_WORDS)}"
        elif kind == "internal":
            title = f"{rng.choice(INTERNAL_WORDS)}: {topic} {rng.choice(ENDINGS)}"
        else:
            title = f"{place} {topic} {rng.choice(ENDINGS)}"
        title = title[0].upper() + title[1:]
        body = rng.choice(SUMMARIES).format(topic=topic, place=place, org=org, name=name, days=days)
        if language < 0.25:  # Uzbek in Cyrillic script
            title, body = latin_to_cyrillic(title), latin_to_cyrillic(body)
    executors = " ".join(
        f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(0, 2))
    )
    people = f"{name if kind == 'application' else org} {executors}".strip()
    # Status follows age: old work is mostly finished.
    finished = min(0.97, 0.2 + age / 120)
    if kind in ("incoming", "application"):
        status = rng.choices(STATUSES, [0.1, 0.9, 0.8, 0.2])[0]
        if rng.random() < finished:
            status = rng.choice(("done", "done", "done", "closed"))
        due: date | None = day + timedelta(days=rng.choice((5, 10, 15, 30)))
    else:
        status = rng.choice(("registered", "done", "closed"))
        due = None
    department_id = rng.choice(departments(office_id)) if rng.random() < 0.8 else None
    if rng.random() < 0.03:  # confidential: the people on it only
        people_on_it = rng.sample(users(office_id), rng.randint(2, 4))
        principals = tuple(sorted(f"user:{pk}" for pk in people_on_it))
    elif kind in ("incoming", "outgoing") and rng.random() < 0.15:  # dispatched to another office
        other = rng.choice([o for o in OFFICE_IDS if o != office_id])
        principals = tuple(sorted((f"office:{office_id}", f"office:{other}")))
    else:
        principals = (f"office:{office_id}",)
    seq = 1 + i // 97 % 9000 + rng.randrange(50)
    return Entry(
        key=f"document:{i + 1}",
        kind="document",
        title=title,
        url=f"/workspace/documents/{i + 1}/",
        principals=principals,
        number=f"{NUMBER_PREFIX[kind]}-{seq}/{day.year % 100:02d}",
        body=body,
        people=people,
        doc_kind=kind,
        status=status,
        office_id=office_id,
        department_id=department_id,
        date=day,
        due_date=due,
        closed=status in ("done", "closed"),
    )


def corpus(count: int, seed: int, progress: int = 100_000) -> Iterator[Entry]:
    started = time.perf_counter()
    for i in range(count):
        if i and i % progress == 0:
            elapsed = time.perf_counter() - started
            say(f"    {i:,} entries, {elapsed:.0f} s ({i / elapsed:,.0f}/s), {rss_mib():.0f} MiB")
        yield entry(i, seed)


# --- The queries ----------------------------------------------------------------------------

ONE_WORDS = [
    "suv", "maktab", "yer", "gaz", "kredit", "ariza", "shikoyat", "chiqindi", "yoritgich",
    "kasalxona", "obodonlashtirish", "paxta", "gʻalla", "sugʻorish", "bogʻcha", "uy-joy",
    "soliq", "avtobus", "kanal", "Zomin", "Jizzax", "Namangan", "Chust", "Toʻraqoʻrgʻon",
    "Gʻallaorol", "Kosonsoy", "Buyruq", "Farmoyish", "taʼmirlash", "maʼlumot", "Abdurahmonov",
    "Mamatova", "Suvoqova", "kadastr", "elektr", "yoʻl", "sport", "nogironligi", "ruxsatnoma",
]  # fmt: skip
TWO_WORDS = [
    "ichimlik suvi", "yer uchastkasi", "maktab taʼmirlash", "gaz taʼminoti", "Zomin suv",
    "Chust maktab", "elektr uzilishlari", "yoshlar bandligi", "savdo rastalari",
    "moddiy yordam", "yoʻl qurilishi", "Toʻraqoʻrgʻon mahalla", "Jizzax kredit",
    "qurilish ruxsatnomasi", "daraxt koʻchatlari", "Namangan shikoyat", "Akmal Olimov",
]  # fmt: skip
RUSSIAN = [
    "земельный участок", "земельных участков", "питьевая вода", "ремонт школы", "письмо",
    "строительство дороги", "детский сад", "больница", "кредиты предпринимателям",
    "налоговый план", "газ", "уличное освещение", "бытовые отходы", "поливная вода",
    "хлопок", "Наманган", "Джизак", "благоустройство",
]  # fmt: skip
APOSTROPHE_FORMS = ("'", "`", "\u2018", "\u2019", "")


def typo(word: str, rng: random.Random) -> str:
    letters = "abdefghijklmnopqrstuvxyz"
    at = rng.randrange(1, len(word) - 1)
    change = rng.choice(("replace", "delete", "insert", "swap"))
    if change == "replace":
        return word[:at] + rng.choice(letters) + word[at + 1 :]
    if change == "delete":
        return word[:at] + word[at + 1 :]
    if change == "insert":
        return word[:at] + rng.choice(letters) + word[at:]
    return word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]


@dataclass(frozen=True)
class BenchQuery:
    category: str
    text: str
    query: Query


def searcher(rng: random.Random, office_id: int) -> tuple[str, ...]:
    """What ``search.entries.principals_for`` gives a member of staff of this office."""
    user = rng.choice(users(office_id))
    held = ["public", "staff", f"user:{user}", f"office:{office_id}"]
    held.append(f"dept:{rng.choice(departments(office_id))}")
    held += [f"role:{name}:{office_id}" for name in rng.sample(ROLES, rng.choice((1, 1, 2)))]
    return tuple(held)


def queries(count: int, docs: int, seed: int) -> list[BenchQuery]:
    rng = random.Random(seed + 7)  # noqa: S311 - test data
    out: list[BenchQuery] = []
    categories = {
        "one word": 20, "two words": 15, "cyrillic": 10, "apostrophe": 10, "russian": 15,
        "typo": 10, "number": 12, "filters only": 8, "administrator": 3,
    }  # fmt: skip
    for _ in range(count):
        category = rng.choices(list(categories), list(categories.values()))[0]
        office_id = rng.choices(OFFICE_IDS, OFFICE_WEIGHTS)[0]
        if category in ("one word", "administrator"):
            text = rng.choice(ONE_WORDS)
        elif category == "two words":
            text = rng.choice(TWO_WORDS)
        elif category == "cyrillic":
            text = latin_to_cyrillic(rng.choice(ONE_WORDS + TWO_WORDS))
        elif category == "apostrophe":
            words = [w for w in ONE_WORDS + TWO_WORDS if "ʻ" in w or "ʼ" in w]
            text = rng.choice(words).replace("ʻ", "ʼ").replace("ʼ", rng.choice(APOSTROPHE_FORMS))
        elif category == "russian":
            text = rng.choice(RUSSIAN)
        elif category == "typo":
            text = typo(rng.choice([w for w in ONE_WORDS if len(w) >= 5]).lower(), rng)
        elif category == "number":
            # The number of an existing entry, mostly one of the searcher's own office.
            start = rng.randrange(docs)
            for step in range(min(docs, 1000)):
                found = entry((start + step) % docs, seed)
                if found.office_id == office_id:
                    break
            text = found.number if rng.random() < 0.8 else found.number.lower().replace("-", " ")
        else:
            text = ""
        filters: dict[str, Any] = {}
        if category == "filters only" or rng.random() < 0.35:
            choice = rng.choice(("office", "status", "dates", "overdue", "kind", "dates"))
            if choice == "office":
                filters["office_id"] = office_id
            elif choice == "status":
                filters["status"] = rng.choice(STATUSES)
            elif choice == "kind":
                filters["doc_kind"] = rng.choice(list(KINDS))
            elif choice == "overdue":
                filters["overdue_on"] = REFERENCE_DAY
            else:
                since = REFERENCE_DAY - timedelta(days=rng.randrange(HISTORY_DAYS))
                filters["date_from"] = since
                filters["date_to"] = since + timedelta(days=rng.choice((7, 30, 90, 365)))
        sort = "date" if not text or rng.random() < 0.15 else "relevance"
        # An administrator (a superuser) may see every entry: no permission filter at all.
        held = None if category == "administrator" else searcher(rng, office_id)
        query = Query(text=text, principals=held, sort=sort, **filters)
        out.append(BenchQuery(category, text, query))
    return out


# --- Measuring ------------------------------------------------------------------------------


def _status_kib(pid: int | str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mib() -> float:
    return _status_kib("self", "VmRSS") / 1024


def reset_peak() -> bool:
    """Reset this process's VmHWM (Linux: ``echo 5 > /proc/self/clear_refs``)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_mib() -> float:
    """Peak RSS since ``reset_peak`` (VmHWM); ru_maxrss (since start) where that is missing."""
    peak = _status_kib("self", "VmHWM")
    return (peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def children() -> set[int]:
    found: set[int] = set()
    for task in Path("/proc/self/task").glob("*/children"):
        found.update(int(pid) for pid in task.read_text().split())
    return found


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


class QueryTimedOut(Exception):
    pass


@contextmanager
def cancelled_after(seconds: float) -> Iterator[None]:
    """Interrupt the database's running statement once ``seconds`` have gone by (SQLite:
    ``interrupt()``; PostgreSQL: a cancel request), and raise ``QueryTimedOut`` then."""
    from django.db import DatabaseError, connection

    connection.ensure_connection()
    raw = connection.connection
    fired = threading.Event()

    def cancel() -> None:
        fired.set()
        (raw.interrupt if connection.vendor == "sqlite" else raw.cancel)()

    timer = threading.Timer(seconds, cancel)
    timer.start()
    try:
        yield
    except DatabaseError as error:
        if fired.is_set():
            raise QueryTimedOut from error
        raise
    finally:
        timer.cancel()


def run_queries(
    label: str,
    bench_queries: list[BenchQuery],
    ask: Any,
    time_limit: float,
    query_timeout: float,
    database: bool = True,
) -> dict[str, Any]:
    """``ask(bench_query) -> total``; a few untimed warm-up queries first. Stops early (and
    says so) once ``time_limit`` seconds have gone by. On a database, a query still running
    after ``query_timeout`` seconds is interrupted and counted as a time-out, its time as the
    limit (so medians and percentiles are then lower bounds)."""

    def timed(bench_query: BenchQuery) -> tuple[int, bool]:
        if not database:
            return ask(bench_query), False
        try:
            with cancelled_after(query_timeout):
                return ask(bench_query), False
        except QueryTimedOut:
            return 0, True

    for warm in bench_queries[:5]:
        timed(warm)
    deadline = time.perf_counter() + time_limit
    times: list[float] = []
    by_category: dict[str, list[float]] = defaultdict(list)
    hits = 0
    timeouts = 0
    with_hits: dict[str, int] = defaultdict(int)
    answered: dict[str, int] = defaultdict(int)  # not timed out
    for bench_query in bench_queries:
        if time.perf_counter() > deadline:
            say(f"  {label}: time limit reached after {len(times)} queries")
            break
        started = time.perf_counter()
        total, timed_out = timed(bench_query)
        elapsed = (time.perf_counter() - started) * 1000
        timeouts += timed_out
        answered[bench_query.category] += not timed_out
        times.append(elapsed)
        by_category[bench_query.category].append(elapsed)
        if total:
            hits += 1
            with_hits[bench_query.category] += 1
    return {
        "label": label,
        "n": len(times),
        "timeouts": timeouts,
        "stopped_early": len(times) < len(bench_queries),
        "median_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95),
        "max_ms": max(times),
        # Of the queries that finished: a time-out is neither a hit nor a miss.
        "hit_share": hits / max(1, len(times) - timeouts),
        "categories": {
            name: {
                "n": len(values),
                "median_ms": statistics.median(values),
                "p95_ms": percentile(values, 0.95),
                "hit_share": with_hits[name] / max(1, answered[name]),
            }
            for name, values in sorted(by_category.items())
        },
    }


# --- One backend, in this process -----------------------------------------------------------


def configure(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    for name in ("REDIS_URL", "ELASTICSEARCH_URL"):
        os.environ.pop(name, None)
    os.chdir(ROOT)
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    if database_url.startswith("postgres"):
        bound_statements(STATEMENT_TIMEOUT_MS)


def measure_backend(args: argparse.Namespace) -> dict[str, Any]:
    """Set up Django for ``args.backend``, index, query, clean up; returns the figures."""
    name = args.backend
    timings: dict[str, float] = {}
    scratch = tempfile.mkdtemp(prefix="bench-search-")
    dbname = f"bench_search_{os.getpid()}"
    result: dict[str, Any] = {"backend": name, "docs": args.docs}
    try:
        if name == "postgres":
            create_database(dbname)
            configure(f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}")
        else:
            configure(f"sqlite:///{scratch}/search.sqlite3")
        bench_queries = queries(args.queries, args.docs, args.seed)
        if name == "elastic":
            result.update(measure_elastic(args, bench_queries, timings))
        else:
            from django.core.management import call_command

            with phase("migrate", timings):
                call_command("migrate", interactive=False, verbosity=0)
            result.update(measure_database(args, bench_queries, timings))
    finally:
        from django.db import connections

        connections.close_all()
        if name == "postgres":
            drop_database(dbname)
        shutil.rmtree(scratch, ignore_errors=True)
    result["timings"] = timings
    return result


def index_with(backend: Any, args: argparse.Namespace, timings: dict[str, float]) -> dict:
    base = rss_mib()
    reset_peak()
    with phase("index", timings):
        written = backend.rebuild(corpus(args.docs, args.seed), batch=args.batch)
    return index_figures(written, timings["index"], base)


def index_figures(written: int, seconds: float, rss_before_mib: float) -> dict[str, Any]:
    """What an indexing phase reports: entries, time, rate, and memory before and at peak."""
    return {
        "indexed": written,
        "index_s": seconds,
        "docs_per_s": written / seconds,
        "rss_before_mib": rss_before_mib,
        "peak_rss_mib": peak_mib(),
    }


def search_with(backend: Any) -> Any:
    from search.text import query_terms

    def ask(bench_query: BenchQuery) -> int:
        return backend.search(bench_query.query, query_terms(bench_query.text)).total

    return ask


def measure_database(
    args: argparse.Namespace, bench_queries: list[BenchQuery], timings: dict[str, float]
) -> dict[str, Any]:
    from django.db import connection

    from search.backends.database import DatabaseBackend

    backend = DatabaseBackend()
    out = index_with(backend, args, timings)
    with phase("analyze", timings), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    out["analyze_s"] = timings["analyze"]
    out["count"] = backend.count()
    with phase("queries", timings):
        out["queries"] = run_queries(
            args.backend,
            bench_queries,
            search_with(backend),
            args.time_limit,
            args.query_timeout,
        )
    if args.wagtail:
        out["wagtail"] = measure_wagtail(args, bench_queries, timings)
    return out


def measure_elastic(
    args: argparse.Namespace, bench_queries: list[BenchQuery], timings: dict[str, float]
) -> dict[str, Any]:
    from search.backends.elastic import ElasticBackend
    from search.testing import osmem_client, osmem_server

    def measure(backend: ElasticBackend) -> dict[str, Any]:
        out = index_with(backend, args, timings)
        out["count"] = backend.count()
        with phase("queries", timings):
            out["queries"] = run_queries(
                args.backend,
                bench_queries,
                search_with(backend),
                args.time_limit,
                args.query_timeout,
                database=False,
            )
        return out

    if args.elastic_url:
        # A real cluster: indices of its own under a prefix, deleted afterwards.
        prefix = f"bench-{os.getpid()}"
        backend = ElasticBackend(args.elastic_url, prefix=prefix)
        try:
            return measure(backend)
        finally:
            backend.client.indices.delete(index=f"{prefix}-search*", ignore_unavailable=True)
    before = children()
    with osmem_server() as url:
        server = sorted(children() - before)
        out = measure(ElasticBackend(url, prefix="bench", client=osmem_client(url)))
        out["server_peak_rss_mib"] = sum(_status_kib(pid, "VmHWM") for pid in server) / 1024
    return out


# --- Wagtail's database search backend, on the same rows ------------------------------------


def wagtail_model() -> Any:
    """A proxy of ``SearchEntry`` that Wagtail indexes: no table, no migration (a proxy's
    content type is its concrete model's, which exists)."""
    from modelsearch import index
    from modelsearch.abstract_models import TextIDGenericRelation
    from wagtail.search.models import IndexEntry

    from search.models import SearchEntry

    class BenchWagtailEntry(index.Indexed, SearchEntry):
        search_fields = [
            index.SearchField("number", boost=8),
            index.SearchField("title", boost=3),
            index.SearchField("people", boost=2),
            index.SearchField("body"),
            *(
                index.FilterField(field)
                for field in (
                    "id", "kind", "doc_kind", "status", "office_id", "department_id", "date",
                    "due_date", "closed",
                )
            ),
        ]  # fmt: skip

        class Meta:
            proxy = True
            app_label = "search"

    # What modelsearch's ready() gives every indexed model (the PostgreSQL backend joins it).
    TextIDGenericRelation(IndexEntry).contribute_to_class(BenchWagtailEntry, "index_entries")
    return BenchWagtailEntry


def measure_wagtail(
    args: argparse.Namespace, bench_queries: list[BenchQuery], timings: dict[str, float]
) -> dict[str, Any]:
    from django.db.models import Subquery
    from wagtail.search.backends import get_search_backend

    from search.models import SearchPrincipal

    model = wagtail_model()
    backend = get_search_backend("default")
    base = rss_mib()
    reset_peak()
    written = 0
    with phase("wagtail index", timings):
        last = 0
        while True:
            chunk = list(model.objects.filter(pk__gt=last).order_by("pk")[: args.batch])
            if not chunk:
                break
            backend.add_bulk(model, chunk)
            written += len(chunk)
            last = chunk[-1].pk
            if written % 100_000 < args.batch:
                say(f"    {written:,} rows, {rss_mib():.0f} MiB")
    out: dict[str, Any] = {
        "backend": type(backend).__name__,
        **index_figures(written, timings["wagtail index"], base),
    }

    def ask(bench_query: BenchQuery) -> int:
        query = bench_query.query
        queryset = model.objects.all()
        for field in ("doc_kind", "status"):
            if getattr(query, field):
                queryset = queryset.filter(**{field: getattr(query, field)})
        if query.office_id is not None:
            queryset = queryset.filter(office_id=query.office_id)
        if query.date_from:
            queryset = queryset.filter(date__gte=query.date_from)
        if query.date_to:
            queryset = queryset.filter(date__lte=query.date_to)
        if query.overdue_on:
            queryset = queryset.filter(due_date__lt=query.overdue_on, closed=False)
        if query.principals is not None:
            allowed = SearchPrincipal.objects.filter(principal__in=query.principals)
            queryset = queryset.filter(id__in=Subquery(allowed.values("entry_id")))
        if not bench_query.text:
            results: Any = queryset.order_by("-date", "-id")
            total = results.count()
            list(results[:20])
            for facet in ("doc_kind", "status", "office_id", "department_id"):
                list(results.order_by().values(facet).annotate(n=_count()))
            return total
        order_by_relevance = query.sort != "date"
        if not order_by_relevance:
            queryset = queryset.order_by("-date", "-id")
        results = backend.search(
            bench_query.text, queryset, operator="and", order_by_relevance=order_by_relevance
        )
        total = results.count()
        list(results[:20])
        for facet in ("doc_kind", "status", "office_id", "department_id"):
            results.facet(facet)
        return total

    with phase("wagtail queries", timings):
        out["queries"] = run_queries(
            "wagtail", bench_queries, ask, args.time_limit, args.query_timeout
        )
    return out


def _count() -> Any:
    from django.db.models import Count

    return Count("id")


# --- The table ------------------------------------------------------------------------------


def table(results: list[dict[str, Any]]) -> None:
    say()
    say(
        f"{'backend':<18} {'docs':>10} {'index s':>8} {'docs/s':>8} {'RSS MiB':>8} "
        f"{'peak MiB':>9} {'server MiB':>10} {'queries':>7} {'median ms':>9} {'p95 ms':>8} "
        f"{'max ms':>8} {'hits':>5} {'t/o':>5}"
    )
    rows: list[tuple[str, dict[str, Any]]] = []
    for result in results:
        rows.append((result["backend"], result))
        if "wagtail" in result:
            rows.append((f"{result['backend']} wagtail", result["wagtail"]))
    for label, r in rows:
        q = r["queries"]
        server = r.get("server_peak_rss_mib")
        say(
            f"{label + ('*' if q['stopped_early'] else ''):<18} {r['indexed']:>10,} "
            f"{r['index_s']:>8.1f} {r['docs_per_s']:>8,.0f} "
            f"{r['rss_before_mib']:>8.0f} {r['peak_rss_mib']:>9.0f} "
            f"{(f'{server:.0f}' if server else '-'):>10} {q['n']:>7} {q['median_ms']:>9.1f} "
            f"{q['p95_ms']:>8.1f} {q['max_ms']:>8.1f} {q['hit_share']:>5.0%} "
            f"{q.get('timeouts', 0):>5}"
        )
    if any(r["queries"]["stopped_early"] for _label, r in rows):
        say("* stopped at --time-limit: fewer queries than asked")
    if any(r["queries"].get("timeouts") for _label, r in rows):
        say("t/o: queries interrupted at --query-timeout, counted at that time (lower bounds)")
    say()
    say("by query category (median / p95 ms, share with hits):")
    categories = sorted({c for _label, r in rows for c in r["queries"]["categories"]})
    say(f"{'category':<14}" + "".join(f" {label:>24}" for label, _r in rows))
    for category in categories:
        cells = []
        for _label, r in rows:
            c = r["queries"]["categories"].get(category)
            cell = f"{c['median_ms']:.1f}/{c['p95_ms']:.1f} {c['hit_share']:.0%}" if c else "-"
            cells.append(f" {cell:>24}")
        n = next(r["queries"]["categories"][category]["n"] for _l, r in rows)
        say(f"{category + f' ({n})':<14}" + "".join(cells))


# --- Command line ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000, help="entries to index")
    parser.add_argument("--queries", type=int, default=1000, help="timed queries per backend")
    parser.add_argument("--backend", choices=(*BACKENDS, "all"), default="all")
    parser.add_argument(
        "--wagtail", action="store_true", help="also Wagtail's database backend (sqlite/postgres)"
    )
    parser.add_argument("--seed", type=int, default=20240601, help="the same seed, the same data")
    parser.add_argument("--batch", type=int, default=1000, help="entries per indexing batch")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=3600,
        help="seconds per query loop; a loop stops early (and the table says so) after it",
    )
    parser.add_argument(
        "--query-timeout",
        type=float,
        default=60,
        help="seconds after which a database query is interrupted and counted as a time-out",
    )
    parser.add_argument(
        "--elastic-url",
        default="",
        help="the elastic run on this Elasticsearch cluster instead of an osmem-server",
    )
    parser.add_argument("--json", metavar="FILE", help=argparse.SUPPRESS)  # a child's result
    args = parser.parse_args(argv)
    if not 100 <= args.docs <= 5_000_000:
        parser.error("--docs must be between 100 and 5,000,000")
    if not 1 <= args.queries <= 100_000:
        parser.error("--queries must be between 1 and 100,000")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM ends the run like Ctrl-C: the ``finally`` blocks drop the database and files.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    say(
        f"search benchmark: {args.docs:,} entries, {args.queries:,} queries, "
        f"backend {args.backend}{' + wagtail' if args.wagtail else ''}, seed {args.seed}"
    )
    if args.backend != "all":
        result = measure_backend(args)
        if args.json:
            Path(args.json).write_text(json.dumps(result))
        else:
            table([result])
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        for name in BACKENDS:
            say(f"\n=== {name} ===")
            out = Path(folder) / f"{name}.json"
            command = [
                sys.executable, __file__, "--backend", name, "--docs", str(args.docs),
                "--queries", str(args.queries), "--seed", str(args.seed),
                "--batch", str(args.batch), "--time-limit", str(args.time_limit),
                "--query-timeout", str(args.query_timeout),
                "--json", str(out), "--elastic-url", args.elastic_url,
            ]  # fmt: skip
            if args.wagtail and name != "elastic":
                command.append("--wagtail")
            child = subprocess.Popen(command)  # noqa: S603 - this script
            try:
                returncode = child.wait()
            except BaseException:  # Ctrl-C, SIGTERM: the child cleans up after itself
                child.terminate()
                child.wait(timeout=120)
                raise
            if returncode or not out.exists():
                say(f"{name}: failed (exit {returncode})")
                continue
            results.append(json.loads(out.read_text()))
    if results:
        table(results)
    return 0 if len(results) == len(BACKENDS) else 1


if __name__ == "__main__":
    sys.exit(main())
