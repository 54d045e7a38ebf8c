"""The workspace's listings and their query parameters, each through a form (``core.params``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.params import MAX_QUERY, QueryForm, id_field
from edms.models import Document
from edms.selectors import CONTROL_BUCKETS


class DocumentFilter(QueryForm):
    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Document.Status.choices, required=False)


class ControlFilter(QueryForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices, required=False)
    department = id_field(label=_("Department"))
    executor = id_field(label=_("Executor"))
    show = forms.ChoiceField(
        label=_("Show"), choices=[(name, name) for name in CONTROL_BUCKETS], required=False
    )


class ReplyToFilter(forms.Form):
    """``?reply_to=<pk>``: the document a new draft answers."""

    reply_to = id_field(label=_("Answer to"))
