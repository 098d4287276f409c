"""Pages for the chat, history, feedback and sign-up. Thin: parse, authorise, call a service, render."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activity import services as activity
from activity.services import FeedbackError, Owner
from catalog import selectors as catalog_selectors
from catalog.presentation import hit_card, safe_url
from search.views import FILTER_FIELDS as SEARCH_PAGE_FILTERS
from search.views import HtmxHttpRequest

from . import selectors, services
from .models import Conversation, Message

logger = logging.getLogger(__name__)

SESSION_KEY = "chat_conversation_id"
ANSWER_POLL_LIMIT = 90  # polls of about a second each before the page stops asking
SUGGESTIONS = (
    "HDB resale flat prices by town",
    "Rainfall in Singapore since 2015",
    "Global CO2 emissions per country",
    "What can you do?",
)


def _safe_next(request: HtmxHttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _session_key(request: HtmxHttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()  # anonymous visitors own their chat through the session
    return request.session.session_key


def _current_conversation(request: HtmxHttpRequest) -> Conversation | None:
    """The conversation this browser is in (kept in the session, so it survives a reload and a login)."""
    conversation_id = request.session.get(SESSION_KEY)
    if not conversation_id:
        return None
    try:
        conversation = selectors.conversation_get(
            conversation_id=conversation_id, user=request.user, session_key=_session_key(request)
        )
    except (Conversation.DoesNotExist, ValidationError, ValueError):
        return None
    return None if selectors.conversation_is_expired(conversation) else conversation


def _assistant_view(message: Message, votes: dict[int, int], owner: Owner | None = None) -> dict:
    search = message.search or {}
    data = message.answer_data or {}
    results = [hit_card(hit) for hit in search.get("results", [])]
    if owner is not None and results:
        result_votes = activity.feedback_votes(
            owner=owner, query=search.get("query", ""), dataset_ids=[r["id"] for r in results]
        )
        for result in results:
            result["vote"] = result_votes.get(result["id"])
    return {
        "message": message,
        "chips": search.get("chips") or [],
        # Under a time window, datasets without dates are kept: their cards say so.
        "time_filtered": any(chip.get("mode") == "time" for chip in search.get("chips") or []),
        "table": _table_view(data.get("table")),
        "results": results,
        "total": search.get("total") or len(results),
        "search_url": _search_url(search) if results else "",
        "query": search.get("query", ""),
        "vote": votes.get(message.pk),
        "show_answer": message.answer_status == Message.AnswerStatus.PENDING or bool(data),
        "summary": data.get("summary") or message.answer,
        "picks": [p for p in data.get("picks", []) if str(p.get("id", "")).isdigit()],
        "elsewhere": [
            {"label": link.get("label", ""), "url": safe_url(link.get("url"))}
            for link in data.get("search_elsewhere", [])
            if safe_url(link.get("url"))
        ],
    }


def _table_view(table) -> dict | None:
    """A stored comparison table as rows the template links: the first cell names the dataset."""
    if not isinstance(table, dict) or not table.get("rows"):
        return None
    ids = [i for i in table.get("ids") or [] if str(i).isdigit()]
    rows = []
    for index, row in enumerate(table["rows"]):
        cells = [str(cell) for cell in row]
        rows.append({"id": int(ids[index]) if index < len(ids) else None, "name": cells[0] if cells else "", "cells": cells[1:]})
    return {"columns": [str(c) for c in table.get("columns") or []], "rows": rows}


def _search_url(search: dict) -> str:
    """The search page for a turn's query and filters (filters may hold lists)."""
    params = QueryDict(mutable=True)
    params["q"] = search.get("query", "")
    for name, value in (search.get("filters") or {}).items():
        if name in SEARCH_PAGE_FILTERS and value not in (None, "", []):
            params[name] = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return f"{reverse('search')}?{params.urlencode()}"


def _turn_items(owner: Owner, messages: list[Message]) -> list[dict]:
    votes = activity.answer_votes(
        owner=owner, message_ids=[m.pk for m in messages if m.role == Message.Role.ASSISTANT]
    )
    items = []
    for message in messages:
        if message.role == Message.Role.ASSISTANT:
            items.append({"role": "assistant", **_assistant_view(message, votes, owner)})
        else:
            items.append({"role": "user", "message": message})
    return items


def share_panel_context(request: HtmxHttpRequest, conversation: Conversation | None) -> dict:
    """The chat page's share box: the conversation and its active read-only link, if any."""
    share = selectors.share_active(conversation=conversation) if conversation else None
    url = request.build_absolute_uri(reverse("conversation-shared", args=[share.token])) if share else ""
    return {"share_conversation": conversation, "share": share, "share_url": url}


