"""The Elasticsearch backend against osmem-server, the in-memory server these tests start
themselves (``search.testing``): one server for the module, an index prefix of its own for
each test. Without osmem-server the tests skip, or fail under ``CI=true``."""

import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date

import elasticsearch
import pytest

from search.backends.base import Entry, Query, Results
from search.backends.elastic import ElasticBackend, make_client
from search.testing import ServerUnavailable, osmem_client, osmem_server
from search.text import query_terms
from tests.conftest import require_service

OFFICE_1 = ("office:1",)


@pytest.fixture
def server_url(elastic_url: str) -> str:
    return elastic_url


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def backend(server_url: str, prefix: str) -> ElasticBackend:
    # Built from the URL alone, as search.service does: the client detects that osmem refuses
    # the compatibility media types.
    return ElasticBackend(server_url, prefix=prefix)


def entry(key: str, title: str, **fields) -> Entry:
    fields.setdefault("principals", OFFICE_1)
    fields.setdefault("kind", "document")
    fields.setdefault("url", f"/{key.replace(':', '/')}/")
    return Entry(key=key, title=title, **fields)


def find(backend: ElasticBackend, text: str = "", **fields) -> Results:
    fields.setdefault("principals", OFFICE_1)
    return backend.search(Query(text=text, **fields), query_terms(text))


def keys(results: Results) -> list[str]:
    return [hit.key for hit in results.hits]


def test_every_word_must_match(backend):
    backend.index(
        [
            entry("document:1", "Suv taʼminoti haqida xat"),
            entry("document:2", "Suv quvuri taʼmiri"),
            entry("document:3", "Yoʻl taʼmiri"),
        ]
    )
    assert keys(find(backend, "suv taminoti")) == ["document:1"]
    assert sorted(keys(find(backend, "suv"))) == ["document:1", "document:2"]
    assert find(backend, "suv yo'l").total == 0


@pytest.mark.parametrize("text", ["Toʻraqoʻrgʻon", "To'raqo'rg'on", "Toraqorgon", "Тўрақўрғон"])
def test_uzbek_spellings_meet(backend, text):
    backend.index([entry("page:1", "Toʻraqoʻrgʻon tumani", kind="page")])
    results = find(backend, text)
    assert keys(results) == ["page:1"]
    assert "<mark>Toʻraqoʻrgʻon</mark>" in results.hits[0].snippet


@pytest.mark.parametrize("text", ["письма", "письмо", "письмами"])
def test_russian_forms_meet(backend, text):
    backend.index([entry("document:1", "Ответ на письмо прокуратуры")])
    assert keys(find(backend, text)) == ["document:1"]


def test_one_typo_is_forgiven_from_four_letters(backend):
    backend.index([entry("document:1", "Hujjatlar reestri"), entry("document:2", "Suv va gaz")])
    assert keys(find(backend, "hujjatlat")) == ["document:1"]  # a letter replaced
    assert keys(find(backend, "raestro")) == []  # two edits
    assert keys(find(backend, "reetsri")) == ["document:1"]  # two letters swapped
    # Three letters or fewer match exactly.
    assert keys(find(backend, "suv")) == ["document:2"]
    assert keys(find(backend, "sub")) == []
    assert keys(find(backend, "gas")) == []
    assert keys(find(backend, "av")) == []


def test_permission_filter_applies_to_hits_totals_and_facets(backend):
    backend.index(
        [
            entry("document:1", "Maktab taʼmiri", office_id=1, doc_kind="letter", status="new"),
            entry(
                "document:2",
                "Maktab qurilishi",
                principals=("office:2",),
                office_id=2,
                doc_kind="order",
                status="done",
                department_id=7,
            ),
        ]
    )
    mine = find(backend, "maktab")
    assert keys(mine) == ["document:1"]
    assert mine.total == 1
    assert mine.facets == {
        "doc_kind": [("letter", 1)],
        "status": [("new", 1)],
        "office_id": [("1", 1)],
        "department_id": [],
    }
    # Without text too, and for a searcher with nothing at all.
    assert keys(find(backend)) == ["document:1"]
    assert find(backend, "maktab", principals=()).total == 0
    assert find(backend, "maktab", principals=("public",)).total == 0
    # Holding either principal is enough; a superuser (None) sees everything.
    assert find(backend, "maktab", principals=("user:5", "office:2")).total == 1
    everything = find(backend, "maktab", principals=None)
    assert everything.total == 2
    assert dict(everything.facets["office_id"]) == {"1": 1, "2": 1}
    assert everything.facets["department_id"] == [("7", 1)]


