"""What every search backend takes and gives: the contract the query service relies on.

An ``Entry`` is one thing that can be found (a document, the applicant side of an application,
a published page) with the *principals* allowed to see it: ``office:<id>``, ``dept:<id>``,
``user:<id>``, ``role:<role>:<office id>``, ``staff`` (any member of staff) or ``public``. A
``Query`` carries the searcher's principals, and the backend applies them inside the query, so
that totals and facet counts never include what the searcher may not see; ``principals=None``
is a superuser's unrestricted search.

Both backends index the analysed terms of ``search.text`` (computed here, in Python, once),
keep the original title and body for display, and answer with ``Results``. Highlighting is done
here from the original text (``highlight``), so it is the same whichever backend found the hit.
"""

import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.text import WORD, code_key, terms_text, word_matches

# The facets every search answers with, each a field of ``Entry``.
FACETS = ("doc_kind", "status", "office_id", "department_id")
# Relevance weights: a number match first, then the title, people, then the body.
WEIGHTS = {"number": 8.0, "title": 3.0, "people": 2.0, "body": 1.0}


@dataclass(frozen=True)
class Entry:
    key: str  # "document:12", "application:5", "page:7": unique in the index
    kind: str  # "document", "application" or "page"
    title: str
    url: str
    principals: tuple[str, ...]
    number: str = ""  # registration number or tracking code: exact lookups
    body: str = ""  # summary, attachment text, page text
    people: str = ""  # correspondent, executors, applicant (where allowed)
    doc_kind: str = ""  # document kind, service code or page type: a facet
    status: str = ""
    office_id: int | None = None
    department_id: int | None = None
    date: datetime.date | None = None
    due_date: datetime.date | None = None
    closed: bool = False  # done or closed: never overdue

    # What the backends index (computed once per entry).
    @property
    def number_key(self) -> str:
        return code_key(self.number)

    @property
    def number_terms(self) -> str:
        return terms_text(self.number)

    @property
    def title_terms(self) -> str:
        return terms_text(self.title)

    @property
    def body_terms(self) -> str:
        return terms_text(self.body)

    @property
    def people_terms(self) -> str:
        return terms_text(self.people)


@dataclass(frozen=True)
class Query:
    text: str = ""
    # None: no restriction (a superuser); otherwise what the searcher holds.
    principals: tuple[str, ...] | None = ()
    kinds: tuple[str, ...] = ()  # entry kinds searched; empty: all
    doc_kind: str = ""
    status: str = ""
    office_id: int | None = None
    department_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    overdue_on: datetime.date | None = None  # only entries due before this day and not closed
    sort: str = "relevance"  # or "date" (newest first)
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class Hit:
    key: str
    kind: str
    title: str
    url: str
    number: str
    doc_kind: str
    status: str
    office_id: int | None
    date: datetime.date | None
    due_date: datetime.date | None
    score: float
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))
    title_marked: SafeString = field(default_factory=lambda: mark_safe(""))  # matches marked

    @classmethod
    def from_fields(
        cls, fields: Mapping[str, Any], score: float | None, terms: Sequence[str]
    ) -> "Hit":
        """A hit from an entry's stored fields, as either backend reads them (dates as dates
        or ISO strings), its snippet highlighted for the query's ``terms``."""
        return cls(
            key=fields["key"],
            kind=fields.get("kind") or "",
            title=fields.get("title") or "",
            url=fields.get("url") or "",
            number=fields.get("number") or "",
            doc_kind=fields.get("doc_kind") or "",
            status=fields.get("status") or "",
            office_id=_as_int(fields.get("office_id")),
            date=_as_date(fields.get("date")),
            due_date=_as_date(fields.get("due_date")),
            score=float(score or 0.0),
            snippet=highlight(fields.get("body") or fields.get("title") or "", terms),
            title_marked=highlight(fields.get("title") or "", terms, words=TITLE_WORDS),
        )


def _as_date(value: Any) -> datetime.date | None:
    if value is None or value == "" or isinstance(value, datetime.date):
        return value or None
    return datetime.date.fromisoformat(str(value)[:10])


def _as_int(value: Any) -> int | None:
    return int(value) if value is not None else None


@dataclass(frozen=True)
class Results:
    total: int
    hits: list[Hit]
    # facet name -> [(value, count)], most frequent first; values as strings
    facets: dict[str, list[tuple[str, int]]]
    exact: bool = False  # the text was a registration number or tracking code found as such


class Backend(Protocol):
    name: str

    def index(self, entries: Iterable[Entry]) -> int:
        """Add or replace these entries (bulk); returns how many."""

    def delete(self, keys: Iterable[str]) -> None:
        """Remove entries by key; unknown keys are ignored."""

    def search(self, query: Query, terms: Sequence[str]) -> Results:
        """``terms`` are the query's analysed terms (``search.text.query_terms``)."""

    def rebuild(self, entries: Iterator[Entry], *, batch: int = 1000) -> int:
        """Index everything anew beside the live index and switch to it when done, so
        searches keep answering from the old one until then; returns how many."""

    def count(self) -> int: ...


# --- Shared pieces ---------------------------------------------------------------------------

SNIPPET_WORDS = 30
TITLE_WORDS = 1000  # a title is shown whole


def highlight(text: str, terms: Sequence[str], *, words: int = SNIPPET_WORDS) -> SafeString:
    """A short, escaped extract of ``text`` around the first matching word, matches in
    ``<mark>``; the start of the text when nothing matches."""
    matches = list(WORD.finditer(text or ""))
    if not matches:
        return mark_safe("")
    first = next((i for i, m in enumerate(matches) if word_matches(m.group(), terms)), 0)
    start = max(0, first - words // 3)
    chosen = matches[start : start + words]
    out: list[str] = ["… " if start > 0 else ""]
    cursor = chosen[0].start() if start > 0 else 0
    for match in chosen:
        out.append(escape(text[cursor : match.start()]))
        word = escape(match.group())
        out.append(f"<mark>{word}</mark>" if word_matches(match.group(), terms) else word)
        cursor = match.end()
    if start + words < len(matches):
        out.append(" …")
    else:
        out.append(escape(text[cursor:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def one_edit_variants(term: str) -> set[str]:
    """The term with one letter deleted (SymSpell's deletes). Two words within one edit
    (a letter deleted, inserted, replaced or two swapped) share a variant or one is the
    other's, which is how the database backend finds typos without scanning its vocabulary."""
    return {term[:i] + term[i + 1 :] for i in range(len(term))}


FUZZY_MIN_LENGTH = 4  # shorter words match exactly: "va" must not find "ва", "av", "a"
