"""Workspace template tags: the working-day countdown badge."""

from datetime import date

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    from edms.audit import action_label as label

    return label(action)


@register.simple_tag
def days_left(days_left_by_date: dict[date, int], deadline: date | None) -> SafeString | str:
    """A badge: "3 working days left", "due today" or "2 working days overdue"."""
    if deadline is None or deadline not in days_left_by_date:
        return ""
    left = days_left_by_date[deadline]
    if left < 0:
        text = ngettext("%(days)d working day overdue", "%(days)d working days overdue", -left) % {
            "days": -left
        }
        return format_html('<span class="badge text-bg-danger">{}</span>', text)
    if left == 0:
        return format_html('<span class="badge text-bg-warning">{}</span>', _("due today"))
    text = ngettext("%(days)d working day left", "%(days)d working days left", left) % {
        "days": left
    }
    colour = "warning" if left <= 3 else "secondary"
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, text)


@register.filter
def get(mapping: dict[object, object], key: object) -> object:
    """``{{ steps|get:assignment.pk }}``: a dictionary lookup by a variable key."""
    return mapping.get(key, ())


@register.simple_tag(takes_context=True)
def waiting_for_me(context: template.Context) -> int:
    """The number on the workspace link in the header; 0 for anyone who is not staff."""
    from edms.access import is_staff_member
    from edms.selectors import waiting_count

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_staff_member(user):
        return 0
    return waiting_count(user)
