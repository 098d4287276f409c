"""Conversation writes: turns, answers, deletion. Views, API views and tasks call these.

A turn classifies the message, runs the search (or refines the previous one) and stores both
messages at once, so results show immediately; the grounded answer is written afterwards by
``answer_generate_task``, queued on commit and keyed by the assistant message id.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from activity.services import Owner, activity_adopt, search_history_record
from search.services import SearchValidationError, search

from . import llm, metrics, selectors
from .grounding import answer_from_model, prompt_build
from .models import Conversation, Message
from .refine import apply_refinement, describe_refinement, extract_filters
from .responder import Answer, builtin_answer, capabilities_reply, out_of_scope_reply, results_are_weak, smalltalk_reply
from .router import classify

logger = logging.getLogger(__name__)

SEARCH_INTENTS = ("search", "refine")
TOP_K = 10
RELATED_TOP_K = 3


class ConversationNotFound(Exception):
    pass


@dataclass
class TurnResult:
    conversation: Conversation
    intent: str
    reply: str
    results: list[dict]
    message: Message
    changes: list[str] = field(default_factory=list)
    search: dict = field(default_factory=dict)

    @property
    def answer_status(self) -> str:
        return self.message.answer_status


def _jsonable(value):
    """Search hits may carry dates; store them the way the API renders them."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


# --- Conversations ---


def conversation_get_or_create(*, user, session_key: str | None, conversation_id=None) -> Conversation:
    """The caller's conversation ``conversation_id``, or a new one.

    Raises ConversationNotFound for an id that is not the caller's. A conversation idle for longer
    than CONVERSATION_IDLE_EXPIRY_SECONDS is not resumed: a new one is started instead.
    """
    owner_user = user if user is not None and user.is_authenticated else None
    if owner_user is None and not session_key:
        raise ValueError("an anonymous conversation needs a session key")
    if conversation_id is not None:
        try:
            conversation = selectors.conversation_get(
                conversation_id=conversation_id, user=user, session_key=session_key
            )
        except (Conversation.DoesNotExist, ValueError) as exc:
            raise ConversationNotFound(str(conversation_id)) from exc
        if not selectors.conversation_is_expired(conversation):
            return conversation
    return Conversation.objects.create(user=owner_user, session_key="" if owner_user else session_key)


def conversation_delete(*, conversation: Conversation) -> None:
    """Assumes the caller owns the conversation (selectors.conversation_get checked it)."""
    conversation.delete()


def conversations_adopt(*, user, session_key: str | None) -> int:
    """Give a visitor who just logged in the conversations and history of their anonymous session."""
    if not session_key or user is None or not user.is_authenticated:
        return 0
    moved = Conversation.objects.filter(user__isnull=True, session_key=session_key).update(user=user, session_key="")
    activity_adopt(user=user, session_key=session_key)
    return moved


# --- Turns ---


def _describe_refinement(refinement) -> str:

    line = describe_refinement(refinement) or f"Showing results for '{refinement.query}'"
    return line if line.endswith((".", "!", "?")) else line + "."


def _search_reply(query: str, response, *, weak: bool) -> str:
    n, total = len(response.results), response.total
    if n == 0:
        return f"I found no datasets for “{query}”."
    if weak:
        return f"I found only weak matches for “{query}”; here are the closest {n}."
    if total > n:
        return f"Here are the top {n} of {total} datasets for “{query}”."
    return f"Here {'is 1 dataset' if n == 1 else f'are {n} datasets'} for “{query}”."


def _run_search(*, query: str, filters: dict, page: int, sort: str, similar_to, user, top_k: int = TOP_K):

    return search(
        query=query, filters=filters or None, top_k=top_k, page=page, user=user, sort=sort, similar_to=similar_to
    )


