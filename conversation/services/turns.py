"""One chat turn: route the message, change the search state or answer about the results, search, store.

The message is parsed once (``router.classify`` returns both the refinement parse and the
follow-up parse). A follow-up that changes the state (exclude, include, bring back, undo, time,
granularity) or asks about the results on screen is handled by ``conversation.followup``; other
searches and refinements (paging, sort, "more like N", a new topic) keep their ``refine`` path. The
search state is explicit (``conversation.state.SearchState``), stored with the conversation and
returned with every turn. Results show at once; a grounded summary is written afterwards by
``answer_generate_task``, queued on commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from activity.services import Owner, search_history_record
from catalog.models import Dataset
from conversation.answering import jsonable
from conversation.followup import model_read
from conversation.followup.answers import answer_question, shown_datasets
from conversation.followup.apply import Change, interpret, search_filters
from conversation.gist import Gist, closing_question, gist
from conversation.models import Conversation, Message
from conversation.refine import apply_refinement, describe_refinement, extract_filters
from conversation.responder import capabilities_reply, out_of_scope_reply, results_are_weak, smalltalk_reply
from conversation.router import IntentResult, classify
from conversation.services.delivery import TurnResult, answer_dispatch, turn_replay
from conversation.state import SearchState
from search.services import SearchValidationError, search

logger = logging.getLogger(__name__)

SEARCH_INTENTS = ("search", "refine")
TOP_K = 10
RELATED_TOP_K = 3
INDEX_FACETS = ("source", "publisher", "format", "theme", "geography")


@dataclass
class _Outcome:
    intent: str
    reply: str
    results: list[dict] = field(default_factory=list)
    state: SearchState | None = None  # the new state, when the turn changes it
    total: int = 0
    searched: bool = False  # a search ran: store history, generate a summary
    changes: list[str] = field(default_factory=list)
    table: dict | None = None
    related_query: str | None = None


# --- searching a state -----------------------------------------------------------------------------


def _run(state: SearchState, *, user, top_k: int = TOP_K):
    return search(
        query=state.query,
        filters=search_filters(state) or None,
        top_k=top_k,
        page=state.page,
        user=user,
        sort=state.sort,
        similar_to=state.similar_to,
    )


def _search_reply(query: str, response, *, weak: bool) -> str:
    n, total = len(response.results), response.total
    if n == 0:
        return f"I found no datasets for “{query}”."
    if weak:
        return f"I found only weak matches for “{query}”; here are the closest {n}."
    if total > n:
        return f"Here are the top {n} of {total} datasets for “{query}”."
    return f"Here {'is 1 dataset' if n == 1 else f'are {n} datasets'} for “{query}”."


def _searched(state: SearchState, *, user, intent: str, reply_for) -> _Outcome:
    """Run the state's search; ``reply_for(response, results)`` words the reply."""
    try:
        response = _run(state, user=user)
    except SearchValidationError as exc:
        errors = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in exc.errors.items())
        return _Outcome(intent, f"I couldn't run that search ({errors}). Try rephrasing it.")
    results = jsonable([hit.to_dict() for hit in response.results])
    state.result_ids = [r["id"] for r in results]
    return _Outcome(intent, reply_for(response, results), results, state, response.total or 0, searched=True)


# --- follow-ups -----------------------------------------------------------------------------------


def _undated(results: list[dict]) -> int:
    return sum(1 for r in results if not r.get("temporal_start") and not r.get("temporal_end"))


def _change_reply(change: Change, state: SearchState, response, results: list[dict]) -> str:
    head = "; ".join(change.changes)
    if state.query and change.kind != "same_but":
        head += f" for “{state.query}”"
    total = response.total or 0
    if total == 0:
        reply = f"{head}: no datasets match now."
    else:
        reply = f"{head}: {total} dataset{'s' if total != 1 else ''} {'left' if state.exclude else 'match'}."
    if (state.year_from is not None or state.year_to is not None) and (undated := _undated(results)):
        reply += f" {undated} shown without stated dates are kept and marked “dates not stated”."
    if change.unknown:
        reply += " " + _unknown_sentence(change)
    if state.undo:
        reply += " Say “undo” to reverse this, or remove a filter chip."
    return reply


def _unknown_sentence(change: Change) -> str:
    parts = []
    for phrase in change.unknown:
        close = change.suggestions.get(phrase) or []
        hint = f" Close matches: {', '.join(close)}." if close else ""
        parts.append(f"I couldn't find a publisher, source, format or dataset called “{phrase}”.{hint}")
    return " ".join(parts)


