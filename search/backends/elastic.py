"""The Elasticsearch backend: the entries of ``search.backends.base`` in an index of their own.

The index holds what ``search.text`` made of each entry (space-separated terms, analysed in
Python), so its mapping splits those fields on whitespace and nothing more: no stemming, no
folding in Elasticsearch, which is what makes this backend find what the database one finds.
Fuzziness (one edit, for terms of ``FUZZY_MIN_LENGTH`` letters or more) and the ``WEIGHTS`` are
added at query time; the original title, body and people are kept, unindexed, for display.

Indexes are versioned, ``<prefix>-search-v<UTC timestamp>``, behind the alias
``<prefix>-search``, which is what is read and written. ``rebuild`` fills a new version beside
the live one and swaps the alias in one atomic ``update_aliases`` call; while it runs, the new
version is also behind ``<prefix>-search-building``, and ``index``/``delete`` write there too,
so that no change made during a rebuild is lost by the swap.

Connection problems surface as the client's exceptions (``elasticsearch.ConnectionError``,
``elasticsearch.ApiError``, ``elasticsearch.helpers.BulkIndexError``): the outbox retries them.

Settings (read with defaults, ``getattr``): ``ELASTICSEARCH_COMPAT_HEADERS``: the Elasticsearch
8 client sends ``application/vnd.elasticsearch+json; compatible-with=8``, which OpenSearch
and the in-memory test server (``search.testing``) refuse with 406. Unset (the default), the
client detects that and switches to plain ``application/json``; True keeps the compatibility
media types always, False sends plain JSON always. ``ELASTICSEARCH_TIMEOUT``: seconds per
request (default 10).
"""

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from django.conf import settings
from elastic_transport import HttpHeaders, NodeConfig, Urllib3HttpNode
from elastic_transport._node import NodeApiResponse
from elastic_transport.client_utils import DEFAULT, DefaultType
from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.dsl import (
    Boolean,
    Date,
    Document,
    Index,
    Integer,
    Keyword,
    MetaField,
    Search,
    Text,
    analyzer,
)
from elasticsearch.dsl.query import Bool, MatchAll, MultiMatch, Range, Term, Terms
from elasticsearch.dsl.query import Query as DslQuery
from elasticsearch.helpers import BulkIndexError, streaming_bulk

from search.backends.base import (
    FACETS,
    FUZZY_MIN_LENGTH,
    WEIGHTS,
    Entry,
    Hit,
    Query,
    Results,
)
from search.text import code_key, word_groups

DEFAULT_PREFIX = "khokimiyat"
FACET_SIZE = 100  # values per facet (offices, departments, kinds, statuses: all fit)
MAX_RESULT_WINDOW = 10_000  # Elasticsearch's index.max_result_window
INDEX_CHUNK = 500

# --- Client ------------------------------------------------------------------------------------

_VENDOR_MEDIA_TYPE = re.compile(
    r"application/vnd\.elasticsearch\+([\w.-]+)(?:\s*;\s*compatible-with=\d+)?"
)


def _plain(headers: HttpHeaders | None) -> HttpHeaders | None:
    if not headers:
        return headers
    headers = headers.copy()
    for name in ("accept", "content-type"):
        if name in headers:
            headers[name] = _VENDOR_MEDIA_TYPE.sub(r"application/\1", headers[name])
    return headers


class DetectingNode(Urllib3HttpNode):
    """Sends the Elasticsearch 8 client's media types (``application/vnd.elasticsearch+json;
    compatible-with=8``); a server that refuses them with 406 (OpenSearch, the in-memory test
    server) gets the request again in plain ``application/json`` (``application/x-ndjson`` for
    bulk), and so does every later request on this node."""

    plain_json = False

    def __init__(self, config: NodeConfig) -> None:
        super().__init__(config)
        self._plain_json = self.plain_json

    def perform_request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: HttpHeaders | None = None,
        request_timeout: DefaultType | float | None = DEFAULT,
    ) -> NodeApiResponse:
        if not self._plain_json:
            response = super().perform_request(method, target, body, headers, request_timeout)
            if response.meta.status != 406 or _plain(headers) == headers:
                return response
            self._plain_json = True
        return super().perform_request(method, target, body, _plain(headers), request_timeout)