def test_exact_number_lookup(backend):
    backend.index(
        [
            entry("document:1", "Xat", number="A-12/26", body="Maʼlumot uchun"),
            entry("document:2", "Boshqa xat", body="A 12 26 raqamli xatga javob"),
            entry("document:3", "Yashirin", number="A-12/27", principals=("office:2",)),
        ]
    )
    # The number typed any way, even with a Cyrillic А.
    for text in ("A-12/26", "a 12 26", "А-12/26"):
        results = find(backend, text)
        assert results.exact, text
        assert keys(results) == ["document:1"]
        assert results.hits[0].number == "A-12/26"
    # A number the searcher may not see is not found as such.
    assert not find(backend, "A-12/27").exact
    assert find(backend, "A-12/27").total == 0
    # Anything else is a text search.
    results = find(backend, "xat")
    assert not results.exact
    assert sorted(keys(results)) == ["document:1", "document:2"]


def test_filters_and_overdue(backend):
    backend.index(
        [
            entry(
                "document:1",
                "Ariza",
                doc_kind="letter",
                status="new",
                office_id=1,
                department_id=3,
                date=date(2025, 1, 10),
                due_date=date(2025, 2, 1),
            ),
            entry(
                "document:2",
                "Ariza",
                doc_kind="order",
                status="done",
                office_id=1,
                department_id=4,
                date=date(2025, 3, 5),
                due_date=date(2025, 2, 1),
                closed=True,
            ),
            entry(
                "application:3",
                "Ariza",
                kind="application",
                status="new",
                office_id=5,
                date=date(2025, 4, 1),
                due_date=date(2025, 5, 1),
            ),
        ]
    )

    def found(**fields) -> list[str]:
        return sorted(keys(find(backend, "ariza", **fields)))

    assert found() == ["application:3", "document:1", "document:2"]
    assert found(kinds=("document",)) == ["document:1", "document:2"]
    assert found(kinds=("document", "application")) == ["application:3", "document:1", "document:2"]
    assert found(doc_kind="order") == ["document:2"]
    assert found(status="new") == ["application:3", "document:1"]
    assert found(office_id=5) == ["application:3"]
    assert found(department_id=3) == ["document:1"]
    assert found(date_from=date(2025, 3, 5)) == ["application:3", "document:2"]
    assert found(date_to=date(2025, 3, 5)) == ["document:1", "document:2"]
    assert found(date_from=date(2025, 2, 1), date_to=date(2025, 3, 31)) == ["document:2"]
    # Overdue: due before the day and not closed.
    assert found(overdue_on=date(2025, 3, 1)) == ["document:1"]
    assert found(overdue_on=date(2025, 2, 1)) == []
    assert found(overdue_on=date(2025, 6, 1)) == ["application:3", "document:1"]
    # Hits carry what the lists show.
    [hit] = find(backend, "ariza", department_id=3).hits
    assert (hit.kind, hit.doc_kind, hit.status, hit.office_id) == ("document", "letter", "new", 1)
    assert (hit.date, hit.due_date) == (date(2025, 1, 10), date(2025, 2, 1))
    assert hit.url == "/document/1/"


def test_sorting(backend):
    backend.index(
        [
            entry("document:1", "Hisobot", body="Yillik reja", date=date(2025, 1, 1)),
            entry("document:2", "Yillik reja", body="Hisobot", date=date(2024, 1, 1)),
            entry("document:3", "Reja", body="Oylik", people="Yillik", date=date(2025, 6, 1)),
            entry("document:4", "Reja", body="Yillik", date=None),
        ]
    )
    by_date = find(backend, "reja", sort="date")
    assert keys(by_date) == ["document:3", "document:1", "document:2", "document:4"]
    # Relevance: the title weighs more than the people, the people more than the body.
    by_relevance = find(backend, "yillik")
    assert keys(by_relevance)[:2] == ["document:2", "document:3"]
    scores = [hit.score for hit in by_relevance.hits]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1] > 0


def test_pagination(backend):
    backend.index(entry(f"document:{n}", f"Buyruq {n}", date=date(2025, 1, n)) for n in range(1, 6))
    pages = [find(backend, "buyruq", sort="date", page=page, per_page=2) for page in (1, 2, 3, 4)]
    assert [keys(page) for page in pages] == [
        ["document:5", "document:4"],
        ["document:3", "document:2"],
        ["document:1"],
        [],
    ]
    assert {page.total for page in pages} == {5}
    assert pages[3].facets["status"] == pages[0].facets["status"]


