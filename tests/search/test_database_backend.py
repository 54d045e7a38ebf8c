"""The database search backend, on whichever database the suite runs (SQLite or PostgreSQL).

Entries are built directly; their principals ("office:9001"...) are this module's own, so the
demo data (and whatever else is indexed) stays out of every answer.
"""

from collections.abc import Iterator
from datetime import date

import pytest
from django.db import connection

from search.backends.base import Entry, Query, Results
from search.backends.database import DatabaseBackend, within_one_edit, word_groups
from search.models import SearchEntry, SearchPrincipal, SearchTerm, SearchTermVariant
from search.text import query_terms

pytestmark = pytest.mark.django_db

OFFICE = "office:9001"
OTHER = "office:9002"


def entry(key: str, title: str, **fields: object) -> Entry:
    values: dict[str, object] = {
        "kind": "document",
        "url": f"/d/{key}/",
        "principals": (OFFICE,),
        "office_id": 9001,
    }
    values.update(fields)
    return Entry(key=f"test:{key}", title=title, **values)  # type: ignore[arg-type]


def find(backend: DatabaseBackend, text: str = "", **query: object) -> Results:
    query.setdefault("principals", (OFFICE,))
    return backend.search(Query(text=text, **query), query_terms(text))  # type: ignore[arg-type]


def keys(results: Results) -> list[str]:
    return [hit.key.removeprefix("test:") for hit in results.hits]


@pytest.fixture
def backend() -> DatabaseBackend:
    return DatabaseBackend()


def test_every_word_must_match(backend: DatabaseBackend) -> None:
    backend.index(
        [
            entry("1", "Namangan viloyati hokimligi"),
            entry("2", "Namangan shahri"),
            entry("3", "Andijon viloyati"),
        ]
    )
    assert sorted(keys(find(backend, "Namangan"))) == ["1", "2"]
    assert keys(find(backend, "viloyati namangan")) == ["1"]
    assert keys(find(backend, "namangan andijon")) == []


@pytest.mark.parametrize(
    "written", ["Toʻraqoʻrgʻon", "To'raqo'rg'on", "To‘raqo’rg‘on", "Toraqorgon", "Тўрақўрғон"]
)
def test_every_spelling_finds_the_place(backend: DatabaseBackend, written: str) -> None:
    backend.index([entry("1", "Toʻraqoʻrgʻon tumani")])
    found = find(backend, written)
    assert keys(found) == ["1"]
    assert "<mark>" in found.hits[0].snippet


@pytest.mark.parametrize("written", ["письма", "письмо", "Письмами"])
def test_russian_forms_find_each_other(backend: DatabaseBackend, written: str) -> None:
    backend.index([entry("1", "Ответ", body="Ответ на письмо районной администрации")])
    found = find(backend, written)
    assert keys(found) == ["1"]
    assert "<mark>письмо</mark>" in found.hits[0].snippet


@pytest.mark.parametrize(
    "typo",
    [
        "Namangn",  # a letter left out
        "Namanngan",  # one too many
        "Namangon",  # one replaced
        "Namanagn",  # two swapped
    ],
)
def test_one_typo_finds_the_word(backend: DatabaseBackend, typo: str) -> None:
    backend.index([entry("1", "Namangan shahar hokimligi"), entry("2", "Toshkent shahri")])
    found = find(backend, f"{typo} shahar")
    assert keys(found) == ["1"]
    assert "<mark>Namangan</mark>" in found.hits[0].snippet


def test_two_typos_or_a_short_word_are_not_fuzzy(backend: DatabaseBackend) -> None:
    backend.index([entry("1", "Namangan xat")])
    assert keys(find(backend, "Nmangn")) == []  # two edits
    assert keys(find(backend, "xot")) == []  # shorter than FUZZY_MIN_LENGTH: exact only
    assert keys(find(backend, "xat")) == ["1"]


def test_a_word_in_the_vocabulary_is_not_fuzzed(backend: DatabaseBackend) -> None:
    backend.index([entry("1", "hokimiyat qarori"), entry("2", "xokimiyat qarori")])
    assert keys(find(backend, "hokimiyat")) == ["1"]
    assert keys(find(backend, "hokimiyatt")) == ["1"]  # xokimiyat is two edits away
    assert sorted(keys(find(backend, "fokimiyat"))) == ["1", "2"]