class PlainJsonNode(DetectingNode):
    """Always plain JSON (``ELASTICSEARCH_COMPAT_HEADERS = False``)."""

    plain_json = True


def make_client(url: str, *, compat_headers: bool | None = None) -> Elasticsearch:
    """A client for ``url``. ``compat_headers`` (default: the ``ELASTICSEARCH_COMPAT_HEADERS``
    setting, unset by default): True sends the client's own media types always, False plain
    JSON always (``PlainJsonNode``), None detects (``DetectingNode``: plain JSON after a 406)."""
    if compat_headers is None:
        compat_headers = getattr(settings, "ELASTICSEARCH_COMPAT_HEADERS", None)
    options: dict[str, Any] = {
        "request_timeout": float(getattr(settings, "ELASTICSEARCH_TIMEOUT", 10)),
        "retry_on_timeout": False,
    }
    if compat_headers is None:
        options["node_class"] = DetectingNode
    elif not compat_headers:
        options["node_class"] = PlainJsonNode
    return Elasticsearch(url, **options)


# --- Mapping -----------------------------------------------------------------------------------

# The terms are analysed already (search.text): split on spaces and nothing else.
TERMS_ANALYZER = analyzer("search_terms", tokenizer="whitespace")


class EntryDocument(Document):
    """One ``Entry``; its key is the document's ``_id``."""

    key = Keyword()
    kind = Keyword()
    doc_kind = Keyword()
    status = Keyword()
    office_id = Integer()
    department_id = Integer()
    date = Date()
    due_date = Date()
    closed = Boolean()
    principals = Keyword(multi=True)
    number = Keyword()  # as typed
    number_key = Keyword()  # search.text.code_key: exact lookups
    number_terms = Text(analyzer=TERMS_ANALYZER)
    title_terms = Text(analyzer=TERMS_ANALYZER)
    people_terms = Text(analyzer=TERMS_ANALYZER)
    body_terms = Text(analyzer=TERMS_ANALYZER)
    # For display only.
    title = Text(index=False)
    body = Text(index=False)
    people = Text(index=False)
    url = Keyword(index=False, doc_values=False)

    class Meta:
        dynamic = MetaField("strict")


def entry_source(entry: Entry) -> dict[str, Any]:
    """The indexed document of an entry (empty strings and None left out)."""
    document = EntryDocument(
        key=entry.key,
        kind=entry.kind,
        doc_kind=entry.doc_kind or None,
        status=entry.status or None,
        office_id=entry.office_id,
        department_id=entry.department_id,
        date=entry.date,
        due_date=entry.due_date,
        closed=entry.closed,
        principals=list(entry.principals),
        number=entry.number or None,
        number_key=entry.number_key or None,
        number_terms=entry.number_terms or None,
        title_terms=entry.title_terms or None,
        people_terms=entry.people_terms or None,
        body_terms=entry.body_terms or None,
        title=entry.title,
        body=entry.body or None,
        people=entry.people or None,
        url=entry.url,
    )
    source: dict[str, Any] = document.to_dict(skip_empty=True)
    source["principals"] = list(entry.principals)  # an empty list stays: nobody may see it
    return source


# --- Queries -----------------------------------------------------------------------------------

_TERM_FIELDS = [f"{field}_terms^{weight:g}" for field, weight in WEIGHTS.items()]
_DATE_DESC = {"date": {"order": "desc", "missing": "_last"}}
_BY_KEY = {"key": {"order": "asc"}}


def permission_filter(principals: tuple[str, ...] | None) -> list[DslQuery]:
    """What the searcher may see; None (a superuser) sees everything, () nothing."""
    return [] if principals is None else [Terms("principals", list(principals))]


