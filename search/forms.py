"""The search pages' query parameters, each through a form (``core.params``)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.params import MAX_QUERY, QueryForm, id_field

# Elasticsearch serves at most 10,000 hits deep (index.max_result_window): pages past it are
# refused as a filter, not turned into an offset the index rejects.
MAX_RESULT_WINDOW = 10_000
PER_PAGE = 20
ISO = ["%Y-%m-%d"]  # what a date input sends, in every language
INVALID_DATE = _("Enter a valid date, for example 2026-03-15.")


class PortalSearchForm(QueryForm):
    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY, required=False)
    page = forms.IntegerField(
        label=_("page"), min_value=1, max_value=MAX_RESULT_WINDOW // PER_PAGE, required=False
    )


class WorkspaceSearchForm(PortalSearchForm):
    doc_kind = forms.SlugField(label=_("Kind"), max_length=64, required=False)
    status = forms.SlugField(label=_("Status"), max_length=32, required=False)
    office_id = id_field(label=_("Office"))
    department_id = id_field(label=_("Department"))
    date_from = forms.DateField(
        label=_("From"), required=False, input_formats=ISO, error_messages={"invalid": INVALID_DATE}
    )
    date_to = forms.DateField(
        label=_("To"), required=False, input_formats=ISO, error_messages={"invalid": INVALID_DATE}
    )
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[("relevance", _("Relevance")), ("date", _("Date"))],
        required=False,
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # The page's own parameter names: ``from`` and ``to`` are Python keywords.
        if data is not None:
            data = data.copy()
            for name, field in (("from", "date_from"), ("to", "date_to")):
                if name in data:
                    data.setlist(field, data.getlist(name))
        super().__init__(data, *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The start date is after the end date."))
        return cleaned
