"""The one place that decides what a user may see and do.

Lists, cards, downloads, search and the API all ask here; nothing else checks roles or offices
directly. It grows with the e-document flow (documents, confidentiality, exchange).
"""

from django.contrib.auth.models import AnonymousUser, User

from edms.models import Office, Position
from edms.roles import Role


def staff_position(user: User | AnonymousUser) -> Position | None:
    """The user's position, or None for anonymous visitors and accounts that hold none."""
    if not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.position
    except Position.DoesNotExist:
        return None


def is_staff_member(user: User | AnonymousUser) -> bool:
    """Staff are active users with a position in an office, and superusers."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(getattr(user, "is_superuser", False)) or staff_position(user) is not None


def user_office(user: User | AnonymousUser) -> Office | None:
    position = staff_position(user)
    return position.office if position else None


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.groups.filter(name=role.value).exists()
