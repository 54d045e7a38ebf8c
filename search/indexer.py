"""Index updates that arrive through the outbox (``intake.outbox``).

A registered document is added to the configured Wagtail search backend (the database backend
on the embedded default, Elasticsearch with ``ELASTICSEARCH_URL``). A backend that cannot be
reached makes the message wait for a retry or the sweep; nothing is lost.
"""

from typing import Any

from wagtail.search.backends import get_search_backend

from edms.models import Document
from intake.outbox import RetryLater, handler


@handler("index")
def index_document(payload: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
    document = Document.objects.filter(pk=payload["document"]).first()
    if document is None:
        return {"indexed": False, "reason": "gone"}
    try:
        get_search_backend().add(document)
    except (ConnectionError, OSError) as error:
        raise RetryLater(f"search backend unreachable: {error}") from error
    except Exception as error:
        # The Elasticsearch client's transport errors are not OSErrors.
        if type(error).__module__.startswith(("elastic_transport", "elasticsearch")):
            raise RetryLater(f"search backend unreachable: {error}") from error
        raise
    return {"indexed": True}