def test_the_vocabulary_holds_the_terms_and_the_deletes_of_the_long_ones(
    backend: DatabaseBackend,
) -> None:
    backend.index([entry("1", "Qaror xat")])
    assert SearchTerm.objects.filter(term__in=["qaror", "xat"]).count() == 2
    assert set(
        SearchTermVariant.objects.filter(term="qaror").values_list("variant", flat=True)
    ) == {"aror", "qror", "qaor", "qarr", "qaro"}
    assert not SearchTermVariant.objects.filter(term="xat").exists()


def test_principals_limit_hits_totals_and_facets(backend: DatabaseBackend) -> None:
    backend.index(
        [
            entry("mine", "Maktab taʼmiri", doc_kind="letter", office_id=9001),
            entry("theirs", "Maktab qurilishi", doc_kind="order", office_id=9002,
                  principals=(OTHER,)),
            entry("both", "Maktab jihozlari", doc_kind="letter", principals=(OFFICE, OTHER)),
        ]
    )  # fmt: skip
    mine = find(backend, "maktab")
    assert sorted(keys(mine)) == ["both", "mine"]
    assert mine.total == 2
    assert mine.facets["doc_kind"] == [("letter", 2)]
    assert mine.facets["office_id"] == [("9001", 2)]
    theirs = find(backend, "maktab", principals=(OTHER, "user:1"))
    assert sorted(keys(theirs)) == ["both", "theirs"]
    assert dict(theirs.facets["doc_kind"]) == {"letter": 1, "order": 1}
    assert find(backend, "maktab", principals=()).total == 0
    assert find(backend, "maktab", principals=("public",)).total == 0
    everyone = find(backend, "maktab taʼmiri qurilishi jihozlari", principals=None)
    assert everyone.total == 0  # AND
    assert find(backend, "maktab", principals=None, office_id=9002).total == 1


def test_exact_number_lookup(backend: DatabaseBackend) -> None:
    backend.index(
        [
            entry("1", "Xat", number="A-12/26", date=date(2026, 1, 2)),
            entry("2", "Boshqa xat", body="A 12 26 raqamli xatga javob", date=date(2026, 1, 3)),
            entry("3", "Yashirin", number="B-7/26", principals=(OTHER,)),
        ]
    )
    found = find(backend, "а-12/26")  # a Cyrillic а
    assert found.exact
    assert keys(found) == ["1"]
    assert found.total == 1
    hidden = find(backend, "B-7/26")
    assert not hidden.exact
    assert hidden.total == 0


