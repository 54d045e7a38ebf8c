"""The one query service in front of both backends, and the entry points that keep the index
current.

``backend()`` is the Elasticsearch backend when ``ELASTICSEARCH_URL`` is set, the database
backend otherwise. ``search_for`` turns a user's request into a ``Query`` with the user's
principals (``search.entries.principals_for``), so that no caller can forget the permission
filter; ``refresh`` rebuilds the entries behind an index key from the database and sends them,
or deletes them when the object is gone or no longer public.
"""

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from wagtail.models import Page

from intake.models import Application
from search.backends.base import Backend, Entry, Query, Results
from search.entries import (
    application_entry,
    document_entry,
    documents_for_index,
    page_entry,
    principals_for,
)
from search.text import query_terms


@lru_cache(maxsize=1)
def _configured_backend(url: str) -> Backend:
    if url:
        from search.backends.elastic import ElasticBackend

        return ElasticBackend(url, prefix=settings.SEARCH_INDEX_PREFIX)
    from search.backends.database import DatabaseBackend

    return DatabaseBackend()


def backend() -> Backend:
    return _configured_backend(settings.ELASTICSEARCH_URL)


def search_for(
    user: User | AnonymousUser,
    text: str,
    *,
    kinds: Sequence[str] = (),
    page: int = 1,
    per_page: int = 20,
    sort: str = "relevance",
    **filters: Any,
) -> Results:
    """What ``user`` may find for ``text``, with the filters of ``Query`` by name."""
    query = Query(
        text=text.strip(),
        principals=principals_for(user),
        kinds=tuple(kinds),
        sort=sort if sort in ("relevance", "date") else "relevance",
        page=max(1, page),
        per_page=per_page,
        **filters,
    )
    return backend().search(query, query_terms(query.text))


def entries_for(key: str) -> tuple[list[Entry], list[str]]:
    """The entries to (re)index for an index key, and the keys to delete."""
    kind, _sep, raw_pk = key.partition(":")
    pk = int(raw_pk) if raw_pk.isdigit() else 0
    if kind == "document":
        document = documents_for_index().filter(pk=pk).first()
        if document is None:
            return [], [key, f"application:{pk}"]
        entries = [document_entry(document)]
        attached = Application.objects.filter(document=document).first()
        if attached is not None:
            entries.append(application_entry(attached))
        return entries, []
    if kind == "application":
        found = Application.objects.select_related("document", "service").filter(pk=pk).first()
        return ([application_entry(found)], []) if found else ([], [key])
    if kind == "page":
        page = Page.objects.live().filter(pk=pk).first()
        return ([page_entry(page)], []) if page else ([], [key])
    raise ValueError(f"unknown index key {key!r}")


def refresh(keys: Sequence[str]) -> int:
    """Bring the index up to date for these keys; returns how many entries were sent."""
    entries: list[Entry] = []
    gone: list[str] = []
    for key in dict.fromkeys(keys):
        found, deleted = entries_for(key)
        entries += found
        gone += deleted
    if gone:
        backend().delete(gone)
    return backend().index(entries) if entries else 0
