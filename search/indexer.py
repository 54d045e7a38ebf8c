"""Keeping the search index current without losing a change.

Every change that alters what an entry says or who may see it writes an ``index`` outbox row in
the same transaction (``index_later``): a document saved, its files, executors, dispatches
(access) and people (confidential access) changed, an application saved, a page published,
unpublished, moved or deleted. After commit the Celery task sends it; the handler rebuilds the
entries for the key from the database (``search.service.refresh``), so a message carries no
stale data and a retry is harmless. A backend that cannot be reached makes the message wait
for a retry or the periodic sweep: nothing is lost while Elasticsearch or Redis is down.

Within one transaction a key is queued once, however many signals name it.
"""

import uuid
from typing import Any

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from edms.models import Assignment, AttachmentVersion, Dispatch, Document
from intake.models import Application
from intake.outbox import RetryLater, handler, outbox_add, outbox_send_after_commit


def _transaction_token() -> str:
    """One token per outermost transaction, so a key is queued once in it.

    The token lives as long as the on-commit callback that forgets it is pending: a commit runs
    that callback, and a rollback (of the transaction, or of the savepoint that made the token)
    discards it, so a later transaction never reuses a token, whose messages' keys would then
    be taken for messages already queued and its index updates dropped."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return uuid.uuid4().hex
    current: tuple[str, Any] | None = getattr(connection, "_search_index_token", None)
    if current is not None:
        token, forgetting = current
        if any(pending is forgetting for _sids, pending, _robust in connection.run_on_commit):
            return token

    def forget() -> None:
        connection._search_index_token = None

    token = uuid.uuid4().hex
    connection._search_index_token = (token, forget)
    transaction.on_commit(forget)
    return token


def index_later(*keys: str) -> None:
    """Queue these index keys ("document:12", "page:7") in the caller's transaction."""
    token = _transaction_token()
    with transaction.atomic():
        messages = [
            outbox_add(kind="index", key=f"index:{key}:{token}", payload={"key": key})
            for key in keys
        ]
    outbox_send_after_commit(messages)


def _backend_unreachable(error: Exception) -> bool:
    if isinstance(error, (ConnectionError, OSError)):
        return True
    # The Elasticsearch client's transport errors are not OSErrors.
    return type(error).__module__.startswith(("elastic_transport", "elasticsearch"))


@handler("index")
def index_message(payload: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
    from search.service import refresh

    # Messages written before this module named keys carried {"document": pk}.
    key = payload.get("key") or f"document:{payload['document']}"
    try:
        sent = refresh([key])
    except Exception as error:
        if _backend_unreachable(error):
            raise RetryLater(f"search backend unreachable: {error}") from error
        raise
    return {"indexed": sent}


# --- what changes an entry -------------------------------------------------------------------


@receiver(post_save, sender=Document)
@receiver(post_delete, sender=Document)
def _document_changed(sender: Any, instance: Document, **kwargs: Any) -> None:
    index_later(f"document:{instance.pk}")


@receiver(post_save, sender=Assignment)
@receiver(post_save, sender=Dispatch)
@receiver(post_delete, sender=Dispatch)
def _document_part_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    index_later(f"document:{instance.document_id}")


@receiver(post_save, sender=AttachmentVersion)
def _file_changed(sender: Any, instance: AttachmentVersion, **kwargs: Any) -> None:
    index_later(f"document:{instance.attachment.document_id}")


@receiver(m2m_changed, sender=Document.participants.through)
def _people_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Document):
        index_later(f"document:{instance.pk}")


@receiver(post_save, sender=Application)
def _application_changed(sender: Any, instance: Application, **kwargs: Any) -> None:
    index_later(f"application:{instance.pk}")


@receiver(page_published)
@receiver(page_unpublished)
def _page_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    index_later(f"page:{instance.pk}")


@receiver(post_delete)
def _page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from wagtail.models import Page

    if isinstance(instance, Page) and type(instance) is Page:
        index_later(f"page:{instance.pk}")