@require_GET
def home(request: HtmxHttpRequest):
    owner = Owner.from_request(request, create=False)  # a first visit writes no session row
    conversation = _current_conversation(request)
    sources = list(catalog_selectors.source_counts())
    messages = list(selectors.conversation_messages(conversation=conversation)) if conversation else []
    pending = [m for m in messages if m.answer_status == Message.AnswerStatus.PENDING]
    for message in pending:
        if services.answer_is_overdue(message):  # without JavaScript the page itself is the poll
            services.answer_fallback(message_id=message.pk)
            message.refresh_from_db()
    return render(
        request,
        "conversation/home.html",
        {
            "conversation": conversation,
            "items": _turn_items(owner, messages),
            "sources": sources,
            "catalog_size": sum(s.active_count for s in sources),
            "suggestions": SUGGESTIONS,
            "max_message": settings.CONVERSATION_MAX_MESSAGE_CHARS,
            # Without JavaScript a <noscript> refresh reloads the page until every answer is in.
            "answers_pending": any(m.answer_status == Message.AnswerStatus.PENDING for m in pending),
            "request_id": services.request_id_new(),  # a double submit or a resent form replays the turn
            **share_panel_context(request, conversation if messages else None),
        },
    )


@require_POST
def chat_send(request: HtmxHttpRequest):
    text = (request.POST.get("message") or "").strip()
    error = ""
    if not text:
        error = "Type a message first."
    elif len(text) > settings.CONVERSATION_MAX_MESSAGE_CHARS:
        error = (
            f"That message is {len(text):,} characters long; the assistant reads up to "
            f"{settings.CONVERSATION_MAX_MESSAGE_CHARS:,}. Paste the part that says what data you need."
        )
    if error:
        if request.htmx:
            return render(request, "conversation/_send_error.html", {"error": error})
        flash.error(request, error)
        return redirect("home")
    owner = Owner.from_request(request)
    current = _current_conversation(request)
    request_id = services.request_id_clean(request.POST.get("request_id"))
    session_key = _session_key(request)
    with services.request_claim(request_id=request_id, user=request.user, session_key=session_key):
        conversation = services.conversation_get_or_create(
            user=request.user, session_key=session_key, conversation_id=current.pk if current else None, request_id=request_id
        )
        turn = services.conversation_turn(conversation=conversation, message=text, user=request.user, request_id=request_id)
    request.session[SESSION_KEY] = str(conversation.pk)
    return _turn_response(request, owner, conversation, turn)


def _turn_response(request: HtmxHttpRequest, owner: Owner, conversation: Conversation, turn) -> HttpResponse:
    """The new turn: its two messages as a fragment for HTMX, else a redirect to it."""
    if not request.htmx:
        return redirect(f"{reverse('home')}#turn-{turn.message.pk}")
    # The assistant message as the turn created it: a pending answer is then fetched by the page's
    # polling, whether a worker or an eager task writes it.
    user_message = (
        selectors.conversation_messages(conversation=conversation)
        .filter(role=Message.Role.USER, pk__lt=turn.message.pk)
        .order_by("-pk")
        .first()
    )
    new_messages = [m for m in (user_message, turn.message) if m is not None]
    turns = render_to_string("conversation/_turns.html", {"items": _turn_items(owner, new_messages)}, request=request)
    # The share box follows the conversation (it appears with the first turn): an out-of-band swap.
    share = render_to_string(
        "conversation/_share.html", {**share_panel_context(request, conversation), "oob": True}, request=request
    )
    # The form's next turn gets a new request id (out-of-band swap); a resend of this one replays it.
    next_id = render_to_string("conversation/_request_id.html", {"request_id": services.request_id_new(), "oob": True})
    return HttpResponse(turns + share + next_id)


@require_POST
def chat_chip_remove(request: HtmxHttpRequest):
    """A chip's remove button: drop that filter from the conversation's search and search again."""
    owner = Owner.from_request(request)
    conversation = _current_conversation(request)
    if conversation is None:
        return redirect("home")
    data = request.POST
    turn = services.conversation_chip_remove(
        conversation=conversation,
        mode=data.get("mode", "")[:16],
        facet=data.get("facet", "")[:32],
        value=data.get("value", "")[:300],
        user=request.user,
    )
    return _turn_response(request, owner, conversation, turn)


