"""An Elasticsearch-compatible server for tests: ``osmem-server`` (requirements-dev.txt).

osmem-server is an in-memory server speaking the OpenSearch/Elasticsearch REST protocol, a
bundled binary that starts in milliseconds::

    with osmem_server() as url:
        backend = ElasticBackend(url, prefix="test", client=osmem_client(url))

It answers the Elasticsearch 8 client's compatibility media types with 406, hence
``osmem_client`` (plain JSON: ``search.backends.elastic.PlainJsonNode``). It has no ICU plugins,
point-in-time, painless scripts or runtime mappings; its scores are not Elasticsearch's, and
documents are visible at once, without a refresh.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from elasticsearch import Elasticsearch

from search.backends.elastic import make_client


class ServerUnavailable(RuntimeError):
    """osmem-server is not installed or did not start."""


@contextmanager
def osmem_server(*, startup_timeout: float = 30.0) -> Iterator[str]:
    """Start osmem-server on a free local port, yield its URL, stop it on leaving."""
    try:
        from osmem_server import OsmemServer
    except ImportError as error:
        raise ServerUnavailable(f"osmem-server is not installed: {error}") from error
    try:
        server = OsmemServer.start(
            addr="127.0.0.1:0",  # port 0: the server picks a free one and reports it
            japanese=False,
            startup_timeout=startup_timeout,
        )
    except Exception as error:  # OsmemError, a binary that cannot run (OSError)
        raise ServerUnavailable(f"osmem-server did not start: {error}") from error
    try:
        yield str(server.url)
    finally:
        server.close()


def osmem_client(url: str) -> Elasticsearch:
    """A client for osmem-server: plain JSON media types, no retries (fail fast in tests)."""
    return make_client(url, compat_headers=False).options(max_retries=0)
