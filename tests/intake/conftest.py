"""Shared fixtures of the intake tests."""

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture
def english(client: Client) -> Iterator[None]:
    """Pages (by the language cookie) and messages built in the test, in English."""
    client.cookies["language"] = "en"
    with translation.override("en"):
        yield