def _followup(change: Change, state: SearchState, *, user, topic_parsed=None) -> _Outcome:
    if change.kind == "question":
        answer = change.answer
        assert answer is not None
        return _Outcome("question", answer.reply, state=change.state, table=answer.table)
    if change.kind in ("unknown", "noop"):
        if change.kind == "unknown":
            reply = _unknown_sentence(change) + " I left the search as it was."
        else:
            reply = (change.changes or ["Nothing changed"])[0] + "."
        outcome = _searched(state.copy(), user=user, intent="refine", reply_for=lambda response, results: reply)
        outcome.searched = False  # the same search again: no history entry, no new summary
        return outcome
    if change.kind == "new_topic":  # the router's reading of the new topic, when it read it
        fresh = _fresh_state(change.query or "", parsed=topic_parsed)
        return _searched(fresh, user=user, intent="search", reply_for=_first_reply(fresh))
    new = change.state
    outcome = _searched(
        new,
        user=user,
        intent="refine",
        reply_for=lambda response, results: _change_reply(change, new, response, results),
    )
    if (
        change.kind == "same_but"
        and not outcome.results
        and (new.include.get("publisher") or new.include.get("source"))
    ):
        # The publisher has nothing on the new topic: keep the rest of the task, drop who publishes it.
        dropped = [item["label"] for facet in ("publisher", "source") for item in new.include.get(facet, [])]
        new.remove("include", "publisher")
        new.remove("include", "source")
        change.changes.append(f"nothing from {', '.join(dropped)} on that, so from any publisher")
        outcome = _searched(
            new,
            user=user,
            intent="refine",
            reply_for=lambda response, results: _change_reply(change, new, response, results),
        )
    outcome.changes = change.changes
    if change.then_question is not None and outcome.results:
        # "drop the KML files and tell me who publishes the first one": asked of the list the change leaves
        answer = answer_question(change.then_question, shown_datasets(new.result_ids), focus=new.focus)
        if answer is not None:
            outcome.reply = f"{outcome.reply} {answer.reply}"
            outcome.table = answer.table
            new.focus = answer.focus or new.focus
    return outcome


# --- searches and the older refinement path -----------------------------------------------------------


def _fresh_state(query: str, *, parsed) -> SearchState:
    extracted, filters = extract_filters(query, parsed=parsed)
    state = SearchState(query=extracted or query)
    _set_filters(state, filters)
    return state


def _set_filters(state: SearchState, filters: dict) -> None:
    for facet in INDEX_FACETS:
        state.remove("include", facet)
        raw = filters.get(facet)
        values = raw if isinstance(raw, list) else [v for v in str(raw or "").split(",") if v.strip()]
        for value in values:
            state.add("include", facet, str(value).strip())
    state.year_from = filters.get("year_from")
    state.year_to = filters.get("year_to")


def _legacy(state: SearchState) -> dict:
    filters: dict = {facet: state.values("include", facet) for facet in INDEX_FACETS if state.values("include", facet)}
    if state.year_from is not None:
        filters["year_from"] = state.year_from
    if state.year_to is not None:
        filters["year_to"] = state.year_to
    return {
        "query": state.query,
        "filters": filters,
        "page": state.page,
        "sort": state.sort,
        "similar_to": state.similar_to,
        "result_ids": state.result_ids,
    }


def _refined(message: str, state: SearchState, *, parsed, user) -> _Outcome:
    refinement = apply_refinement(message, _legacy(state), parsed=parsed)
    new = state.copy()
    new.checkpoint()
    query = refinement.query or state.query or message
    same_topic = query == (state.query or query)
    new.query = query
    _set_filters(new, refinement.filters or {})
    new.page, new.sort = refinement.page or 1, refinement.sort or "relevance"
    new.similar_to = state.similar_to if same_topic else None
    if refinement.similar_to_rank is not None and state.result_ids:
        rank = refinement.similar_to_rank
        position = rank - 1 if rank > 0 else rank  # -1: the last result shown
        if -len(state.result_ids) <= position < len(state.result_ids):
            new.similar_to = state.result_ids[position]
    line = describe_refinement(refinement) or f"Showing results for '{refinement.query}'"
    prefix = line if line.endswith((".", "!", "?")) else line + "."

    def reply_for(response, results):
        return prefix if results else f"{prefix.rstrip('.')}. No datasets match that."

    outcome = _searched(new, user=user, intent="refine", reply_for=reply_for)
    outcome.changes = list(refinement.changes or [])
    return outcome


def _first_reply(state: SearchState):
    def reply_for(response, results):
        return _search_reply(state.query, response, weak=results_are_weak(results))

    return reply_for