def test_filters_and_overdue(backend: DatabaseBackend) -> None:
    backend.index(
        [
            entry("1", "Ariza ijro", doc_kind="letter", status="new", department_id=5,
                  date=date(2026, 1, 10), due_date=date(2026, 2, 1)),
            entry("2", "Ariza ijro", doc_kind="order", status="done", department_id=6,
                  date=date(2026, 2, 10), due_date=date(2026, 2, 1), closed=True),
            entry("3", "Ariza ijro", kind="application", doc_kind="letter", status="new",
                  date=date(2026, 3, 10), due_date=date(2026, 4, 1)),
        ]
    )  # fmt: skip
    assert sorted(keys(find(backend, "ariza", kinds=("document",)))) == ["1", "2"]
    assert sorted(keys(find(backend, "ariza", doc_kind="letter"))) == ["1", "3"]
    assert keys(find(backend, "ariza", status="done")) == ["2"]
    assert keys(find(backend, "ariza", department_id=6)) == ["2"]
    assert keys(find(backend, "ariza", office_id=1)) == []
    in_february = find(backend, "ariza", date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
    assert keys(in_february) == ["2"]
    assert keys(find(backend, "ariza", overdue_on=date(2026, 3, 1))) == ["1"]
    assert sorted(keys(find(backend, "ariza", overdue_on=date(2026, 5, 1)))) == ["1", "3"]
    # No text: the filters alone, newest first.
    assert keys(find(backend, "", doc_kind="letter")) == ["3", "1"]
    listed = find(backend, "", status="new")
    assert listed.facets["doc_kind"] == [("letter", 2)]
    assert listed.facets["department_id"] == [("5", 1)]


def test_relevance_then_date_and_sort_by_date(backend: DatabaseBackend) -> None:
    backend.index(
        [
            entry("body", "Hisobot", body="Suv taʼminoti boʻyicha", date=date(2026, 3, 1)),
            entry("title", "Suv taʼminoti", date=date(2026, 1, 1)),
            entry("number", "Hisobot", number="SUV-1", date=date(2026, 2, 1)),
            entry("older", "Suv taʼminoti", date=date(2025, 1, 1)),
        ]
    )
    by_relevance = find(backend, "suv")
    assert keys(by_relevance)[0] == "number"
    assert keys(by_relevance)[1:3] == ["title", "older"]  # equal scores: the newer first
    assert keys(by_relevance)[-1] == "body"
    assert by_relevance.hits[0].score > by_relevance.hits[-1].score
    assert keys(find(backend, "suv", sort="date")) == ["body", "number", "title", "older"]


def test_pagination(backend: DatabaseBackend) -> None:
    backend.index(
        entry(str(i), f"Buyruq {i}", date=date(2026, 1, 1 + i), doc_kind="order" if i % 3 else "x")
        for i in range(25)
    )
    pages = [find(backend, "buyruq", sort="date", page=page, per_page=10) for page in (1, 2, 3)]
    assert [len(p.hits) for p in pages] == [10, 10, 5]
    assert all(p.total == 25 for p in pages)
    seen = [key for p in pages for key in keys(p)]
    assert seen == [str(i) for i in range(24, -1, -1)]
    assert pages[0].facets["doc_kind"] == [("order", 16), ("x", 9)]  # most frequent first
    assert find(backend, "buyruq", page=4, per_page=10).hits == []


def test_reindexing_replaces_the_entry_and_its_principals(backend: DatabaseBackend) -> None:
    before = backend.count()
    backend.index([entry("1", "Eski sarlavha")])
    backend.index([entry("1", "Yangi sarlavha", principals=(OTHER,))])
    assert backend.count() == before + 1
    assert keys(find(backend, "eski", principals=None)) == []
    assert keys(find(backend, "yangi", principals=(OTHER,))) == ["1"]
    assert keys(find(backend, "yangi")) == []
    row = SearchEntry.objects.get(key="test:1")
    assert list(SearchPrincipal.objects.filter(entry=row).values_list("principal", flat=True)) == [
        OTHER
    ]


def test_delete(backend: DatabaseBackend) -> None:
    before = backend.count()
    backend.index([entry("1", "Oʻchiriladigan hujjat"), entry("2", "Qoladigan hujjat")])
    assert backend.count() == before + 2
    backend.delete(["test:1", "test:unknown"])
    assert backend.count() == before + 1
    assert keys(find(backend, "hujjat")) == ["2"]
    assert not SearchPrincipal.objects.filter(entry__key="test:1").exists()


def test_rebuild_keeps_what_is_sent_and_removes_the_rest(backend: DatabaseBackend) -> None:
    backend.index([entry("old", "Eskirgan yozuv"), entry("kept", "Eski nom")])
    during: list[list[str]] = []

    def everything() -> Iterator[Entry]:
        yield entry("kept", "Yangi nom")
        for i in range(5):
            yield entry(f"new{i}", f"Yangi yozuv {i}")
            if i == 3:
                # Half-way: the old entries still answer, and an update sent meanwhile stays.
                during.append(keys(find(backend, "eskirgan")))
                backend.index([entry("meanwhile", "Kechikkan yozuv")])

    assert backend.rebuild(everything(), batch=2) == 6
    assert during == [["old"]]
    assert backend.count() == 7
    assert keys(find(backend, "eskirgan")) == []
    assert keys(find(backend, "nom")) == ["kept"]
    assert find(backend, "yangi").total == 6
    assert keys(find(backend, "kechikkan")) == ["meanwhile"]
    assert not SearchPrincipal.objects.filter(entry__key="test:old").exists()


def test_the_full_text_index_follows_every_write(backend: DatabaseBackend) -> None:
    backend.index([entry(str(i), f"Hujjat {i}", body="Matn " * i) for i in range(10)])
    backend.index([entry("3", "Boshqa sarlavha"), entry("4", "Hujjat 4", principals=(OTHER,))])
    backend.delete(["test:5"])
    backend.rebuild(iter([entry("1", "Hujjat bir"), entry("2", "Hujjat 2")]), batch=1)
    assert sorted(keys(find(backend, "hujjat"))) == ["1", "2"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Compares the index with the entries' terms (external content): raises if apart.
            cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")


def test_word_groups_and_edit_distance() -> None:
    groups = word_groups("письма Namangan", query_terms("письма Namangan"))
    assert len(groups) == 2
    assert len(groups[0]) == 2  # the word's key and its stem
    assert groups[1] == ("namangan",)
    assert within_one_edit("namangan", "namangn")
    assert within_one_edit("namangan", "namagnan")
    assert within_one_edit("hokimiyat", "xokimiyat")
    assert not within_one_edit("xab", "abx")  # they share a delete but are two edits apart
    assert not within_one_edit("namangan", "nmangn")
