"""The saved-search e-mail digest: content, escaping, opt-out, frequency, failures (no index needed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import Dataset
from research_assistant.celery import app as celery_app
from search.models import SavedSearch, SavedSearchMatch
from search.saved import digest
from search.saved.tasks import saved_digests_send
from tests.factories import DatasetFactory, UserFactory

pytestmark = pytest.mark.django_db


def saved_with_new(user, *, titles, email_digest=True, query="rainfall", **match_kw) -> SavedSearch:
    saved = SavedSearch.objects.create(
        user=user, name=query, query=query, key=f"k-{query}", email_digest=email_digest, checked_at=timezone.now()
    )
    for title in titles:
        SavedSearchMatch.objects.create(
            saved_search=saved, dataset=DatasetFactory(title=title), first_seen=timezone.now(), **match_kw
        )
    return saved


def test_the_digest_lists_new_datasets_and_goes_out_once(settings):
    settings.SITE_URL = "https://ra.example.org"
    ada = UserFactory(username="ada")
    saved = saved_with_new(ada, titles=["Rainfall - Daily Total", "Rainfall - Hourly Total"])
    report = saved_digests_send.apply().get()
    assert report == {"sent": 1, "failed": 0, "datasets": 2}
    [message] = mail.outbox
    assert message.to == ["ada@example.org"]
    assert message.subject == "2 new datasets for your saved searches"
    assert "Rainfall - Daily Total" in message.body and "Rainfall - Hourly Total" in message.body
    dataset = saved.matches.first().dataset
    assert f"https://ra.example.org/datasets/{dataset.pk}/" in message.body
    assert "https://ra.example.org/saved/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Rainfall - Daily Total" in html
    assert not saved.matches.filter(notified_at__isnull=True).exists()

    # Sent datasets are not sent again; nothing new, no e-mail.
    assert digest.digests_send()["sent"] == 0
    assert len(mail.outbox) == 1


def test_titles_are_escaped_in_the_html_part():
    ada = UserFactory(username="ada")
    saved_with_new(ada, titles=['<script>alert("x")</script> & <b>bold</b>'], query="<img src=x onerror=alert(1)>")
    digest.digests_send()
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert "<script>" not in html and "<b>bold</b>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    # The plain-text part is text/plain: the title as it is, nothing to interpret.
    assert '<script>alert("x")</script> & <b>bold</b>' in message.body


def test_opted_out_seen_withdrawn_and_addressless_are_not_sent():
    ada = UserFactory(username="ada")
    saved_with_new(ada, titles=["Opted out"], email_digest=False)
    saved_with_new(ada, titles=["Already seen"], query="seen", seen=True)
    withdrawn = saved_with_new(ada, titles=["Withdrawn"], query="withdrawn")
    Dataset.objects.filter(pk=withdrawn.matches.get().dataset_id).update(status=Dataset.Status.INACTIVE)
    nomail = UserFactory(username="nomail", email="")
    saved_with_new(nomail, titles=["No address"])
    assert digest.digests_send() == {"sent": 0, "failed": 0, "datasets": 0}
    assert mail.outbox == []


def test_one_digest_per_user_and_frequency(settings):
    settings.SAVED_SEARCH_DIGEST_EVERY_HOURS = 24
    ada, bob = UserFactory(username="ada"), UserFactory(username="bob")
    saved_with_new(ada, titles=["A1"], query="a1")
    saved_with_new(ada, titles=["A2"], query="a2")
    saved_with_new(bob, titles=["B1"])
    assert digest.digests_send()["sent"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "bob@example.org"]
    ada_mail = next(m for m in mail.outbox if m.to == ["ada@example.org"])
    assert "A1" in ada_mail.body and "A2" in ada_mail.body and "B1" not in ada_mail.body

    # Something new an hour later waits for the next day.
    later = saved_with_new(ada, titles=["A3"], query="a3")
    soon = timezone.now() + timedelta(hours=1)
    assert digest.digests_send(now=soon)["sent"] == 0
    assert digest.digests_send(now=timezone.now() + timedelta(hours=25))["sent"] == 1
    assert "A3" in mail.outbox[-1].body and "A1" not in mail.outbox[-1].body
    assert later.matches.get().notified_at is not None


def test_a_long_digest_is_capped_and_says_how_many_more(settings):
    settings.SAVED_SEARCH_DIGEST_MAX_ITEMS = 2
    saved_with_new(UserFactory(username="ada"), titles=["D1", "D2", "D3", "D4"])
    assert digest.digests_send()["datasets"] == 4
    [message] = mail.outbox
    assert message.subject.startswith("4 new datasets")
    assert "And 2 more" in message.body


def test_a_failed_send_marks_nothing_and_is_retried(settings):
    # A real SMTP backend against a port where nothing listens: the connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    saved = saved_with_new(UserFactory(username="ada"), titles=["Kept for later"])
    assert digest.digests_send() == {"sent": 0, "failed": 1, "datasets": 0}
    assert saved.matches.get().notified_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digest.digests_send()["sent"] == 1


def test_the_digest_and_the_sweep_are_on_the_beat_schedule():
    tasks = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    assert {"search.saved_digests_send", "search.saved_searches_sweep"} <= tasks


def test_the_embedded_default_prints_e_mail_to_the_console():
    from research_assistant import settings as project_settings

    if project_settings.EMAIL_HOST:
        pytest.skip("EMAIL_HOST is set in this environment")
    assert project_settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
