"""The embedded search backend: full-text search in the application's own database.

Entries live in ``search.models``; the full-text index is the database's own (SQLite FTS5, or
PostgreSQL's tsvector with a GIN index), over the analysed terms of ``search.text``, so both
databases find the same entries. Everything that differs by database is in ``DIALECTS``.

A query is an AND of its words; a word matches any of its terms (its key and, in Cyrillic, its
Russian stem), and a term of ``FUZZY_MIN_LENGTH`` letters or more that is in no indexed text
also matches the indexed terms within one edit. Those are found in the vocabulary tables by
their one-letter deletes (SymSpell), never by scanning.

The searcher's principals are applied inside the SQL twice: as tokens in the full-text match
(``principal_token``), so that only entries the searcher may see are read at all, however
common the word, and as an EXISTS on ``SearchPrincipal``, the rule. The total, the facets and
the page of hits come from one statement over that one set, so totals and facet counts never
include an entry the searcher may not see.
"""

# ruff: noqa: S608 - the SQL is put together from table and column names of this module and
# placeholders only: every value goes to the database as a parameter.

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from hashlib import blake2b
from itertools import islice
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from search.backends.base import (
    FACETS,
    FUZZY_MIN_LENGTH,
    WEIGHTS,
    Entry,
    Hit,
    Query,
    Results,
    one_edit_variants,
)
from search.models import SearchEntry, SearchPrincipal, SearchState, SearchTerm, SearchTermVariant
from search.text import code_key, word_groups

T = TypeVar("T")

ENTRY = SearchEntry._meta.db_table
PRINCIPAL = SearchPrincipal._meta.db_table
TERM = SearchTerm._meta.db_table
VARIANT = SearchTermVariant._meta.db_table
FTS = "search_fts"  # SQLite only
TERM_COLUMNS = ("number_terms", "title_terms", "people_terms", "body_terms")  # WEIGHTS' order
INDEXED = (*TERM_COLUMNS, "principal_terms")  # what the full-text index holds

BATCH = 500  # entries per transaction in ``index``
IN_CHUNK = 500  # values per IN (...) list or multi-row VALUES
MAX_EXPANSIONS = 50  # vocabulary terms a typo may stand for
SEEN_TERMS = 200_000  # vocabulary terms remembered within one index/rebuild call
MAX_VOCABULARY_TERM = 200  # SearchTerm.term's max_length
# What a hit shows: never the (long) term columns.
HIT_FIELDS = (
    "key", "kind", "title", "url", "number", "doc_kind", "status", "office_id", "date",
    "due_date", "body",
)  # fmt: skip


def principal_token(principal: str) -> str:
    """A principal as one full-text token: letters only, so that every tokenizer keeps it
    whole (principals hold ':' and '-'); a 64-bit hash, which the permission EXISTS backs."""
    number = int.from_bytes(blake2b(principal.encode(), digest_size=8).digest(), "big")
    letters = []
    for _ in range(14):
        number, digit = divmod(number, 26)
        letters.append(chr(ord("a") + digit))
    return "zz" + "".join(letters)


# --- What differs by database ----------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    install: tuple[str, ...]  # DDL of the full-text index (idempotent), run by the migrations
    remove: tuple[str, ...]
    source: str  # the FROM clause of a full-text search; the entry table is ``e``
    match: str  # the WHERE condition; one parameter: the match expression
    score: str  # the relevance (higher is better); ``score_params`` times the text expression
    score_params: int
    quote: Callable[[str], str]  # a term as an operand of the match expression
    any: str  # OR between a word's terms
    all: str  # AND between words
    words: str  # before the words' terms: their columns, where the syntax has them
    access: str  # before the principals' tokens: their column
    arrays: bool  # many rows go as one INSERT ... SELECT FROM unnest(arrays), not executemany

    def one_of(self, terms: Iterable[str]) -> str:
        return "(" + self.any.join(map(self.quote, terms)) + ")"


_new = ", ".join(f"new.{c}" for c in INDEXED)
_old = ", ".join(f"old.{c}" for c in INDEXED)
_changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in INDEXED)
_columns = ", ".join(INDEXED)
# bm25's weights, in INDEXED order: the principals' tokens weigh nothing.
_bm25 = ", ".join(str(WEIGHTS[name]) for name in ("number", "title", "people", "body")) + ", 0"

