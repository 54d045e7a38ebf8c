"""Values from outside, read through forms: each has a type, a range and a length.

A listing's query parameters are filters: one that does not hold (a NUL byte, a word where a
number belongs, 10,000 characters, an impossible date) is ignored, and the page says so in the
user's language, instead of failing. A step posted from a form either holds or is refused with
the form's messages. ``tests/test_url_walk.py`` sends hostile values to every parameter a view
reads, so a value read by hand that breaks a page is found.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The largest value a database id holds (PostgreSQL's integer), and the deepest page a listing
# offers: links past it are ignored rather than turned into an offset no index can serve.
MAX_ID = 2**31 - 1
MAX_PAGE = 10_000
# A free-text filter (a search, a registration number): longer is never a real query.
MAX_QUERY = 200
# Free text posted with a step (a comment, a reason, instructions).
MAX_TEXT = 10_000


def id_field(**kwargs: Any) -> forms.IntegerField:
    """An optional database id."""
    return forms.IntegerField(min_value=1, max_value=MAX_ID, required=False, **kwargs)


class QueryForm(forms.Form):
    """Query parameters of a listing; every field optional, ``page`` always there."""

    page = forms.IntegerField(
        label=gettext_lazy("page"), min_value=1, max_value=MAX_PAGE, required=False
    )


class OfficeQuery(QueryForm):
    """A listing narrowed to one office (``?office=<code>``), or the office an administrator
    without a position of their own works in."""

    office = forms.SlugField(label=gettext_lazy("Office"), max_length=64, required=False)


class CodeQuery(forms.Form):
    """A code typed to look something up (``?code=``): a tracking or verification code."""

    code = forms.CharField(label=gettext_lazy("Code"), max_length=64, required=False)


class Query(dict[str, Any]):
    """The values of a query form; ``invalid`` names the parameters that were ignored."""

    invalid: frozenset[str] = frozenset()


def _empty(field: forms.Field) -> Any:
    return field.to_python("")


def read_query(request: HttpRequest, form_class: type[forms.Form], **kwargs: Any) -> Query:
    """The valid parameters of ``request.GET`` by ``form_class``; each invalid one is empty and
    named in a warning on the page ("The filter “page” was ignored: …")."""
    form = form_class(request.GET, **kwargs)
    form.is_valid()
    values = Query(
        (name, form.cleaned_data[name] if name in form.cleaned_data else _empty(field))
        for name, field in form.fields.items()
    )
    values.invalid = frozenset(form.errors)
    for name, errors in form.errors.items():
        for error in errors:
            text = str(error)
            if name in form.fields:
                text = _("The filter “%(filter)s” was ignored: %(reason)s") % {
                    "filter": form.fields[name].label or name,
                    "reason": text,
                }
            messages.warning(request, text)
    return values


def read_post(request: HttpRequest, form_class: type[forms.Form], **kwargs: Any) -> dict[str, Any]:
    """The cleaned values of ``request.POST`` by ``form_class``, or a ``ValidationError``
    carrying every message of the form (the view shows them)."""
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        raise ValidationError(
            [
                f"{form.fields[name].label}: {error}" if name in form.fields else error
                for name, errors in form.errors.items()
                for error in errors
            ]
        )
    return form.cleaned_data