@require_GET
def chat_answer(request: HtmxHttpRequest, message_id: int):
    owner = Owner.from_request(request)
    try:
        message = selectors.message_get(message_id=message_id, user=request.user, session_key=_session_key(request))
    except Message.DoesNotExist:
        raise Http404("No such answer") from None
    try:
        polls = int(request.GET.get("n", "0"))
    except ValueError:
        polls = 0
    if message.answer_status == Message.AnswerStatus.PENDING and services.answer_is_overdue(message):
        # No worker answered in time (down or swamped): the user still gets the built-in answer.
        services.answer_fallback(message_id=message.pk)
        message.refresh_from_db()
    votes = activity.answer_votes(owner=owner, message_ids=[message.pk])
    return render(
        request,
        "conversation/_answer.html",
        {**_assistant_view(message, votes), "polls": polls + 1, "give_up": polls >= ANSWER_POLL_LIMIT},
    )


@require_POST
def chat_new(request: HtmxHttpRequest):
    request.session.pop(SESSION_KEY, None)
    return redirect("home")


@require_GET
def conversation_open(request: HtmxHttpRequest, conversation_id):
    conversation = _owned_conversation(request, conversation_id)
    request.session[SESSION_KEY] = str(conversation.pk)
    return redirect("home")


def _owned_conversation(request: HtmxHttpRequest, conversation_id) -> Conversation:
    try:
        return selectors.conversation_get(
            conversation_id=conversation_id, user=request.user, session_key=_session_key(request)
        )
    except Conversation.DoesNotExist:
        raise Http404("No such conversation") from None


# --- History ---


@require_GET
def history(request: HtmxHttpRequest):
    # Reading needs no session: a visitor without one has no history yet.
    owner = {"user": request.user, "session_key": request.session.session_key}
    return render(
        request,
        "conversation/history.html",
        {
            "searches": activity.history_list(owner=Owner.of(**owner))[:200],
            "conversations": selectors.conversation_list(**owner)[:100],
        },
    )


@require_POST
def history_search_delete(request: HtmxHttpRequest, history_id: int):
    if not activity.search_history_delete(owner=Owner.from_request(request), history_id=history_id):
        raise Http404("No such search")
    return _history_done(request, "Search removed from your history.")


@require_POST
def history_conversation_delete(request: HtmxHttpRequest, conversation_id):
    services.conversation_delete(conversation=_owned_conversation(request, conversation_id))
    if request.session.get(SESSION_KEY) == str(conversation_id):
        request.session.pop(SESSION_KEY, None)
    return _history_done(request, "Conversation deleted.")


@require_POST
def history_clear(request: HtmxHttpRequest):
    owner = {"user": request.user, "session_key": _session_key(request)}
    for conversation in selectors.conversation_list(**owner):
        services.conversation_delete(conversation=conversation)
    activity.history_clear(owner=Owner.of(**owner))
    request.session.pop(SESSION_KEY, None)
    return _history_done(request, "Your history has been deleted.")


def _history_done(request: HtmxHttpRequest, text: str):
    if request.htmx:
        return HttpResponse("")  # the row is removed in place
    flash.success(request, text)
    return redirect("history")


# --- Feedback ---


@require_POST
def feedback(request: HtmxHttpRequest):
    owner = Owner.from_request(request)
    data = request.POST
    try:
        vote = activity.feedback_record(
            owner=owner,
            target=data.get("target", ""),
            value=data.get("value"),
            dataset_id=data.get("dataset"),
            message=selectors.answer_find(message_id=data.get("message"), owner=owner),
            query=data.get("query", ""),
            rank=data.get("rank"),
        )
    except FeedbackError as exc:
        if request.htmx:
            return render(request, "conversation/_feedback_error.html", {"errors": exc.errors})
        flash.error(request, "Sorry, that feedback could not be saved.")
        return redirect(_safe_next(request, reverse("home")))
    if not request.htmx:
        flash.success(request, "Thanks for the feedback.")
        return redirect(_safe_next(request, reverse("home")))
    return render(
        request,
        "conversation/_feedback.html",
        {
            "target": vote.target,
            "dataset_id": vote.dataset_id,
            "message_id": vote.message_id,
            "fb_query": vote.query,
            "rank": vote.rank,
            "vote": vote.value,
        },
    )


# --- Accounts ---


class LoginView(auth_views.LoginView):
    """Django's login, plus: the chat and history of the anonymous session become the user's."""

    def form_valid(self, form):
        anonymous_key = self.request.session.session_key
        response = super().form_valid(form)  # logs in, which changes the session key
        if anonymous_key:
            services.conversations_adopt(user=form.get_user(), session_key=anonymous_key)
        return response


login_view = LoginView.as_view()


@require_http_methods(["GET", "POST"])
def signup(request: HtmxHttpRequest):
    if request.user.is_authenticated:
        return redirect("home")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if request.session.session_key:
            # What the visitor did before signing up becomes theirs.
            services.conversations_adopt(user=user, session_key=request.session.session_key)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        flash.success(request, f"Welcome, {user.get_username()}! Your searches and conversations are now saved.")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})