def _related_results(related_query: str | None, *, user) -> list[dict]:
    if not related_query:
        return []
    try:
        response = search(query=related_query, top_k=RELATED_TOP_K, user=user)
    except Exception:
        logger.exception("related search failed")
        return []
    results = jsonable([hit.to_dict() for hit in response.results])
    # Only a convincing related dataset is worth offering for a request we cannot serve.
    return [r for r in results if float(r.get("score") or 0.0) >= settings.ASSISTANT_WEAK_SCORE]


def _decide(text: str, routed: IntentResult, state: SearchState, *, user) -> _Outcome:
    has_previous = bool(state.query)
    intent = routed.intent
    if intent == "refine" and not has_previous:
        intent = "search"
    followup = routed.followup
    shown = None
    if has_previous and intent != "smalltalk" and model_read.enabled():
        # A configured provider reads the follow-up first; None leaves it to the built-in parse.
        shown = shown_datasets(state.result_ids)
        reading = model_read.read_followup(text, state, shown)
        if reading is not None and (change := interpret(reading, state, shown)) is not None:
            return _followup(change, state, user=user)
    if has_previous and followup is not None and followup.is_followup and intent not in ("smalltalk",):
        change = interpret(followup, state, shown if shown is not None else shown_datasets(state.result_ids))
        if change is not None:
            topic_parsed = routed.parsed if followup.topic_switch and routed.topic_parsed else None
            return _followup(change, state, user=user, topic_parsed=topic_parsed)
        if routed.decided_by_followup:
            # The follow-up named nothing on screen ("tell me about rainfall data"): a search after all.
            intent = "search"
    if intent == "refine":
        return _refined(text, state, parsed=routed.parsed, user=user)
    if intent == "search":
        fresh = _fresh_state(text, parsed=None if routed.decided_by_followup else routed.parsed)
        return _searched(fresh, user=user, intent="search", reply_for=_first_reply(fresh))
    if intent == "smalltalk":
        return _Outcome("smalltalk", smalltalk_reply(text))
    if intent == "capabilities":
        return _Outcome("capabilities", capabilities_reply(text))
    results = _related_results(routed.related_query, user=user)
    # The related datasets are on screen: with no search before, follow-ups ("only MAS", "who publishes the
    # first?") act on them.
    shown_state = None
    if results and not has_previous:
        shown_state = SearchState(query=routed.related_query or "", result_ids=[int(r["id"]) for r in results])
    return _Outcome(
        "out_of_scope",
        out_of_scope_reply(text, results),
        results,
        state=shown_state,
        related_query=routed.related_query,
    )


# --- the turn ----------------------------------------------------------------------------------------


def _long_request_routed(short: Gist, routed: IntentResult, state: SearchState, shown_titles: list) -> IntentResult:
    """A long message cut to a request for data is a search when its request's main clause is one, whatever its asides
    read as: "What I need is GDP - ideally in a consistent currency so I can compare countries, but ..." is not a
    question about the assistant. The search still reads the whole gist."""
    if not short.request or routed.intent not in ("capabilities", "out_of_scope"):
        return routed
    again = classify(short.request, has_previous_search=bool(state.query), shown_titles=shown_titles)
    if again.intent != "search":
        return routed
    return IntentResult("search", again.confidence, f"a long message's request: {again.reason}")


def _closing_question_routed(
    message: str, routed: IntentResult, state: SearchState, shown_titles: list
) -> tuple[str, IntentResult] | None:
    """A chatty message that ends with a question about the results is that question ("Do you know, my very first
    job was at the old power station ... Anyway - what formats does the first one come in?"), whatever its story
    reads as."""
    if not state.query or routed.intent == "refine" or not (asked := closing_question(message)):
        return None
    again = classify(asked, has_previous_search=True, shown_titles=shown_titles)
    if again.intent != "refine" or again.followup is None or again.followup.question is None:
        return None
    return asked, again


def conversation_turn(*, conversation: Conversation, message: str, user, request_id: str = "") -> TurnResult:
    """One user message and the assistant's immediate reply.

    Assumes the caller owns ``conversation`` and has validated ``message`` (1 to
    CONVERSATION_MAX_MESSAGE_CHARS characters; longer than a search takes, it is searched by its gist).
    For search and refine turns the summary is left pending and generated on commit. A ``request_id``
    the conversation has seen replays that turn instead of making another.
    """
    if (replayed := turn_replay(conversation=conversation, request_id=request_id)) is not None:
        return replayed
    message = message.strip()
    state = SearchState.from_dict(conversation.state)
    short = gist(message, followup=bool(state.query))
    shown_titles = (
        list(Dataset.objects.filter(pk__in=state.result_ids).values_list("title", flat=True)) if state.query else []
    )
    routed = classify(short.text, has_previous_search=bool(state.query), shown_titles=shown_titles)
    routed = _long_request_routed(short, routed, state, shown_titles)
    text = short.text
    if (closing := _closing_question_routed(message, routed, state, shown_titles)) is not None:
        text, routed = closing
    outcome = _decide(text, routed, state, user=user)
    if short.shortened:
        outcome.reply = f"{short.note} {outcome.reply}"
    return _store_turn(conversation=conversation, text=message, outcome=outcome, state=state, request_id=request_id)


