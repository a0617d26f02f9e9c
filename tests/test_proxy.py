"""Behind a proxy: log-in limits key on the real client (the address our proxy saw), not on the
proxy, and never on what a client writes at the left of X-Forwarded-For."""
import pytest
from django.test import Client
from django.urls import reverse

PASSWORD = "Sterk-wachtwoord-2026"

pytestmark = pytest.mark.usefixtures("clear_cache")


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def via_proxy(client_address, spoofed=None):
    """A browser at ``client_address``; nginx (REMOTE_ADDR 10.0.0.2) appends that address."""
    chain = f"{spoofed}, {client_address}" if spoofed else client_address
    return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=chain)


def failed_login(client, n):
    return client.post(reverse("account_login"), {"login": f"gok{n}@example.org", "password": "fout-fout-fout"})


def test_an_attacker_is_limited_and_a_learner_behind_the_same_proxy_is_not(behind_proxy, user_factory):
    user_factory(email="lena@example.org", password=PASSWORD)
    attacker = [via_proxy("203.0.113.66", spoofed=f"198.51.100.{n}") for n in range(15)]
    answers = [failed_login(attacker[n], n).content.decode() for n in range(15)]
    # allauth allows 10 failed log-ins a minute per address; a new left-most value each time changes nothing.
    assert not any("Te veel" in text for text in answers[:10])
    assert all("Te veel" in text for text in answers[10:])

    victim = via_proxy("192.0.2.7")
    response = victim.post(reverse("account_login"), {"login": "lena@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_without_a_trusted_proxy_everyone_is_the_proxy(settings, user_factory):
    """What the issue saw: counted on REMOTE_ADDR, the attacker's failures lock out the learner."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    user_factory(email="lena@example.org", password=PASSWORD)
    for n in range(11):
        failed_login(via_proxy("203.0.113.66"), n)
    response = via_proxy("192.0.2.7").post(reverse("account_login"), {"login": "lena@example.org", "password": PASSWORD})
    assert "Te veel" in response.content.decode()


def test_a_forwarded_for_shorter_than_the_proxy_chain_is_a_bad_request(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    assert Client(HTTP_X_FORWARDED_FOR="203.0.113.66").get(reverse("account_login")).status_code == 400
    assert Client(HTTP_X_FORWARDED_FOR="203.0.113.66, 10.0.0.3").get(reverse("account_login")).status_code == 200
    assert Client().get(reverse("account_login")).status_code == 200  # no header: REMOTE_ADDR