def test_index_replaces_and_delete_ignores_unknown_keys(backend):
    assert backend.count() == 0
    assert backend.index([]) == 0
    assert backend.index([entry("document:1", "Eski nom"), entry("document:2", "Ikkinchi")]) == 2
    assert backend.index([entry("document:1", "Yangi nom")]) == 1
    assert backend.count() == 2
    assert keys(find(backend, "eski")) == []
    assert keys(find(backend, "yangi")) == ["document:1"]
    backend.delete(["document:1", "document:99"])
    backend.delete([])
    assert backend.count() == 1
    assert keys(find(backend, "yangi")) == []


def test_versioned_index_behind_alias(backend, prefix):
    backend.ensure_index()
    backend.ensure_index()
    [name] = backend.indices()
    assert re.fullmatch(rf"{prefix}-search-v\d{{20}}", name)
    mapping = backend.client.indices.get_mapping(index=name)[name]["mappings"]["properties"]
    assert mapping["title_terms"]["analyzer"] == "search_terms"
    assert mapping["principals"]["type"] == "keyword"
    assert mapping["title"]["index"] is False


def test_rebuild_swaps_the_alias(backend, prefix):
    backend.index([entry("document:1", "Eski hujjat"), entry("document:2", "Qolgan hujjat")])
    [old] = backend.indices()
    seen_during: list[list[str]] = []

    def entries() -> Iterator[Entry]:
        yield entry("document:2", "Qolgan hujjat")
        yield entry("document:3", "Yangi hujjat")
        # The batch above has been sent, but searches still answer from the old index; a
        # change made meanwhile goes to both versions.
        backend.index([entry("document:4", "Oraliq hujjat")])
        seen_during.append(sorted(keys(find(backend, "hujjat"))))
        yield entry("document:5", "Oxirgi hujjat")

    assert backend.rebuild(entries(), batch=2) == 3
    assert seen_during == [["document:1", "document:2", "document:4"]]
    [new] = backend.indices()
    assert new != old
    assert not backend.client.indices.exists(index=old)
    assert not backend.client.indices.exists_alias(name=f"{prefix}-search-building")
    assert sorted(keys(find(backend, "hujjat"))) == [
        "document:2",
        "document:3",
        "document:4",
        "document:5",
    ]
    assert backend.count() == 4


def test_failed_rebuild_keeps_the_live_index(backend):
    backend.index([entry("document:1", "Hujjat")])
    [live] = backend.indices()

    def entries() -> Iterator[Entry]:
        yield entry("document:2", "Yangi")
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        backend.rebuild(entries(), batch=1)
    assert backend.indices() == [live]
    assert backend.client.indices.get_alias(index=f"{backend.alias}-v*") == {
        live: {"aliases": {backend.alias: {}}}
    }
    assert keys(find(backend, "hujjat")) == ["document:1"]


def test_client_media_types(server_url, prefix):
    # osmem refuses the Elasticsearch 8 compatibility media types: hence the plain JSON node.
    with pytest.raises(elasticsearch.ApiError) as refused:
        make_client(server_url, compat_headers=True).indices.create(
            index=f"{prefix}-x", mappings={"properties": {"a": {"type": "keyword"}}}
        )
    assert refused.value.meta.status == 406
    plain = ElasticBackend(server_url, prefix=prefix, client=osmem_client(server_url))
    assert plain.index([entry("document:1", "Xat")]) == 1
    assert keys(find(plain, "xat")) == ["document:1"]


def test_outage_raises_a_connection_error(prefix):
    with ExitStack() as stack:
        try:
            url = stack.enter_context(osmem_server())
        except ServerUnavailable as error:
            require_service(False, str(error))
            raise
        backend = ElasticBackend(url, prefix=prefix)
        backend.index([entry("document:1", "Xat")])
    # The server is stopped: the caller (the outbox) must see the failure to retry later.
    with pytest.raises(elasticsearch.ConnectionError):
        backend.index([entry("document:2", "Xat")])
    with pytest.raises(elasticsearch.ConnectionError):
        backend.search(Query(text="xat", principals=OFFICE_1), ["xat"])


def test_missing_server_binary_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("OSMEM_SERVER_BIN", str(tmp_path / "missing"))
    with pytest.raises(ServerUnavailable), osmem_server():
        pass