def _search_for_message(*, message: str, intent: str, state: dict, user, parsed=None) -> dict:
    """Resolve the message into a search (new or refined), run it and describe it."""

    changes: list[str] = []
    if intent == "refine":

        refinement = apply_refinement(message, state, parsed=parsed)
        query = refinement.query or state.get("query") or message
        filters = dict(refinement.filters or {})
        page, sort = refinement.page or 1, refinement.sort or "relevance"
        changes = list(refinement.changes or [])
        # Paging, sorting or filtering a "more like N" search stays in that mode; a new topic leaves it.
        same_topic = query == (state.get("query") or query)
        similar_to = state.get("similar_to") if same_topic else None
        rank = getattr(refinement, "similar_to_rank", None)
        result_ids = state.get("result_ids") or []
        if rank is not None and result_ids:
            position = rank - 1 if rank > 0 else rank  # -1: the last result shown
            if -len(result_ids) <= position < len(result_ids):
                similar_to = result_ids[position]
        reply_prefix = _describe_refinement(refinement)
    else:
        query, filters, page, sort, similar_to, reply_prefix = message, {}, 1, "relevance", None, ""

        extracted_query, filters = extract_filters(message, parsed=parsed)
        query, filters = extracted_query or message, dict(filters or {})
    try:
        response = _run_search(query=query, filters=filters, page=page, sort=sort, similar_to=similar_to, user=user)
    except SearchValidationError as exc:
        errors = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in exc.errors.items())
        return {
            "query": query,
            "filters": filters,
            "page": page,
            "sort": sort,
            "results": [],
            "total": 0,
            "changes": changes,
            "reply": f"I couldn't run that search ({errors}). Try rephrasing it.",
            "ok": False,
        }
    results = _jsonable([hit.to_dict() for hit in response.results])
    weak = results_are_weak(results)
    reply = reply_prefix or _search_reply(query, response, weak=weak)
    if reply_prefix and not results:
        reply = f"{reply_prefix.rstrip('.')}. No datasets match that."
    return {
        "query": query,
        "filters": filters,
        "page": page,
        "sort": sort,
        "similar_to": similar_to,
        "results": results,
        "total": response.total,
        "changes": changes,
        "reply": reply,
        "ok": True,
    }


def _related_results(related_query: str | None, *, user) -> list[dict]:
    if not related_query:
        return []
    try:
        response = _run_search(
            query=related_query, filters={}, page=1, sort="relevance", similar_to=None, user=user, top_k=RELATED_TOP_K
        )
    except Exception:
        logger.exception("related search failed")
        return []
    results = _jsonable([hit.to_dict() for hit in response.results])
    # Only a convincing related dataset is worth offering for a request we cannot serve.
    return [r for r in results if float(r.get("score") or 0.0) >= settings.ASSISTANT_WEAK_SCORE]


def conversation_turn(*, conversation: Conversation, message: str, user) -> TurnResult:
    """One user message and the assistant's immediate reply.

    Assumes the caller owns ``conversation`` and has validated ``message`` (1–2000 characters).
    For search and refine turns the answer is left pending and generated on commit.
    """

    message = message.strip()
    state = dict(conversation.state or {})
    has_previous = bool(state.get("query"))
    routed = classify(message, has_previous_search=has_previous)
    intent = routed.intent
    if intent == "refine" and not has_previous:
        intent = "search"

    results: list[dict] = []
    snapshot: dict = {}
    changes: list[str] = []
    answer_status = Message.AnswerStatus.READY
    if intent in SEARCH_INTENTS:
        snapshot = _search_for_message(message=message, intent=intent, state=state, user=user, parsed=routed.parsed)
        results, reply, changes = snapshot["results"], snapshot["reply"], snapshot["changes"]
        answer_status = Message.AnswerStatus.PENDING if snapshot["ok"] else Message.AnswerStatus.READY
    elif intent == "smalltalk":
        reply = smalltalk_reply(message)
    elif intent == "capabilities":
        reply = capabilities_reply(message)
    else:
        results = _related_results(getattr(routed, "related_query", None), user=user)
        reply = out_of_scope_reply(message, results)
        if results:
            snapshot = {"query": routed.related_query, "filters": {}, "results": results, "total": len(results)}

    with transaction.atomic():
        Message.objects.create(conversation=conversation, role=Message.Role.USER, intent=intent, content=message)
        assistant = Message.objects.create(
            conversation=conversation,
            role=Message.Role.ASSISTANT,
            intent=intent,
            content=reply,
            search={k: snapshot[k] for k in ("query", "filters", "page", "sort", "total", "results") if k in snapshot},
            answer=reply if answer_status == Message.AnswerStatus.READY else "",
            answer_status=answer_status,
            answer_provider="builtin" if answer_status == Message.AnswerStatus.READY else "",
        )
        update_fields = ["last_activity_at"]
        if intent in SEARCH_INTENTS and snapshot.get("ok"):
            conversation.state = {
                "query": snapshot["query"],
                "filters": snapshot["filters"],
                "page": snapshot["page"],
                "sort": snapshot["sort"],
                "similar_to": snapshot.get("similar_to"),
                "result_ids": [r.get("id") for r in results],
            }
            update_fields.append("state")
            search_history_record(
                owner=Owner.of(user=conversation.user, session_key=conversation.session_key),
                conversation_id=conversation.pk,
                query=snapshot["query"],
                filters=snapshot["filters"],
                result_count=snapshot["total"] or 0,
            )
        if not conversation.title:
            conversation.title = (snapshot.get("query") if intent in SEARCH_INTENTS else "") or message[:80]
            update_fields.append("title")
        conversation.last_activity_at = timezone.now()
        conversation.save(update_fields=update_fields)
        if answer_status == Message.AnswerStatus.PENDING:
            from .tasks import answer_generate_task  # tasks.py imports this module: resolved at call time

            answer_generate_task.delay_on_commit(assistant.id)
    return TurnResult(
        conversation=conversation,
        intent=intent,
        reply=reply,
        results=results,
        message=assistant,
        changes=changes,
        search=assistant.search,
    )


