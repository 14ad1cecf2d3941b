"""Login throttling: per user name and address, per user name across addresses, and which address counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ATTACKERS = [f"198.51.100.{n}" for n in range(1, 6)]
SIXTH = "198.51.100.6"
HOME = "203.0.113.50"


def _login(client, username: str, password: str, ip: str, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _spray(client, username: str = "owner") -> None:
    """20 wrong passwords from 5 addresses: 4 each, under the per-address limit of 5."""
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.FEDERE_LOGIN_USER_FAILURE_LIMIT == 20
    statuses = []
    for ip in ATTACKERS:
        for attempt in range(4):
            statuses.append(_login(client, username, f"wrong-{attempt}", ip).status_code)
            assert not _logged_in(client)
    assert statuses == [200] * 19 + [429]  # the 20th failure locks the user name


def test_twenty_failures_from_five_addresses_lock_the_user_name_for_a_new_address(client, owner):
    _spray(client)
    response = _login(client, "owner", "pw-for-tests", SIXTH)
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert not _logged_in(client)


def test_below_the_user_name_limit_a_new_address_still_logs_in(client, owner):
    for ip in ATTACKERS[:4]:
        for attempt in range(4):
            _login(client, "owner", f"wrong-{attempt}", ip)
    response = _login(client, "owner", "pw-for-tests", SIXTH)
    assert response.status_code == 302 and _logged_in(client)


def test_the_user_still_logs_in_from_an_address_they_used_before(client, owner):
    """The attacker cannot lock the owner out: an address the owner logged in from is not locked by the spray."""
    assert _login(client, "owner", "pw-for-tests", HOME).status_code == 302
    client.logout()
    _spray(client)
    assert _login(client, "owner", "pw-for-tests", SIXTH).status_code == 429
    response = _login(client, "owner", "pw-for-tests", HOME)
    assert response.status_code == 302 and _logged_in(client)


def test_the_user_name_lock_ends_after_the_cool_off(client, owner):
    _spray(client)
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - cool_off - timedelta(1))
    response = _login(client, "owner", "pw-for-tests", SIXTH)
    assert response.status_code == 302 and _logged_in(client)


def test_the_spray_does_not_lock_other_user_names(client, owner, user_factory):
    other = user_factory(username="colleague")
    _spray(client)
    response = _login(client, other.username, "pw-for-tests", SIXTH)
    assert response.status_code == 302 and _logged_in(client)


# --- which address counts -------------------------------------------------------------------------


def test_by_default_no_proxy_header_is_trusted(client, owner):
    """A client rotating X-Forwarded-For is still one address: its own."""
    assert settings.FEDERE_TRUSTED_PROXIES == 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "owner", "wrong", "192.0.2.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    response = _login(client, "owner", "pw-for-tests", "192.0.2.1", HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.1"}


@override_settings(FEDERE_TRUSTED_PROXIES=1)
def test_behind_one_trusted_proxy_the_address_it_adds_counts(client, owner):
    proxy = "10.1.1.1"
    # the proxy appends the address it saw; whatever the client put before it is ignored
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "owner", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 198.51.100.77")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.77"}
    locked = _login(client, "owner", "pw-for-tests", proxy, HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert locked.status_code == 429
    # another client behind the same proxy is another address
    response = _login(client, "owner", "pw-for-tests", proxy, HTTP_X_FORWARDED_FOR="198.51.100.78")
    assert response.status_code == 302 and _logged_in(client)


@override_settings(FEDERE_TRUSTED_PROXIES=2)
def test_a_header_shorter_than_the_proxy_chain_is_not_trusted(client, owner):
    for _n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "owner", "wrong", "10.1.1.1", HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.1.1.1"}
