"""Headers and exposure: the Content-Security-Policy, what /api/health tells strangers, sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from ops.tasks import sessions_clear
from research_assistant.celery import app as celery_app
from tests.conftest import HEALTH_AUTH
from tests.factories import DatasetFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/search",
    "/search?q=rain",
    "/help/",
    "/history/",
    "/saved/",
    "/accounts/login/",
    "/accounts/signup/",
    "/api/docs/",
]
INLINE = [
    # A JSON-LD data block (schema.org markup on dataset pages) is data, never run: not inline code.
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/ld\+json\")[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "an inline <style>"),
    (re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I), "an inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"""(?:href|src)\s*=\s*["']?\s*javascript:""", re.I), "a javascript: URL"),
]


def _directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_csp_and_no_inline_code(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    html = response.content.decode()
    for pattern, what in INLINE:
        match = pattern.search(html)
        assert match is None, f"{path} has {what}: {html[max(0, match.start() - 80) : match.end() + 80]}"


def test_the_dataset_page_has_no_inline_code(client):
    dataset = DatasetFactory(description="<script>alert(1)</script>")
    html = client.get(f"/datasets/{dataset.pk}/").content.decode()
    for pattern, what in INLINE:
        assert pattern.search(html) is None, what
    assert 'rect width="' in html  # the quality meter is drawn without a style attribute
    assert html.count('<script type="application/ld+json">') == 1


def test_htmx_runs_without_eval_or_injected_styles(client):
    html = client.get("/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert config is not None
    assert '"allowEval": false' in config.group(1)
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert "/static/js/app.js" in html


def test_the_api_docs_load_their_script_from_a_url(client):
    response = client.get("/api/docs/?script")
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert "SwaggerUIBundle" in response.content.decode()


# --- /api/health --------------------------------------------------------------------------------


def test_public_health_shows_the_status_only(client):
    response = client.get("/api/health")
    assert response.status_code in (200, 503)
    assert set(response.json()) == {"status"}


def test_health_details_with_the_metrics_token_or_for_staff(client):
    assert "components" in client.get("/api/health", headers=HEALTH_AUTH).json()
    assert set(client.get("/api/health", headers={"Authorization": "Bearer wrong"}).json()) == {"status"}
    client.force_login(UserFactory(is_staff=False))
    assert set(client.get("/api/health").json()) == {"status"}
    client.force_login(UserFactory(is_staff=True))
    data = client.get("/api/health").json()
    assert "pid" in data["process"] and "components" in data


# --- Sessions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/help/", "/history/", "/saved/", "/search", "/accounts/login/", "/api/health"])
def test_a_cookieless_visit_writes_no_session(path):
    client = Client()
    response = client.get(path)
    assert response.status_code == 200
    assert Session.objects.count() == 0
    assert "sessionid" not in response.cookies


def test_a_dataset_page_visit_writes_no_session():
    dataset = DatasetFactory()
    Client().get(f"/datasets/{dataset.pk}/")
    assert Session.objects.count() == 0


def test_expired_sessions_are_cleared_by_the_scheduled_task():
    live, expired = SessionStore(), SessionStore()
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(days=1))
    assert sessions_clear.delay().get() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert sessions_clear.delay().get() == 0


def test_the_session_clean_up_is_on_the_beat_schedule():
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert "ops.sessions_clear" in tasks
