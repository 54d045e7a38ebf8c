"""The Elasticsearch the search tests use: a real cluster at ``SEARCH_TEST_ELASTICSEARCH_URL``
when given, otherwise an in-memory ``osmem-server`` started here for the session (with
``CI=true`` a server that cannot start fails the tests instead of skipping them)."""

import os
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from search.testing import ServerUnavailable, osmem_server
from tests.conftest import require_service


@pytest.fixture(scope="session")
def elastic_url() -> Iterator[str]:
    given = os.environ.get("SEARCH_TEST_ELASTICSEARCH_URL", "")
    if given:
        yield given
        return
    with ExitStack() as stack:
        try:
            url = stack.enter_context(osmem_server())
        except ServerUnavailable as error:
            require_service(False, f"osmem-server cannot start: {error}")
            raise
        yield url
