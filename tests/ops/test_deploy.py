"""Production mode: `check --deploy` is clean, required variables are enforced, deploy files are sane."""

from __future__ import annotations

import configparser
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.ops.conftest import server_env


def _production_env(tmp_path, **extra) -> dict[str, str]:
    env = server_env(
        f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        DJANGO_SETTINGS_MODULE="research_assistant.settings",
        DJANGO_ENV="production",
        SECRET_KEY="k" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="data.example.org",
        CSRF_TRUSTED_ORIGINS="https://data.example.org",
    )
    for name in ("DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)
    env.update(extra)
    return env


def _manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def test_check_deploy_reports_no_issues(tmp_path):
    result = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_secure_and_cors_closed(tmp_path):
    code = (
        "from django.conf import settings as s; import json; print(json.dumps({"
        "'debug': s.DEBUG, 'hsts': s.SECURE_HSTS_SECONDS, 'ssl': s.SECURE_SSL_REDIRECT, "
        "'session': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, 'cors': s.CORS_ALLOWED_ORIGINS, "
        "'trusted': s.CSRF_TRUSTED_ORIGINS, 'storage': s.STORAGES['staticfiles']['BACKEND'], "
        "'mw': 'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE, 'log': s.LOG_FORMAT}))"
    )
    result = _manage(_production_env(tmp_path), "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    import json

    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["debug"] is False and data["hsts"] >= 31536000 and data["ssl"] is True
    assert data["session"] is True and data["csrf"] is True
    assert data["cors"] == []  # closed by default
    assert data["trusted"] == ["https://data.example.org"]
    assert "whitenoise" in data["storage"].lower() and data["mw"]
    assert data["log"] == "json"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_required_settings(tmp_path, missing):
    env = _production_env(tmp_path)
    env.pop(missing)
    result = _manage(env, "check")
    assert result.returncode != 0
    assert missing in result.stderr


def test_systemd_units_restart_and_stop_gracefully():
    for name in ("web", "worker", "beat"):
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.optionxform = str
        unit.read(ROOT / "deploy" / f"research-assistant-{name}.service")
        service = unit["Service"]
        assert service["Restart"] == "on-failure"
        assert service["EnvironmentFile"]
        assert service["KillSignal"] == "SIGTERM"
        assert int(service["TimeoutStopSec"]) > 0
    procfile = (ROOT / "Procfile").read_text()
    for kind in ("web:", "worker:", "beat:"):
        assert kind in procfile
    assert "deploy/gunicorn.conf.py" in procfile


def test_cors_is_closed_by_default_and_opens_for_configured_origins(client, settings):
    headers = {"HTTP_ORIGIN": "https://app.example.net", "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET"}
    closed = client.options("/api/health/live", **headers)
    assert "access-control-allow-origin" not in {k.lower() for k in closed.headers}
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.net"]
    opened = client.options("/api/health/live", **headers)
    assert opened.headers["Access-Control-Allow-Origin"] == "https://app.example.net"
    page = client.get("/no-such-page/", HTTP_ORIGIN="https://app.example.net")  # only /api/* is CORS-enabled
    assert "Access-Control-Allow-Origin" not in page.headers


@pytest.mark.parametrize(
    ("key", "reason"),
    [("x", "1 characters"), ("x" * 60, "distinct characters"), ("abcabc" * 10, "distinct characters"),
     ("django-insecure-" + "0123456789abcdefghijklmnopqrstuvwxyz", "development key")],
    ids=["short", "one-character", "repetitive", "django-default"],
)  # fmt: skip
def test_production_refuses_a_weak_secret_key(tmp_path, key, reason):
    result = _manage(_production_env(tmp_path, SECRET_KEY=key), "check")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for production" in result.stderr
    assert reason in result.stderr
    assert key not in result.stderr or len(key) < 4  # the key itself is never printed


def test_a_weak_secret_key_is_fine_outside_production(tmp_path):
    env = _production_env(tmp_path, SECRET_KEY="x", DJANGO_ENV="development")
    assert _manage(env, "check").returncode == 0


def test_a_malformed_trusted_proxy_stops_startup(tmp_path):
    result = _manage(_production_env(tmp_path, TRUSTED_PROXIES="127.0.0.1,nginx.local"), "check")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'nginx.local' is not an IP address or network" in result.stderr