def query_filters(query: Query) -> list[DslQuery]:
    """The permission filter and the query's filters (no scoring)."""
    found = permission_filter(query.principals)
    if query.kinds:
        found.append(Terms("kind", list(query.kinds)))
    for field in ("doc_kind", "status"):
        value = getattr(query, field)
        if value:
            found.append(Term(**{field: value}))
    for field in ("office_id", "department_id"):
        value = getattr(query, field)
        if value is not None:
            found.append(Term(**{field: value}))
    if query.date_from or query.date_to:
        bounds: dict[str, Any] = {}
        if query.date_from:
            bounds["gte"] = query.date_from.isoformat()
        if query.date_to:
            bounds["lte"] = query.date_to.isoformat()
        found.append(Range("date", bounds))
    if query.overdue_on:
        found.append(Range("due_date", {"lt": query.overdue_on.isoformat()}))
        found.append(Term(closed=False))
    return found


def term_query(term: str) -> DslQuery:
    """One term in any of the four term fields, weighted; one edit allowed from
    ``FUZZY_MIN_LENGTH`` letters on (the first letter must match)."""
    if len(term) >= FUZZY_MIN_LENGTH:
        return MultiMatch(
            query=term,
            fields=_TERM_FIELDS,
            type="best_fields",
            fuzziness=1,
            prefix_length=1,
        )
    return MultiMatch(query=term, fields=_TERM_FIELDS, type="best_fields")


def word_query(group: Sequence[str]) -> DslQuery:
    if len(group) == 1:
        return term_query(group[0])
    return Bool(should=[term_query(term) for term in group], minimum_should_match=1)


def text_query(text: str, terms: Sequence[str]) -> list[DslQuery]:
    """Every word of the query must match (an AND of words)."""
    return [word_query(group) for group in word_groups(text, terms)]


# --- Backend -----------------------------------------------------------------------------------


