"""Logs: JSON in production format, a request id on every request line, and no secrets or message bodies."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import httpx
import pytest

from ops.logging import RedactFilter, redact
from tests.conftest import ROOT
from tests.ops.conftest import server_env

PASSWORD = "Tr0ub4dor-and-3-zebras"
WRONG_PASSWORD = "Wr0ng-Passw0rd-llama"
METRICS_TOKEN = "metrics-secret-5e5e5e5e"
MESSAGE = "confidential topic zanzibar-okapi-7731 mortality tables"


def _create_user(env: dict[str, str]) -> None:
    code = (
        "from django.contrib.auth import get_user_model as g; U=g(); "
        "U.objects.filter(username='logtester').delete(); "
        f"U.objects.create_user('logtester', password='{PASSWORD}')"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, timeout=120)


@pytest.mark.slow
def test_real_requests_leave_no_secrets_in_logs(server_db_url, transactional_db, make_gunicorn):
    env = server_env(server_db_url, LOG_LEVEL="DEBUG", LOG_FORMAT="json", METRICS_TOKEN=METRICS_TOKEN)
    _create_user(env)
    server = make_gunicorn(env)
    request_ids = []
    with httpx.Client(base_url=server.url, timeout=120, follow_redirects=False) as http:
        # 1. the login form, wrong then right password (form post with CSRF)
        page = http.get("/accounts/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        for password in (WRONG_PASSWORD, PASSWORD):
            response = http.post(
                "/accounts/login/",
                data={"username": "logtester", "password": password, "csrfmiddlewaretoken": csrf},
                headers={"Referer": f"{server.url}/accounts/login/"},
            )
            request_ids.append(response.headers["X-Request-ID"])
            csrf = http.cookies.get("csrftoken") or csrf
        assert response.status_code == 302  # logged in
        # 2. an API token from username/password in a JSON body, then used as a header
        api = httpx.Client(base_url=server.url, timeout=120)
        token = api.post("/api/auth/token", json={"username": "logtester", "password": PASSWORD}).json()["token"]
        auth = {"Authorization": f"Token {token}"}
        assert api.get("/api/auth/token", headers=auth).status_code == 200
        assert api.get("/api/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 200
        # 3. a conversation message, through the real conversation API
        turn = api.post("/api/conversation", json={"message": MESSAGE}, headers=auth)
        assert turn.status_code in {200, 201, 202}, turn.text[:500]
        # 4. careless code that logs the body, the header, an extra field and an exception
        careless = api.post(
            "/test/careless",
            data={"password": PASSWORD, "message": MESSAGE},
            headers={"Authorization": f"Token {token}"},
        )
        assert careless.status_code == 200
        request_ids.append(careless.headers["X-Request-ID"])
        api.close()
    server.stop()
    log = server.log()

    for secret in (PASSWORD, WRONG_PASSWORD, token, METRICS_TOKEN, MESSAGE, "zanzibar-okapi-7731"):
        assert secret not in log, f"{secret!r} leaked into the logs"
    assert "[REDACTED]" in log  # the careless view's lines were scrubbed, not dropped
    # JSON lines from the application carry the request id of their request
    app_lines = []
    for line in log.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("logger") == "tests.ops":
            app_lines.append(record)
    assert len(app_lines) >= 4
    assert {r["request_id"] for r in app_lines} == {request_ids[-1]}
    assert any(r.get("note") == "visible-note" and r.get("password") == "[REDACTED]" for r in app_lines)
    assert any("exc_info" in r and "[REDACTED]" in r["exc_info"] for r in app_lines)


def test_redaction_patterns():
    assert "s3cret-value" not in redact("login password=s3cret-value ok")
    assert "abcdef0123456789" not in redact('{"token": "abcdef0123456789"}')
    assert "abcdef0123456789" not in redact("Authorization: Bearer abcdef0123456789")
    assert "sk-proj-ABCDEFGHIJKLMNOP" not in redact("key sk-proj-ABCDEFGHIJKLMNOP used")
    assert redact("search for river water quality") == "search for river water quality"
    assert "my private words" not in redact("got my private words here", ("my private words",))


def test_redact_filter_scrubs_records():
    import logging

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s password=%s", ("bob", "hunter2hunter2"), None)
    record.api_key = "k-123456789"
    RedactFilter().filter(record)
    assert "hunter2hunter2" not in record.getMessage() and "bob" in record.getMessage()
    assert record.api_key == "[REDACTED]"


def test_production_logs_are_json_with_request_id(tmp_path):
    code = (
        "import django, logging; django.setup(); "
        "from ops.logging import request_id_var; request_id_var.set('rid-abc123'); "
        "logging.getLogger('probe').warning('hello %s', 'world')"
    )
    env = server_env(
        f"sqlite:///{tmp_path / 'p.sqlite3'}",
        DJANGO_SETTINGS_MODULE="research_assistant.settings",
        DJANGO_ENV="production",
        SECRET_KEY="log-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="example.org",
    )
    env.pop("LOG_FORMAT", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    line = [ln for ln in out.stderr.splitlines() if "hello world" in ln][0]
    record = json.loads(line)
    assert record["message"] == "hello world"
    assert record["request_id"] == "rid-abc123"
    assert record["level"] == "WARNING" and record["logger"] == "probe"
