"""Search pages: the staff search in the workspace, and the portal's public search.

Both go through ``search.service.search_for``, which applies the searcher's principals inside
the query. The portal search finds published pages of the current language only (guidance,
notices, services): never documents or applications, whoever asks.
"""

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.decorators import ratelimit

from core.params import read_query
from edms.models import Department, Document, Office
from edms.views import staff_required
from intake.models import Application, Service
from portal.throttling import rate_from_setting
from search.backends.base import Results
from search.forms import PER_PAGE, PortalSearchForm, WorkspaceSearchForm
from search.service import search_for

# Facets shown in the workspace, in order, with their headings.
FACET_TITLES = {
    "doc_kind": gettext_lazy("Kind"),
    "status": gettext_lazy("Status"),
    "office_id": gettext_lazy("Office"),
    "department_id": gettext_lazy("Department"),
}


def _language_kind() -> str:
    code = translation.get_language() or "uz"
    return f"page:{code.lower()}"


def facet_labels(results: Results | None) -> dict[str, dict[str, str]]:
    """What each facet value of ``results`` is called in the current language (only the
    offices, departments and services the answer names are read)."""
    facets = results.facets if results is not None else {}

    def named(name: str) -> list[str]:
        return [value for value, _count in facets.get(name, [])]

    def ids(name: str) -> list[int]:
        return [int(value) for value in named(name) if value.isdigit()]

    hit_offices = [hit.office_id for hit in results.hits] if results is not None else []

    kinds = {value: str(label) for value, label in Document.Kind.choices}
    kinds |= {s.code: s.name for s in Service.objects.filter(code__in=named("doc_kind"))}
    kinds |= {"guidancepage": _("Guidance"), "noticepage": _("Notice"), "servicepage": _("Service")}
    statuses = {value: str(label) for value, label in Document.Status.choices}
    statuses |= {value: str(label) for value, label in Application.Status.choices}
    return {
        "doc_kind": kinds,
        "status": statuses,
        "office_id": {
            str(o.pk): o.name
            for o in Office.objects.filter(pk__in=[*ids("office_id"), *hit_offices])
        },
        "department_id": {
            str(d.pk): d.name for d in Department.objects.filter(pk__in=ids("department_id"))
        },
    }


def _pages(results: Results, page: int) -> Any:
    """A paginator page over the total, for the usual pagination links."""
    paginator = Paginator(range(results.total), PER_PAGE)
    return paginator.get_page(page)


@staff_required
def workspace_search(request: HttpRequest) -> HttpResponse:
    params = request.GET
    asked = read_query(request, WorkspaceSearchForm)
    text, page = asked["q"].strip(), asked["page"] or 1
    filters: dict[str, Any] = {
        name: asked[name]
        for name in ("doc_kind", "status", "office_id", "department_id", "date_from", "date_to")
    }
    if asked["overdue"]:
        filters["overdue_on"] = timezone.localdate()
    # A date range that does not hold is said, not silently dropped from the search.
    searched = not asked.invalid & {"date_from", "date_to"} and (
        bool(text) or any(filters.values())
    )
    results = (
        search_for(
            request.user,
            text,
            kinds=("document", "application", _language_kind()),
            page=page,
            per_page=PER_PAGE,
            sort=asked["sort"] or "relevance",
            **filters,
        )
        if searched
        else None
    )
    labels = facet_labels(results)
    facets = []
    if results is not None:
        for name, title in FACET_TITLES.items():
            values = [
                {
                    "value": value,
                    "label": labels[name].get(value, value),
                    "count": count,
                    "active": str(filters.get(name) or "") == value,
                    # An active value's link takes its filter off again.
                    "url": "?"
                    + urlencode(
                        {k: v for k, v in params.dict().items() if k not in (name, "page")}
                        if str(filters.get(name) or "") == value
                        else {**params.dict(), name: value, "page": 1}
                    ),
                }
                for value, count in results.facets.get(name, [])
            ]
            if values:
                facets.append({"title": title, "name": name, "values": values})
    return render(
        request,
        "search/workspace_search.html",
        {
            "query": text,
            "results": results,
            "facets": facets,
            "rows": [
                {
                    "hit": hit,
                    "status": labels["status"].get(hit.status, hit.status),
                    "kind": labels["doc_kind"].get(hit.doc_kind, ""),
                    "office": labels["office_id"].get(str(hit.office_id), ""),
                }
                for hit in (results.hits if results else [])
            ],
            "page_obj": _pages(results, page) if results else None,
            "params": params,
            "base_query": urlencode({k: v for k, v in params.items() if k != "page"}),
        },
    )


@ratelimit(key="ip", rate=rate_from_setting("SEARCH_RATE_LIMIT"), block=True)
def portal_search(request: HttpRequest) -> HttpResponse:
    values = read_query(request, PortalSearchForm)
    text, page = values["q"].strip(), values["page"] or 1
    # Public search: pages only, whoever asks (staff see staff-only pages as well).
    results = (
        search_for(request.user, text, kinds=(_language_kind(),), page=page, per_page=PER_PAGE)
        if text
        else None
    )
    return render(
        request,
        "search/portal_search.html",
        {
            "query": text,
            "results": results,
            "page_obj": _pages(results, page) if results else None,
            "base_query": urlencode({"q": text}),
        },
    )