def conversation_chip_remove(*, conversation: Conversation, mode: str, facet: str, value: str, user) -> TurnResult:
    """Remove one chip of the search state (a filter, the time window or the sort) and search again."""
    state = SearchState.from_dict(conversation.state)
    chip = next((c for c in state.chips() if (c.mode, c.facet, c.value) == (mode, facet, value)), None)
    if chip is None or not state.query:
        outcome = _Outcome("refine", "That filter is no longer applied.")
        return _store_turn(conversation=conversation, text=f"Remove filter: {value}", outcome=outcome, state=state)
    new = state.copy()
    new.checkpoint()
    if mode == "time":
        new.year_from = new.year_to = None
    elif mode == "sort":
        new.sort = "relevance"
    else:
        new.remove(mode, facet, value)
    new.page = 1
    change = Change("state", new, changes=[f"Removed “{chip.text}”"])
    outcome = _followup(change, state, user=user)
    return _store_turn(conversation=conversation, text=f"Remove filter: {chip.text}", outcome=outcome, state=state)


def _filters_shown(state: SearchState) -> dict:
    """The state's search filters as stored with a turn: without the (possibly long) dataset-id lists."""
    return {k: v for k, v in search_filters(state).items() if k not in ("ids", "exclude_ids")}


def _store_turn(
    *, conversation: Conversation, text: str, outcome: _Outcome, state: SearchState, request_id: str = ""
) -> TurnResult:
    """Both messages of a turn and the new state, at once; the summary is queued on commit. The same
    ``request_id`` arriving twice at once stores one turn: the second replays the first."""
    try:
        return _store_turn_once(
            conversation=conversation, text=text, outcome=outcome, state=state, request_id=request_id
        )
    except IntegrityError:
        if (replayed := turn_replay(conversation=conversation, request_id=request_id)) is None:
            raise
        return replayed


def _store_turn_once(
    *, conversation: Conversation, text: str, outcome: _Outcome, state: SearchState, request_id: str
) -> TurnResult:
    message = text
    new_state = outcome.state or state
    pending = outcome.searched
    snapshot: dict = {}
    if outcome.intent == "out_of_scope" and outcome.results:
        snapshot = {"query": outcome.related_query or "", "filters": {}, "total": len(outcome.results),
                    "results": outcome.results}  # fmt: skip
    elif outcome.searched or outcome.results:
        snapshot = {
            "query": new_state.query,
            "filters": _filters_shown(new_state),
            "page": new_state.page,
            "sort": new_state.sort,
            "total": outcome.total,
            "results": outcome.results,
            "chips": [chip.to_dict() for chip in new_state.chips()],
        }
    with transaction.atomic():
        Message.objects.create(
            conversation=conversation, role=Message.Role.USER, intent=outcome.intent, content=message,
            request_id=request_id,
        )  # fmt: skip
        assistant = Message.objects.create(
            conversation=conversation,
            role=Message.Role.ASSISTANT,
            intent=outcome.intent,
            content=outcome.reply,
            search=snapshot,
            answer="" if pending else outcome.reply,
            answer_data={"table": outcome.table} if outcome.table else {},
            answer_status=Message.AnswerStatus.PENDING if pending else Message.AnswerStatus.READY,
            answer_provider="" if pending else "builtin",
        )
        update_fields = ["last_activity_at"]
        if outcome.state is not None:
            conversation.state = new_state.to_dict()
            update_fields.append("state")
        if outcome.searched:
            search_history_record(
                owner=Owner.of(user=conversation.user, session_key=conversation.session_key),
                conversation_id=conversation.pk,
                query=new_state.query,
                filters=snapshot["filters"] | {"chips": [chip["text"] for chip in snapshot["chips"]]},
                result_count=outcome.total,
            )
        if not conversation.title:
            conversation.title = (new_state.query if outcome.searched else "") or message[:80]
            update_fields.append("title")
        conversation.last_activity_at = timezone.now()
        conversation.save(update_fields=update_fields)
        if pending:
            transaction.on_commit(lambda: answer_dispatch(assistant.id))
    return TurnResult(
        conversation=conversation,
        intent=outcome.intent,
        reply=outcome.reply,
        results=outcome.results,
        message=assistant,
        changes=outcome.changes,
        search=assistant.search,
        search_state=new_state.public(),
        references=new_state.references(),
        table=outcome.table,
    )