# --- Answers ---


def answer_compose(
    *,
    query: str,
    results: list[dict],
    total: int | None = None,
    context: list[str] | None = None,
    deadline_seconds=None,
) -> Answer:
    """A grounded answer from the provider chain, or the built-in responder. Never raises."""

    weak = results_are_weak(results)
    chain_configured = bool(results) and bool(llm.providers_configured())
    if chain_configured:
        try:

            request = prompt_build(query=query, results=results, context=context, weak=weak)
            completion = llm.complete(
                request,
                accept=lambda text: answer_from_model(text, query=query, results=results, weak=weak, provider=""),
                deadline_seconds=deadline_seconds,
            )
            if completion is not None:
                answer = completion.value
                answer.provider = f"{completion.provider}:{completion.model}"
                return answer
        except Exception:
            logger.exception("LLM answer failed; using the built-in responder")
        metrics.llm_call(provider="builtin", outcome="fallback")
    return builtin_answer(query=query, results=results, total=total)


def _answer_store(*, message_id: int, answer: Answer) -> bool:
    """Write the answer unless one is already there: a retried task cannot post twice."""
    updated = Message.objects.filter(pk=message_id, answer_status=Message.AnswerStatus.PENDING).update(
        answer=answer.to_text(),
        answer_data=answer.to_dict(),
        answer_provider=answer.provider[:64],
        answer_status=Message.AnswerStatus.READY,
    )
    return updated == 1


def answer_generate(*, message_id: int, deadline_seconds: float | None = None) -> bool:
    """Generate and store the grounded answer for a pending assistant message (idempotent)."""
    message = (
        Message.objects.select_related("conversation")
        .filter(pk=message_id, role=Message.Role.ASSISTANT, answer_status=Message.AnswerStatus.PENDING)
        .first()
    )
    if message is None:
        logger.info("answer for message %s: nothing pending", message_id)
        return False
    search = message.search or {}
    query, results = search.get("query") or message.content, search.get("results") or []
    try:
        # Earlier requests only: the last user message before this answer is the request itself.
        context = selectors.conversation_context(conversation=message.conversation, before_id=message.id)[:-1]
        answer = answer_compose(
            query=query, results=results, total=search.get("total"), context=context, deadline_seconds=deadline_seconds
        )
    except Exception:
        logger.exception("answer for message %s failed; using the built-in responder", message_id)
        answer = builtin_answer(query=query, results=results, total=search.get("total"))
    return _answer_store(message_id=message_id, answer=answer)


def answer_fallback(*, message_id: int) -> bool:
    """Store the built-in answer for a message whose generated answer did not arrive in time."""
    message = Message.objects.filter(pk=message_id, answer_status=Message.AnswerStatus.PENDING).first()
    if message is None:
        return False
    search = message.search or {}
    answer = builtin_answer(
        query=search.get("query") or message.content, results=search.get("results") or [], total=search.get("total")
    )
    return _answer_store(message_id=message_id, answer=answer)


def answer_wait(*, message: Message, timeout: float) -> Message:
    """Wait up to ``timeout`` seconds for the pending answer, then fall back to the built-in one."""
    deadline = time.monotonic() + timeout
    while message.answer_status == Message.AnswerStatus.PENDING and time.monotonic() < deadline:
        time.sleep(0.05)
        message.refresh_from_db(fields=["answer", "answer_status", "answer_provider", "answer_data"])
    if message.answer_status == Message.AnswerStatus.PENDING:
        answer_fallback(message_id=message.id)
        message.refresh_from_db(fields=["answer", "answer_status", "answer_provider", "answer_data"])
    return message


# --- One-shot AI search ---


@dataclass
class AiSearchResult:
    response: object
    results: list[dict]
    answer: Answer


def ai_search(*, query: str, filters: dict | None, top_k: int, user, session_key: str | None = None) -> AiSearchResult:
    """Results plus a grounded answer, synchronously within ANSWER_WAIT_SECONDS (built-in fallback).

    Raises search.services.SearchValidationError for invalid input.
    """

    response = search(query=query, filters=filters or None, top_k=top_k, user=user)
    results = _jsonable([hit.to_dict() for hit in response.results])
    answer = answer_compose(
        query=query, results=results, total=response.total, deadline_seconds=settings.ANSWER_WAIT_SECONDS
    )
    owner = Owner.of(user=user, session_key=session_key)
    if owner.user is not None or owner.session_key:
        search_history_record(owner=owner, query=query, filters=filters or {}, result_count=response.total or 0)
    return AiSearchResult(response=response, results=results, answer=answer)
