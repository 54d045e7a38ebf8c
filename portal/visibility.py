"""Which portal pages a visitor may see: staff-only notices and the intranet need staff.

Public pages are for everyone. A notice for staff, the intranet page and every page below it are
for staff only (``edms.access.is_staff_member``); anonymous visitors are sent to the staff login
and signed-in non-staff get 403. Lists of notices filter in the query, so a staff-only notice
never shows up in a public list, count or page.
"""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser, User
from wagtail.models import Locale, Page, PageQuerySet

from edms.access import is_staff_member

if TYPE_CHECKING:
    from portal.models import NoticePage


def page_is_staff_only(page: Page) -> bool:
    from portal.models import IntranetPage, NoticePage

    specific = page.specific
    if isinstance(specific, NoticePage) and specific.is_staff_only:
        return True
    return Page.objects.ancestor_of(page, inclusive=True).type(IntranetPage).exists()


def visible_notices(
    user: User | AnonymousUser, *, locale: Locale | None = None
) -> "PageQuerySet[NoticePage]":
    """Live notices this user may read, newest first."""
    from portal.models import NoticePage

    notices: Any = NoticePage.objects.live().select_related("office")
    if locale is not None:
        notices = notices.filter(locale=locale)
    if not is_staff_member(user):
        notices = notices.public().filter(audience=NoticePage.Audience.PUBLIC)
    return notices.order_by("-date", "-first_published_at")
