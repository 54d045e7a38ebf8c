"""Sign-in limits count per account as authentication reads the name, on every sign-in form.

An attacker who spreads guesses over many addresses still meets the per-account limit: the
name is counted after Unicode NFKC, without surrounding spaces and in one case, so a full-width
or padded spelling of an account is the same account, as it is for authentication itself.
"""

import pytest
from django.test import Client

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

ACCOUNT = "namangan-city.executor"
SPELLINGS = [
    ACCOUNT,
    f" {ACCOUNT}",
    f"{ACCOUNT}  ",
    "ｎａｍａｎｇａｎ－ｃｉｔｙ．ｅｘｅｃｕｔｏｒ",  # full-width: NFKC makes it the plain name
    "Namangan-City.Executor",
]


def attempt(client: Client, url: str, username: str, password: str, address: int) -> int:
    response = client.post(
        url,
        {"username": username, "password": password},
        REMOTE_ADDR=f"10.0.{address // 250}.{address % 250 + 1}",
    )
    return response.status_code


def test_every_spelling_of_an_account_shares_one_counter(client: Client) -> None:
    client.cookies["language"] = "en"
    # Five wrong passwords, each spelling from its own address: no address reaches its limit.
    for address, spelling in enumerate(SPELLINGS):
        assert attempt(client, "/accounts/login/", spelling, "wrong", address) == 200
    # The account's limit (5 a minute in the tests) is used up, whoever asks next, from anywhere.
    assert attempt(client, "/accounts/login/", ACCOUNT, DEMO_PASSWORD, 99) == 429
    assert "_auth_user_id" not in client.session
    # Another account is not held back by it.
    assert attempt(client, "/accounts/login/", "namangan-city.head", DEMO_PASSWORD, 98) == 302


def test_authentication_reads_the_name_the_same_way(client: Client) -> None:
    """The spellings the limit folds together are the ones sign-in accepts as the account
    (NFKC and spaces; case stays significant for authentication)."""
    for address, spelling in enumerate(SPELLINGS[1:4]):
        signed_in = Client()
        assert attempt(signed_in, "/accounts/login/", spelling, DEMO_PASSWORD, address) == 302


@pytest.mark.parametrize("url", ["/admin/login/", "/django-admin/login/"])
def test_the_admins_sign_in_forms_share_the_limits(client: Client, url: str) -> None:
    for address in range(3):
        attempt(client, "/accounts/login/", f" {ACCOUNT}", "wrong", address)
    for address in range(3, 5):
        response = client.post(
            url, {"username": ACCOUNT.upper(), "password": "wrong"}, REMOTE_ADDR=f"10.1.0.{address}"
        )
        assert response.status_code == 200
    assert attempt(client, url, "admin", "wrong", 60) == 200  # another account: not limited
    blocked = client.post(url, {"username": ACCOUNT, "password": DEMO_PASSWORD})
    assert blocked.status_code == 429


def test_one_address_is_limited_whatever_names_it_tries(client: Client) -> None:
    for number in range(5):
        client.post("/accounts/login/", {"username": f"nobody-{number}", "password": "x"})
    response = client.post("/admin/login/", {"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 429