class ElasticBackend:
    name = "elasticsearch"

    def __init__(
        self, url: str, *, prefix: str = DEFAULT_PREFIX, client: Elasticsearch | None = None
    ) -> None:
        self.client = client if client is not None else make_client(url)
        self.alias = f"{prefix}-search"
        self.building_alias = f"{prefix}-search-building"
        self._ready = False

    # Indexes --------------------------------------------------------------------------------

    def _new_index_name(self) -> str:
        while True:
            name = f"{self.alias}-v{datetime.now(UTC):%Y%m%d%H%M%S%f}"
            if not self.client.indices.exists(index=name):
                return name

    def _create_index(self, name: str, alias: str) -> None:
        index = Index(name)
        index.document(EntryDocument)
        index.aliases(**{alias: {}})
        index.create(using=self.client)

    def _behind(self, alias: str) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=alias))
        except NotFoundError:
            return []

    def indices(self) -> list[str]:
        """The versions behind the alias (one)."""
        return self._behind(self.alias)

    def ensure_index(self) -> None:
        """Create the first version of the index, behind the alias, when there is none."""
        if not self.client.indices.exists_alias(name=self.alias):
            self._create_index(self._new_index_name(), self.alias)
        self._ready = True

    def _ensure(self) -> None:
        if not self._ready:
            self.ensure_index()

    # Writing --------------------------------------------------------------------------------

    def _write(self, actions: Iterable[dict[str, Any]]) -> int:
        """Bulk-send ``actions`` through the alias, and through the building alias while a
        rebuild runs; returns how many actions were sent. Deleting a missing document is not
        an error, nor is a building version that went away meanwhile."""
        self._ensure()
        targets = [self.alias]
        if self.client.indices.exists_alias(name=self.building_alias):
            targets.append(self.building_alias)
        sent = 0

        def addressed() -> Iterator[dict[str, Any]]:
            nonlocal sent
            for action in actions:
                sent += 1
                for target in targets:
                    yield {**action, "_index": target}

        errors: list[dict[str, Any]] = []
        for ok, item in streaming_bulk(
            self.client,
            addressed(),
            chunk_size=INDEX_CHUNK,
            raise_on_error=False,
            require_alias=True,  # never let a write create an index of its own
            # Tests against a real cluster read their writes at once; the product does not wait.
            refresh="wait_for" if getattr(settings, "SEARCH_REFRESH_ON_WRITE", False) else False,
        ):
            if ok:
                continue
            [(op, result)] = item.items()
            error = result.get("error")
            if op == "delete" and result.get("status") == 404 and not error:
                continue  # nothing to delete
            error_type = error.get("type") if isinstance(error, dict) else None
            if result.get("_index") == self.building_alias and error_type in (
                "index_not_found_exception",
                "illegal_argument_exception",
            ):
                continue  # the rebuild ended meanwhile
            errors.append(item)
        if errors:
            raise BulkIndexError(f"{len(errors)} document(s) failed to index.", errors)
        return sent

    def index(self, entries: Iterable[Entry]) -> int:
        iterator = iter(entries)
        first = next(iterator, None)
        if first is None:
            return 0
        return self._write(
            {"_op_type": "index", "_id": entry.key, "_source": entry_source(entry)}
            for entry in chain([first], iterator)
        )

    def delete(self, keys: Iterable[str]) -> None:
        wanted = list(dict.fromkeys(keys))
        if wanted:
            self._write({"_op_type": "delete", "_id": key} for key in wanted)

    def rebuild(self, entries: Iterator[Entry], *, batch: int = 1000) -> int:
        self._ensure()
        new = self._new_index_name()
        self._create_index(new, self.building_alias)
        try:
            done = 0
            for _ok, _item in streaming_bulk(
                self.client,
                (
                    {"_index": new, "_id": entry.key, "_source": entry_source(entry)}
                    for entry in entries
                ),
                chunk_size=batch,
            ):
                done += 1
            self.client.indices.refresh(index=new)
            old = self.indices()
            self.client.indices.update_aliases(
                actions=[
                    *({"remove": {"index": name, "alias": self.alias}} for name in old),
                    {"remove": {"index": new, "alias": self.building_alias}},
                    {"add": {"index": new, "alias": self.alias}},
                ]
            )
        except BaseException:
            with suppress(Exception):  # the first error is the one to report
                self.client.options(ignore_status=404).indices.delete(index=new)
            raise
        for name in old:
            self.client.options(ignore_status=404).indices.delete(index=name)
        return done

    def count(self) -> int:
        self._ensure()
        return int(self.client.count(index=self.alias)["count"])

    # Searching ------------------------------------------------------------------------------

    def search(self, query: Query, terms: Sequence[str]) -> Results:
        self._ensure()
        filters = query_filters(query)
        key = code_key(query.text)
        if key:
            exact = Bool(filter=[*filters, Term(number_key=key)])
            found = self._run(exact, query, terms, sort=[_DATE_DESC, _BY_KEY])
            if found.total:
                return Results(found.total, found.hits, found.facets, exact=True)
        must = text_query(query.text, terms) or [MatchAll()]
        if query.sort == "date":
            sort: list[Any] = [_DATE_DESC, _BY_KEY]
        else:
            sort = [{"_score": {"order": "desc"}}, _DATE_DESC, _BY_KEY]
        return self._run(Bool(filter=filters, must=must), query, terms, sort=sort)

    def _run(
        self, dsl_query: DslQuery, query: Query, terms: Sequence[str], *, sort: list[Any]
    ) -> Results:
        per_page = max(0, query.per_page)
        start = max(0, query.page - 1) * per_page
        if start + per_page > MAX_RESULT_WINDOW:  # beyond what Elasticsearch pages through
            start, per_page = 0, 0
        search = (
            Search(using=self.client, index=self.alias)
            .query(dsl_query)
            .sort(*sort)
            .extra(from_=start, size=per_page, track_total_hits=True)
        )
        for facet in FACETS:
            search.aggs.bucket(facet, "terms", field=facet, size=FACET_SIZE)
        response: dict[str, Any] = search.execute().to_dict()
        hits = [
            Hit.from_fields(hit["_source"], hit.get("_score"), terms)
            for hit in response["hits"]["hits"]
        ]
        facets = {
            facet: [
                (str(bucket["key"]), int(bucket["doc_count"]))
                for bucket in response["aggregations"][facet]["buckets"]
                if str(bucket["key"]) != ""
            ]
            for facet in FACETS
        }
        return Results(total=int(response["hits"]["total"]["value"]), hits=hits, facets=facets)