SQLITE = Dialect(
    install=(
        # External content: the terms are stored once, in the entry table, and triggers keep the
        # index in step with every write to it (bulk upserts, deletes, flushes alike).
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5({_columns},"
        f" content='{ENTRY}', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON {ENTRY} BEGIN"
        f" INSERT INTO {FTS}(rowid, {_columns}) VALUES (new.id, {_new}); END",
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_delete AFTER DELETE ON {ENTRY} BEGIN"
        f" INSERT INTO {FTS}({FTS}, rowid, {_columns}) VALUES ('delete', old.id, {_old}); END",
        f"CREATE TRIGGER IF NOT EXISTS {FTS}_update AFTER UPDATE OF {_columns} ON {ENTRY}"
        f" WHEN {_changed} BEGIN"
        f" INSERT INTO {FTS}({FTS}, rowid, {_columns}) VALUES ('delete', old.id, {_old});"
        f" INSERT INTO {FTS}(rowid, {_columns}) VALUES (new.id, {_new}); END",
        f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",  # entries written before this
    ),
    remove=(
        f"DROP TRIGGER IF EXISTS {FTS}_insert",
        f"DROP TRIGGER IF EXISTS {FTS}_delete",
        f"DROP TRIGGER IF EXISTS {FTS}_update",
        f"DROP TABLE IF EXISTS {FTS}",
    ),
    # The full-text match drives the plan: entries are then read by rowid.
    source=f"{FTS} CROSS JOIN {ENTRY} e ON e.id = {FTS}.rowid",
    match=f"{FTS} MATCH %s",
    score=f"-bm25({FTS}, {_bm25})",
    score_params=0,
    quote=lambda term: '"' + term.replace('"', '""') + '"',
    any=" OR ",
    all=" AND ",
    words="{" + " ".join(TERM_COLUMNS) + "} : ",
    access="principal_terms : ",
    arrays=False,  # executemany is a loop in C over one prepared statement
)

# ts_rank_cd's weights are {D, C, B, A}, at most 1; the principals' tokens are never ranked.
_pg_weights = ",".join(
    f"{WEIGHTS[name] / max(WEIGHTS.values()):g}" for name in ("body", "people", "title", "number")
)
_vector = " || ".join(
    [
        *(
            f"setweight(to_tsvector('simple'::regconfig, {column}), '{weight}')"
            for column, weight in zip(TERM_COLUMNS, "ABCD", strict=True)
        ),
        "to_tsvector('simple'::regconfig, principal_terms)",
    ]
)
POSTGRESQL = Dialect(
    install=(
        f"ALTER TABLE {ENTRY} ADD COLUMN IF NOT EXISTS search_vector tsvector"
        f" GENERATED ALWAYS AS ({_vector}) STORED",
        f"CREATE INDEX IF NOT EXISTS search_entry_vector ON {ENTRY} USING gin (search_vector)",
    ),
    remove=(
        "DROP INDEX IF EXISTS search_entry_vector",
        f"ALTER TABLE {ENTRY} DROP COLUMN IF EXISTS search_vector",
    ),
    source=f"{ENTRY} e",
    match="e.search_vector @@ to_tsquery('simple', %s)",
    score=f"ts_rank_cd('{{{_pg_weights}}}', e.search_vector, to_tsquery('simple', %s), 1)",
    score_params=1,
    quote=lambda term: "'" + term.replace("\\", "\\\\").replace("'", "''") + "'",
    any=" | ",
    all=" & ",
    words="",
    access="",
    arrays=True,  # one statement instead of a round of the pipeline per row
)

DIALECTS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


def install_full_text(db: BaseDatabaseWrapper) -> None:
    """Create the full-text index on this database (the migrations call this)."""
    _run_all(db, DIALECTS[db.vendor].install if db.vendor in DIALECTS else ())


def remove_full_text(db: BaseDatabaseWrapper) -> None:
    _run_all(db, DIALECTS[db.vendor].remove if db.vendor in DIALECTS else ())


def _run_all(db: BaseDatabaseWrapper, statements: Sequence[str]) -> None:
    with db.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# --- Small helpers ---------------------------------------------------------------------------


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


def within_one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with at most one letter deleted, inserted, replaced, or two
    neighbours swapped (sharing a delete also pairs some words two edits apart)."""
    if a == b:
        return True
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(long) - len(short) != 1:
        return False
    i = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[i:] == long[i + 1 :]


def _empty(exact: bool = False) -> Results:
    return Results(total=0, hits=[], facets={name: [] for name in FACETS}, exact=exact)


# --- The backend -----------------------------------------------------------------------------


class DatabaseBackend:
    name = "database"

    @property
    def dialect(self) -> Dialect:
        return DIALECTS[connection.vendor]

    # --- writing ---

    def index(self, entries: Iterable[Entry]) -> int:
        seen: set[str] = set()
        generation = self._generation()
        written = 0
        for batch in _batches(entries, BATCH):
            written += self._write(batch, generation, seen)
        return written

    def delete(self, keys: Iterable[str]) -> None:
        for chunk in _batches(dict.fromkeys(keys), IN_CHUNK):
            marks = _marks(len(chunk))
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {PRINCIPAL} WHERE entry_id IN"
                    f" (SELECT id FROM {ENTRY} WHERE key IN ({marks}))",
                    chunk,
                )
                cursor.execute(f"DELETE FROM {ENTRY} WHERE key IN ({marks})", chunk)

    def rebuild(self, entries: Iterator[Entry], *, batch: int = 1000) -> int:
        """Entries are upserted with a new generation, which ``index`` also writes from now on;
        those of older generations (not seen again) are deleted at the end. Searches answer
        throughout, from old and new rows alike."""
        with transaction.atomic():
            state = SearchState.objects.select_for_update().order_by("pk").first()
            if state is None:
                state = SearchState(generation=0)
            state.generation += 1
            state.save()
        generation = state.generation
        seen: set[str] = set()
        written = 0
        for chunk in _batches(entries, max(1, batch)):
            written += self._write(chunk, generation, seen)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {PRINCIPAL} WHERE entry_id IN"
                f" (SELECT id FROM {ENTRY} WHERE generation < %s)",
                [generation],
            )
            cursor.execute(f"DELETE FROM {ENTRY} WHERE generation < %s", [generation])
        return written

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {ENTRY}")
            return int(cursor.fetchone()[0])

    def _generation(self) -> int:
        state = SearchState.objects.order_by("pk").values_list("generation", flat=True).first()
        return state or 0

    _COLUMNS = (
        "key", "kind", "doc_kind", "status", "office_id", "department_id", "date", "due_date",
        "closed", "generation", "number", "number_key", "url", "title", "people",
        "number_terms", "title_terms", "people_terms", "body_terms", "principal_terms", "body",
    )  # fmt: skip

    def _write(self, batch: list[Entry], generation: int, seen: set[str]) -> int:
        """Upsert one batch of entries, their principals and their terms, in one transaction."""
        entries = list({entry.key: entry for entry in batch}.values())  # the last one wins
        as_date = connection.ops.adapt_datefield_value
        rows: list[tuple[Any, ...]] = []
        vocabulary: set[str] = set()
        for e in entries:
            analysed = (e.number_terms, e.title_terms, e.people_terms, e.body_terms)
            for text in analysed:
                vocabulary.update(text.split())
            rows.append(
                (e.key, e.kind, e.doc_kind, e.status, e.office_id, e.department_id,
                 as_date(e.date), as_date(e.due_date), e.closed, generation, e.number,
                 e.number_key, e.url, e.title, e.people, *analysed,
                 " ".join(sorted(principal_token(p) for p in set(e.principals))), e.body)
            )  # fmt: skip
        columns = ", ".join(self._COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in self._COLUMNS if c != "key")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {ENTRY} ({columns}) VALUES ({_marks(len(self._COLUMNS))})"
                f" ON CONFLICT (key) DO UPDATE SET {updates}",
                rows,
            )
            ids: dict[str, int] = {}
            for chunk in _batches([e.key for e in entries], IN_CHUNK):
                cursor.execute(
                    f"SELECT key, id FROM {ENTRY} WHERE key IN ({_marks(len(chunk))})", chunk
                )
                ids.update(cursor.fetchall())
            self._write_principals(cursor, {ids[e.key]: set(e.principals) for e in entries})
            self._extend_vocabulary(cursor, vocabulary, seen)
        return len(entries)

    def _write_principals(self, cursor: Any, wanted: dict[int, set[str]]) -> None:
        """Replace the principals of these entries, touching only the rows that change."""
        have: set[tuple[int, str]] = set()
        for chunk in _batches(wanted, IN_CHUNK):
            cursor.execute(
                f"SELECT entry_id, principal FROM {PRINCIPAL}"
                f" WHERE entry_id IN ({_marks(len(chunk))})",
                chunk,
            )
            have.update((int(i), p) for i, p in cursor.fetchall())
        want = {(entry_id, p) for entry_id, held in wanted.items() for p in held}
        if have - want:
            cursor.executemany(
                f"DELETE FROM {PRINCIPAL} WHERE entry_id = %s AND principal = %s",
                sorted(have - want),
            )
        if want - have:
            columns = {"entry_id": "bigint", "principal": "text"}
            self._insert(cursor, PRINCIPAL, columns, want - have, "ON CONFLICT DO NOTHING")

    def _extend_vocabulary(self, cursor: Any, terms: set[str], seen: set[str]) -> None:
        """Add the new terms, and the deletes of the long enough ones, to the vocabulary."""
        new = sorted(t for t in terms - seen if len(t) <= MAX_VOCABULARY_TERM)
        if len(seen) > SEEN_TERMS:
            seen.clear()
        seen.update(new)
        variants: list[tuple[str, str]] = []
        for chunk in _batches(new, IN_CHUNK):
            cursor.execute(
                f"INSERT INTO {TERM} (term) VALUES {', '.join(['(%s)'] * len(chunk))}"
                " ON CONFLICT DO NOTHING RETURNING term",
                chunk,
            )
            for (term,) in cursor.fetchall():
                if len(term) >= FUZZY_MIN_LENGTH:
                    variants += [(variant, term) for variant in one_edit_variants(term)]
        if variants:
            columns = {"variant": "text", "term": "text"}
            self._insert(cursor, VARIANT, columns, variants, "ON CONFLICT DO NOTHING")

    def _insert(
        self,
        cursor: Any,
        table: str,
        columns: dict[str, str],  # name: PostgreSQL type
        rows: Iterable[tuple[Any, ...]],
        suffix: str = "",
    ) -> None:
        names = ", ".join(columns)
        if self.dialect.arrays:
            arrays = ", ".join(f"%s::{kind}[]" for kind in columns.values())
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {suffix}",
                [list(column) for column in zip(*sorted(rows), strict=True)],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({_marks(len(columns))}) {suffix}",
                sorted(rows),
            )

    # --- searching ---

    def search(self, query: Query, terms: Sequence[str]) -> Results:
        if query.principals is not None and not query.principals:
            return _empty()
        dialect = self.dialect
        where, params = self._filters(query)
        code = code_key(query.text)
        if code:
            # A registration number or tracking code: the entries that carry it, if any.
            found = self._answer(
                query, [*where, "e.number_key = %s"], [*params, code], exact=True, shown=terms
            )
            if found.total:
                return found
        text = ""
        shown: Sequence[str] = ()
        if query.text.strip():
            groups = word_groups(query.text, terms)
            if not groups:
                return _empty()
            groups = self._expand(groups)
            shown = [t for group in groups for t in group]
            text = f"{dialect.words}({dialect.all.join(map(dialect.one_of, groups))})"
        match = [text] if text else []
        if query.principals is not None:
            # Only what the searcher may see, from the full-text index itself: the rows read
            # are those of the answer, whatever the word (the EXISTS then confirms them).
            tokens = sorted({principal_token(p) for p in query.principals})
            match.append(dialect.access + dialect.one_of(tokens))
        return self._answer(
            query, where, params, match=dialect.all.join(match), text=text, shown=shown
        )

    def _filters(self, query: Query) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []

        def add(condition: str, *values: Any) -> None:
            where.append(condition)
            params.extend(values)

        as_date = connection.ops.adapt_datefield_value
        if query.kinds:
            add(f"e.kind IN ({_marks(len(query.kinds))})", *query.kinds)
        for name in ("doc_kind", "status"):
            if getattr(query, name):
                add(f"e.{name} = %s", getattr(query, name))
        for name in ("office_id", "department_id"):
            if getattr(query, name) is not None:
                add(f"e.{name} = %s", getattr(query, name))
        if query.date_from:
            add("e.date >= %s", as_date(query.date_from))
        if query.date_to:
            add("e.date <= %s", as_date(query.date_to))
        if query.overdue_on:
            add("e.due_date < %s AND NOT e.closed", as_date(query.overdue_on))
        if query.principals is not None:
            principals = sorted(set(query.principals))
            add(
                f"EXISTS (SELECT 1 FROM {PRINCIPAL} p WHERE p.entry_id = e.id"
                f" AND p.principal IN ({_marks(len(principals))}))",
                *principals,
            )
        return where, params

    def _answer(
        self,
        query: Query,
        where: list[str],
        params: list[Any],
        *,
        match: str = "",
        text: str = "",
        shown: Sequence[str] = (),
        exact: bool = False,
    ) -> Results:
        """The total, the facets and one page of hits of the entries that satisfy ``where``
        and the full-text ``match`` (when given), in one statement; ranked by ``text`` when
        given and the sort is by relevance."""
        dialect = self.dialect
        source, score, score_params = f"{ENTRY} e", "0.0", []
        if match:
            source, where, params = dialect.source, [dialect.match, *where], [match, *params]
        order = "date DESC NULLS LAST, id DESC"
        if text and query.sort != "date":
            score, score_params = dialect.score, [text] * dialect.score_params
            order = f"score DESC, {order}"
        per_page = max(0, query.per_page)
        offset = (max(1, query.page) - 1) * per_page
        with connection.cursor() as cursor:
            cursor.execute(
                _answer_sql(source, " AND ".join(where) or "1 = 1", score, order),
                [*score_params, *params, per_page, offset],
            )
            rows = cursor.fetchall()
        total = 0
        facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
        page: list[tuple[int, int, float]] = []
        for facet, value, count, score_value in rows:
            if facet == "":
                total = int(count)
            elif facet == "#":
                page.append((int(count), int(value), float(score_value)))
            else:
                facets[facet].append((str(value), int(count)))
        for values in facets.values():
            values.sort(key=lambda pair: (-pair[1], pair[0]))
        rows = SearchEntry.objects.filter(pk__in=[pk for _pos, pk, _score in page])
        found = {row["id"]: row for row in rows.values("id", *HIT_FIELDS)}
        hits = [
            Hit.from_fields(found[pk], score, shown)
            for _position, pk, score in sorted(page)
            if pk in found
        ]
        return Results(total=total, hits=hits, facets=facets, exact=exact)

    def _expand(self, groups: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
        """Each term of ``FUZZY_MIN_LENGTH`` or more that is not in the vocabulary, with the
        vocabulary terms within one edit of it."""
        long = {t for group in groups for t in group if len(t) >= FUZZY_MIN_LENGTH}
        if not long:
            return groups
        keys = sorted(long.union(*(one_edit_variants(t) for t in long)))
        found: set[str] = set()
        with connection.cursor() as cursor:
            for chunk in _batches(keys, IN_CHUNK):
                marks = _marks(len(chunk))
                cursor.execute(
                    f"SELECT term FROM {TERM} WHERE term IN ({marks})"
                    f" UNION SELECT term FROM {VARIANT} WHERE variant IN ({marks})",
                    [*chunk, *chunk],
                )
                found.update(term for (term,) in cursor.fetchall())
        expanded: list[tuple[str, ...]] = []
        for group in groups:
            alternatives = list(group)
            for term in group:
                if term in long and term not in found:
                    near = sorted(w for w in found if w != term and within_one_edit(term, w))
                    alternatives += near[:MAX_EXPANSIONS]
            expanded.append(tuple(dict.fromkeys(alternatives)))
        return expanded


def _answer_sql(source: str, condition: str, score: str, order: str) -> str:
    """One statement for the whole answer: the matching entries once (``matched``), then rows
    of (facet, value, count, score): ("", "", total), (facet, value, count) for every value of
    every facet, and ("#", id, position, score) for the page's hits (LIMIT %s OFFSET %s)."""
    facet_columns = ", ".join(f"e.{name}" for name in FACETS)
    parts = ["SELECT '' AS facet, '' AS value, COUNT(*) AS n, 0.0 AS score FROM matched"]
    for name in FACETS:
        is_text = isinstance(SearchEntry._meta.get_field(name), models.CharField)
        value = name if is_text else f"CAST({name} AS TEXT)"
        present = f"{name} <> ''" if is_text else f"{name} IS NOT NULL"
        parts.append(
            f"SELECT '{name}', {value}, COUNT(*), 0.0 FROM matched WHERE {present} GROUP BY {name}"
        )
    parts.append(
        f"SELECT '#', CAST(id AS TEXT), ROW_NUMBER() OVER (ORDER BY {order}), score FROM page"
    )
    return (
        f"WITH matched AS MATERIALIZED (SELECT e.id AS id, e.date AS date,"
        f" CAST({score} AS DOUBLE PRECISION) AS score, {facet_columns}"
        f" FROM {source} WHERE {condition}),"
        f" page AS (SELECT id, date, score FROM matched ORDER BY {order} LIMIT %s OFFSET %s) "
    ) + " UNION ALL ".join(parts)
