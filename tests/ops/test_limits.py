"""Limits where attackers look: failed logins (django-axes), trusted proxies, throttled pages."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from ops.client_ip import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def alice():
    user = UserFactory(username="alice")
    user.set_password(PASSWORD)
    user.save()
    return user


def _form_login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _token_login(client, username, password, **extra):
    return client.post("/api/auth/token", {"username": username, "password": password}, format="json", **extra)


def test_wrong_passwords_on_the_form_lock_the_account_even_for_the_right_one(alice, settings):
    client = Client()
    statuses = [_form_login(client, "alice", f"wrong-{i}").status_code for i in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert statuses[-1] == 429
    response = _form_login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "_auth_user_id" not in client.session


def test_the_limit_is_per_account_from_any_address(alice, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _form_login(Client(), "alice", "wrong", REMOTE_ADDR=f"10.0.0.{i + 1}")
    assert _form_login(Client(), "alice", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429


def test_the_limit_is_per_address_across_accounts(alice, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _form_login(Client(), f"user{i}", "wrong", REMOTE_ADDR="10.1.1.1")
    assert _form_login(Client(), "alice", PASSWORD, REMOTE_ADDR="10.1.1.1").status_code == 429
    # Another address still gets in.
    assert _form_login(Client(), "alice", PASSWORD, REMOTE_ADDR="10.2.2.2").status_code == 302


def test_the_token_endpoint_counts_failures_too(alice, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _token_login(client, "alice", "wrong").status_code in (401, 403)  # DRF: 403 without a challenge
    assert _token_login(client, "alice", "wrong").status_code == 429
    response = _token_login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.json()["detail"]


def test_the_form_and_the_token_endpoint_share_the_count(alice, settings):
    half = settings.AXES_FAILURE_LIMIT // 2
    for _ in range(half):
        _form_login(Client(), "alice", "wrong")
    for _ in range(settings.AXES_FAILURE_LIMIT - half):
        _token_login(APIClient(), "alice", "wrong")
    assert _token_login(APIClient(), "alice", PASSWORD).status_code == 429


def test_a_success_before_the_limit_resets_the_count(alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _form_login(Client(), "alice", "wrong")
    assert _form_login(Client(), "alice", PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _form_login(Client(), "alice", "wrong")
    assert _form_login(Client(), "alice", PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(alice, settings, time_machine):
    time_machine.move_to("2026-01-01 12:00:00+00:00", tick=False)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _form_login(Client(), "alice", "wrong")
    assert _form_login(Client(), "alice", PASSWORD).status_code == 429
    time_machine.shift(settings.AXES_COOLOFF_TIME.total_seconds() + 1)
    assert _form_login(Client(), "alice", PASSWORD).status_code == 302


def test_forged_forwarded_for_does_not_escape_the_address_limit(alice, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _form_login(Client(), f"user{i}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    assert _form_login(Client(), "alice", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429


# --- Client address -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "192.0.2.1", "203.0.113.9", "192.0.2.1"),  # no trusted proxy: the header is ignored
        (["127.0.0.1"], "192.0.2.1", "203.0.113.9", "192.0.2.1"),  # the peer is not a trusted proxy
        (["127.0.0.1"], "127.0.0.1", "203.0.113.9", "203.0.113.9"),
        (["127.0.0.1"], "127.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # client-written hops ignored
        (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.2.3", "203.0.113.9"),
        (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", "not-an-ip", "127.0.0.1"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
        (["127.0.0.1"], "127.0.0.1", "203.0.113.9:5555", "203.0.113.9"),
    ],
)
def test_client_ip(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# --- Throttles ------------------------------------------------------------------------------------


@pytest.fixture
def tight_limits(settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {"anon": "3/min", "user": "5/min"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    yield rates
    SimpleRateThrottle.THROTTLE_RATES = original
    api_settings.reload()


def test_random_forwarded_for_does_not_escape_the_api_throttle(tight_limits):
    client = APIClient()
    statuses = [
        client.get("/api/datasets", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(6)
    ]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429, 429]


def test_behind_a_trusted_proxy_clients_are_counted_apart(tight_limits, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    client = APIClient()
    for i in range(6):
        assert client.get("/api/datasets", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [("get", "/search?q=rain", None), ("post", "/chat/send", {"message": "hello"})],
)
def test_the_search_and_chat_pages_are_throttled_with_a_429_page(tight_limits, method, path, data):
    client = Client()
    statuses = [getattr(client, method)(path, data).status_code for _ in range(4)]
    assert all(s < 400 for s in statuses[:3]), statuses
    response = getattr(client, method)(path, data)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Too many requests" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_pages_and_api_share_one_budget(tight_limits):
    client = Client()
    for _ in range(3):
        assert client.get("/api/datasets").status_code == 200
    assert client.get("/search?q=rain").status_code == 429


def test_other_pages_are_not_throttled(tight_limits):
    client = Client()
    assert all(client.get("/help/").status_code == 200 for _ in range(6))
