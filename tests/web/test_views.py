"""Page views through the Django test client: escaping, 404s, feedback, history, accounts, admin export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from activity.models import Feedback, SearchHistory
from conversation.models import Conversation, Message
from tests.factories import DatasetFactory, DistributionFactory, UserFactory

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"


def test_dataset_page_shows_metadata_provenance_and_distributions(client):
    dataset = DatasetFactory(
        title="Resale flat prices",
        description="Prices of HDB resale flats.",
        external_id="d_8b84c4ee58e3cfc0ece0d773c8ca6abc",
        landing_url="https://data.gov.sg/datasets/d_8b84",
        link_status="ok",
        quality_score=0.83,
    )
    DistributionFactory(dataset=dataset, title="Resale prices 2017 onwards", format="CSV")
    response = client.get(reverse("dataset-detail", args=[dataset.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Resale flat prices" in body
    assert "d_8b84c4ee58e3cfc0ece0d773c8ca6abc" in body
    assert dataset.source.name in body
    assert "Resale prices 2017 onwards" in body
    assert "83 / 100" in body
    assert "Link working" in body
    assert 'href="https://data.gov.sg/datasets/d_8b84"' in body


def test_catalog_text_is_escaped_everywhere_on_the_dataset_page(client):
    dataset = DatasetFactory(title=XSS, description=XSS, extra={"note": XSS})
    DistributionFactory(dataset=dataset, title=XSS)
    body = client.get(reverse("dataset-detail", args=[dataset.pk])).content.decode()
    assert XSS not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_javascript_urls_from_the_catalog_are_never_links(client):
    dataset = DatasetFactory(landing_url="javascript:alert(1)")
    DistributionFactory(dataset=dataset, url="javascript:alert(2)")
    body = client.get(reverse("dataset-detail", args=[dataset.pk])).content.decode()
    assert 'href="javascript:' not in body


def test_inactive_and_unknown_datasets_are_polite_404s(client, admin_client):
    inactive = DatasetFactory(status="inactive")
    for url in (reverse("dataset-detail", args=[inactive.pk]), "/datasets/999999/", "/no/such/page"):
        response = client.get(url)
        assert response.status_code == 404
        assert b"Page not found" in response.content
        assert b"Traceback" not in response.content
    # staff may look at inactive datasets
    assert admin_client.get(reverse("dataset-detail", args=[inactive.pk])).status_code == 200


def test_help_page_lists_sources_and_api(client):
    DatasetFactory.create_batch(2, source__name="data.gov.sg", source__slug="datagovsg")
    body = client.get(reverse("help")).content.decode()
    assert "data.gov.sg" in body
    assert "/api/search" in body
    assert "How ranking works" in body


def test_search_page_without_query_shows_the_form(client):
    response = client.get(reverse("search"))
    assert response.status_code == 200
    assert b'name="q"' in response.content


def test_nav_shows_admin_link_only_to_staff(client, admin_client):
    assert b'href="/admin/"' not in client.get(reverse("help")).content
    assert b'href="/admin/"' in admin_client.get(reverse("help")).content


# --- Feedback ---


def test_result_feedback_is_stored_with_query_and_replaced_on_revote(client):
    dataset = DatasetFactory()
    data = {"target": "result", "dataset": dataset.pk, "query": "bus ridership", "rank": 2, "value": 1}
    response = client.post(reverse("feedback"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'aria-pressed="true"' in response.content
    fb = Feedback.objects.get()
    assert (fb.target, fb.dataset_id, fb.query, fb.rank, fb.value) == ("result", dataset.pk, "bus ridership", 2, 1)
    assert fb.user is None and fb.session_key == client.session.session_key
    client.post(reverse("feedback"), {**data, "value": -1}, HTTP_HX_REQUEST="true")
    assert Feedback.objects.get().value == -1


def test_feedback_without_javascript_redirects_back(client):
    dataset = DatasetFactory()
    response = client.post(
        reverse("feedback"),
        {"target": "result", "dataset": dataset.pk, "query": "q", "value": -1, "next": "/search?q=q"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/search?q=q"
    assert Feedback.objects.get().value == -1


def test_feedback_rejects_bad_values_and_foreign_answers(client):
    dataset = DatasetFactory()
    client.post(reverse("feedback"), {"target": "result", "dataset": dataset.pk, "value": 5}, HTTP_HX_REQUEST="true")
    client.post(reverse("feedback"), {"target": "result", "dataset": 999999, "value": 1}, HTTP_HX_REQUEST="true")
    other = Conversation.objects.create(session_key="someone-else")
    answer = Message.objects.create(conversation=other, role="assistant", content="hi", answer="Summary")
    response = client.post(
        reverse("feedback"), {"target": "answer", "message": answer.pk, "value": 1}, HTTP_HX_REQUEST="true"
    )
    assert b"could not be saved" in response.content
    assert Feedback.objects.count() == 0


def test_answer_feedback_for_own_conversation(client):
    user = UserFactory()
    client.force_login(user)
    conversation = Conversation.objects.create(user=user)
    answer = Message.objects.create(
        conversation=conversation,
        role="assistant",
        content="ok",
        answer="Summary",
        answer_status="ready",
        search={"query": "rainfall"},
    )
    client.post(reverse("feedback"), {"target": "answer", "message": answer.pk, "value": 1}, HTTP_HX_REQUEST="true")
    fb = Feedback.objects.get()
    assert (fb.user, fb.message, fb.query, fb.value) == (user, answer, "rainfall", 1)


def test_feedback_admin_lists_and_exports_csv(admin_client):
    dataset = DatasetFactory(title="=HYPERLINK(1)")
    Feedback.objects.create(target="result", dataset=dataset, query="taxi", rank=1, value=1, session_key="abcdefghijkl")
    assert admin_client.get("/admin/activity/feedback/?target__exact=result").status_code == 200
    response = admin_client.post(
        "/admin/activity/feedback/",
        {"action": "export_feedback_csv", "_selected_action": list(Feedback.objects.values_list("pk", flat=True))},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["query"] == "taxi" and rows[0]["value"] == "1" and rows[0]["dataset_id"] == str(dataset.pk)
    assert rows[0]["dataset_title"] == "'=HYPERLINK(1)"  # no spreadsheet formulas
    assert rows[0]["session"] == "abcdefgh"
    for url in (
        "/admin/conversation/conversation/",
        "/admin/conversation/message/",
        "/admin/activity/searchhistory/",
    ):
        assert admin_client.get(url).status_code == 200


# --- Accounts and history ---


def test_signup_logs_in_and_adopts_anonymous_history(client):
    client.get(reverse("home"))
    session_key = client.session.session_key
    SearchHistory.objects.create(session_key=session_key, query="dengue cases")
    response = client.post(
        reverse("signup"),
        {"username": "ada", "password1": "a long enough passphrase", "password2": "a long enough passphrase"},
    )
    assert response.status_code == 302
    history = SearchHistory.objects.get()
    assert history.user.username == "ada" and history.session_key == ""
    body = client.get(reverse("history")).content.decode()
    assert "dengue cases" in body
    assert "Log out" in body


def test_signup_shows_errors(client):
    response = client.post(reverse("signup"), {"username": "x", "password1": "a", "password2": "b"})
    assert response.status_code == 200
    assert b"errorlist" in response.content


def test_login_page_and_login(client):
    UserFactory(username="grace")
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "grace", "password": "correct horse battery staple"})
    assert response.status_code == 302


def test_history_delete_one_and_all_only_own(client):
    alice, bob = UserFactory(), UserFactory()
    mine = SearchHistory.objects.create(user=alice, query="alice search")
    theirs = SearchHistory.objects.create(user=bob, query="bob search")
    conv = Conversation.objects.create(user=alice, title="alice chat")
    bob_conv = Conversation.objects.create(user=bob, title="bob chat")
    client.force_login(alice)
    body = client.get(reverse("history")).content.decode()
    assert "alice search" in body and "alice chat" in body
    assert "bob search" not in body and "bob chat" not in body
    # another user's rows are 404s
    assert client.post(reverse("history-search-delete", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("history-conversation-delete", args=[bob_conv.pk])).status_code == 404
    assert client.get(reverse("conversation-open", args=[bob_conv.pk])).status_code == 404
    assert client.post(reverse("history-search-delete", args=[mine.pk]), HTTP_HX_REQUEST="true").status_code == 200
    assert not SearchHistory.objects.filter(pk=mine.pk).exists()
    SearchHistory.objects.create(user=alice, query="another")
    assert client.post(reverse("history-clear")).status_code == 302
    assert not SearchHistory.objects.filter(user=alice).exists()
    assert not Conversation.objects.filter(pk=conv.pk).exists()
    assert SearchHistory.objects.filter(user=bob).count() == 1
    assert Conversation.objects.filter(pk=bob_conv.pk).exists()


def test_answer_fragment_is_owned(client):
    other = Conversation.objects.create(session_key="someone-else")
    answer = Message.objects.create(conversation=other, role="assistant", content="x", answer_status="ready")
    assert client.get(reverse("chat-answer", args=[answer.pk])).status_code == 404


def test_answer_fragment_polls_while_pending_and_shows_answer_when_ready(client):
    client.get(reverse("home"))
    conversation = Conversation.objects.create(session_key=client.session.session_key)
    message = Message.objects.create(conversation=conversation, role="assistant", content="x", answer_status="pending")
    pending = client.get(reverse("chat-answer", args=[message.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="load' in pending
    message.answer, message.answer_status = f"Try {XSS}", "ready"
    message.save()
    ready = client.get(reverse("chat-answer", args=[message.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in ready.split('class="feedback"')[0]
    assert "Try &lt;script&gt;" in ready


# --- Pages that search (the real index, built from factory datasets) ---


@pytest.fixture
def indexed(db):
    from search.services import index_ensure

    datasets = [
        DatasetFactory(title=XSS + " rainfall records", description=f"Daily rainfall. {XSS}", formats=["CSV"]),
        DatasetFactory(title="Daily rainfall by station", description="Rain gauges.", formats=["XLSX"]),
        DatasetFactory(title="Bus ridership", description="Passengers per month.", formats=["CSV"]),
    ]
    index_ensure()
    return datasets


@pytest.mark.slow
def test_search_results_escape_catalog_text(client, indexed):
    response = client.get(reverse("search"), {"q": "rainfall"})
    assert response.status_code == 200
    body = response.content.decode()
    assert XSS not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; rainfall records" in body
    assert SearchHistory.objects.get().query == "rainfall"


@pytest.mark.slow
def test_search_fragment_for_htmx_and_full_page_without(client, indexed):
    full = client.get(reverse("search"), {"q": "rainfall", "format": "XLSX"})
    assert b"<html" in full.content and b"Daily rainfall by station" in full.content
    assert b"rainfall records" not in full.content  # the CSV one is filtered out
    fragment = client.get(reverse("search"), {"q": "rainfall", "format": "XLSX"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b'id="search-results"' in fragment.content
    recent = client.get(reverse("search"), {"q": "rainfall", "sort": "recent"}).content.decode()
    assert '<strong aria-current="true">Most recently updated</strong>' in recent
    # a history restore (back button with an empty cache) gets the whole page
    restore = client.get(
        reverse("search"), {"q": "rainfall"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert b"<html" in restore.content


@pytest.mark.slow
def test_search_validation_errors_are_polite(client, indexed):
    response = client.get(reverse("search"), {"q": "rainfall", "format": "NOPE"})
    assert response.status_code == 400
    assert b"Unknown format" in response.content
    # Filters without a query browse the catalog (newest first); a bad filter value is still a 400.
    browse = client.get(reverse("search"), {"format": "CSV"})
    assert browse.status_code == 200 and b"with these filters" in browse.content
    assert client.get(reverse("search"), {"format": "NOPE"}).status_code == 400


@pytest.mark.slow
def test_chat_turn_without_javascript_redirects_and_survives_reload(client, indexed):
    response = client.post(reverse("chat-send"), {"message": "rainfall data"})
    assert response.status_code == 302
    body = client.get(reverse("home")).content.decode()
    assert "rainfall data" in body
    assert XSS not in body
    assert "&lt;script&gt;" in body
    assert Message.objects.filter(role="assistant").count() == 1


@pytest.mark.slow
def test_chat_turn_over_htmx_returns_only_the_new_turn(client, indexed):
    client.post(reverse("chat-send"), {"message": "rainfall data"}, HTTP_HX_REQUEST="true")
    response = client.post(reverse("chat-send"), {"message": "bus ridership"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.count('class="turn-user"') == 1 and "bus ridership" in body
    assert body.count("turn-assistant") == 1
    empty = client.post(reverse("chat-send"), {"message": "  "}, HTTP_HX_REQUEST="true")
    assert b"Type a message first" in empty.content


def test_login_adopts_the_anonymous_conversation_and_history(client):
    UserFactory(username="lin")
    client.get(reverse("home"))
    anonymous = client.session.session_key
    conversation = Conversation.objects.create(session_key=anonymous, title="before login")
    session = client.session
    session["chat_conversation_id"] = str(conversation.pk)
    session.save()
    SearchHistory.objects.create(session_key=anonymous, query="before login")
    client.post(reverse("login"), {"username": "lin", "password": "correct horse battery staple"})
    conversation.refresh_from_db()
    assert conversation.user.username == "lin" and conversation.session_key == ""
    assert SearchHistory.objects.get().user.username == "lin"
    assert b"before login" in client.get(reverse("history")).content


def test_overdue_answer_falls_back_to_the_built_in_responder(client):
    """No worker ever answered: the polled fragment still ends with a grounded built-in answer."""
    client.get(reverse("home"))
    dataset = DatasetFactory(title="Historical daily rainfall")
    conversation = Conversation.objects.create(session_key=client.session.session_key)
    hit = {
        "id": dataset.pk,
        "title": dataset.title,
        "source": "s",
        "source_name": "S",
        "publisher": "NEA",
        "formats": ["CSV"],
        "why": ["title matches 'rainfall'"],
        "score": 0.9,
        "snippet": "",
        "url": "",
    }
    message = Message.objects.create(
        conversation=conversation,
        role="assistant",
        content="Here is 1 dataset",
        answer_status="pending",
        search={"query": "rainfall", "results": [hit], "total": 1},
    )
    Message.objects.filter(pk=message.pk).update(created_at=message.created_at - dt.timedelta(minutes=5))
    body = client.get(reverse("chat-answer", args=[message.pk]), HTTP_HX_REQUEST="true").content.decode()
    message.refresh_from_db()
    assert message.answer_status == "ready" and message.answer_provider == "builtin"
    assert 'data-answer-status="ready"' in body
    assert "Historical daily rainfall" in body


@pytest.mark.slow
def test_search_pagination_links_keep_query_and_filters(client, db):
    from search.services import index_ensure

    for n in range(14):
        DatasetFactory(title=f"Rainfall at station {n}", description="Daily rainfall totals.", formats=["CSV"])
    index_ensure()
    first = client.get(reverse("search"), {"q": "rainfall station", "format": "CSV"})
    body = first.content.decode()
    assert 'aria-label="Pages"' in body
    assert 'href="?q=rainfall+station&amp;format=CSV&amp;page=2"' in body
    second = client.get(reverse("search"), {"q": "rainfall station", "format": "CSV", "page": 2})
    assert second.context["first_rank"] == 11
    assert len(second.context["results"]) == 4
    assert SearchHistory.objects.count() == 1  # paging is not a new search


def test_chat_shows_state_chips_that_remove_one_filter(client, web_catalog):
    client.post("/chat/send", {"message": "HDB resale flat prices"})
    client.post("/chat/send", {"message": "no XLSX files, and nothing from the National Environment Agency"})
    page = client.get("/").content.decode()
    assert page.count('class="state-chip state-chip-exclude"') == 2
    assert "Remove filter: not XLSX" in page
    response = client.post("/chat/chips/remove", {"mode": "exclude", "facet": "format", "value": "XLSX"})
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.state["exclude"] == {
        "publisher": [{"value": "National Environment Agency", "label": "National Environment Agency"}]
    }
    latest = conversation.messages.filter(role="assistant").order_by("-pk").first()
    assert latest.content.startswith("Removed “not XLSX”")
    # A chip that is no longer applied changes nothing and says so.
    client.post("/chat/chips/remove", {"mode": "exclude", "facet": "format", "value": "XLSX"})
    assert Conversation.objects.get().state["exclude"] == conversation.state["exclude"]
    assert "no longer applied" in conversation.messages.order_by("-pk").first().content


def test_a_time_window_keeps_undated_datasets_and_marks_them(client, web_catalog):
    from catalog.models import Dataset

    undated = Dataset.objects.get(title="Historical daily rainfall")
    Dataset.objects.filter(pk=undated.pk).update(temporal_start=None, temporal_end=None)
    client.post("/chat/send", {"message": "rainfall"})
    client.post("/chat/send", {"message": "only data covering 2019"})
    latest = Conversation.objects.get().messages.filter(role="assistant").order_by("-pk").first()
    assert undated.pk in [r["id"] for r in latest.search["results"]]
    page = client.get("/").content.decode()
    assert "Dates not stated" in page and "covering 2019" in page


@pytest.mark.slow
def test_the_search_page_says_so_when_nothing_matches_well(client, indexed, settings):
    settings.ASSISTANT_WEAK_SCORE = 0.0  # every result is a good enough match
    assert "weak-results" not in client.get(reverse("search"), {"q": "rainfall"}).content.decode()
    settings.ASSISTANT_WEAK_SCORE = 1.01  # no score reaches it: the nearest results are shown with a warning
    body = client.get(reverse("search"), {"q": "rainfall", "page": "1"}).content.decode()
    assert "Nothing in the catalog matches “rainfall” well" in body
    assert "Daily rainfall by station" in body  # the nearest datasets are still there
