"""``classify``: the rules first, then the embedding vote for what they leave undecided."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import DatabaseError
from django.db.models import Q

from catalog.models import Dataset
from conversation import lexicon
from conversation.followup import targets
from conversation.followup.code_syntax import read_code
from conversation.followup.parse import FollowUpParse, parse_followup
from conversation.followup.questions_parse import FIELD_KINDS
from conversation.refine import Parsed, parse
from conversation.router import knn, model
from conversation.router.rules import (
    ANALYSIS_TASK,
    ASSISTANT_REFERENCE,
    CAPABILITY_ABOUT_ITSELF,
    CAPABILITY_PROBE,
    CAPABILITY_SOFT,
    CAPABILITY_STRONG,
    CLAUSE_FORM,
    DATA_REQUEST,
    DATA_WORDS,
    DEFINITION,
    FACILITY_LOCATIONS,
    FACT_QUESTION,
    FEATURE_QUESTION,
    NEAR_ME,
    ONE_FIGURE,
    OOS_PLACE_CONTEXT,
    OOS_PLACE_NOUN,
    OOS_STRONG,
    OOS_WEAK,
    PROGRAMMING_HELP,
    REQUEST_WORDS,
    RESULT_POINTER,
    RESULT_REFERENCE,
    RESULTS_COMMENT,
    SERIES_QUESTION,
    SORT_REQUEST,
    STAT_WORDS,
    STATISTIC_REQUEST,
    TOPIC_HEAD,
    WRITING_COMMAND,
)
from conversation.router.smalltalk import peel_smalltalk, session_remark, split_words, thanks_and_remark
from search.text import fold

log = logging.getLogger(__name__)

INTENTS = ("smalltalk", "capabilities", "search", "refine", "out_of_scope")
_GREETING_FROM = re.compile(r"^(?:all the way )?from (?:the |my |our |sunny |rainy )?[a-z]+(?: [a-z]+)?$")
@dataclass(frozen=True)
class IntentResult:
    intent: str
    confidence: float
    reason: str
    related_query: str | None = None
    # The router's parse of the message (pleasantries peeled off), for the search or refinement to reuse.
    parsed: Parsed | None = field(default=None, compare=False, repr=False)
    # The follow-up reading (state changes, questions about the results), when there is a previous search.
    followup: FollowUpParse | None = field(default=None, compare=False, repr=False)
    decided_by_followup: bool = False  # the follow-up reading chose the intent (the turn may fall back to search)
    topic_parsed: bool = False  # ``parsed`` is the parse of the follow-up's new topic, not of the whole message

    def to_dict(self) -> dict:
        return {
            "intent": self.intent,
            "confidence": self.confidence,
            "reason": self.reason,
            "related_query": self.related_query,
        }


def _oos(text: str, reason: str, confidence: float, parsed: Parsed, vec=None) -> IntentResult:
    return IntentResult("out_of_scope", confidence, reason, knn.related_query_for(text, vec), parsed=parsed)


@dataclass
class _Pending:
    """Rules could not decide: the embedding vote settles it (default: search)."""

    rest: str
    prefix: str
    parsed: Parsed
    has_previous_search: bool = False
    followup: FollowUpParse | None = None
    # A soft rule's reading: kept unless the learned arbiter is confident of another intent.
    proposal: IntentResult | None = None
    proposed_by_followup: bool = False  # the proposal is the follow-up reading's (overruling it drops it)


def _classify_rules(
    message: str, has_previous_search: bool, shown_titles: Sequence[str] = ()
) -> IntentResult | _Pending:
    message = read_code(fold(message or "")) or message  # "publisher != 'URA'", "compare(SQuAD, TriviaQA)": as said
    followup = parse_followup(message, has_previous_search=True) if has_previous_search else None
    result = _classify_by_rules(message, has_previous_search, followup, shown_titles)
    if followup is not None:
        # Every reading carries the follow-up parse ("monthly", "NEA?"): the turn resolves it, never re-parses.
        if isinstance(result, IntentResult) and result.followup is None:
            result = dataclasses.replace(result, followup=followup)
        elif isinstance(result, _Pending):
            result.followup = followup
            if result.proposal is not None and result.proposal.followup is None:
                result.proposal = dataclasses.replace(result.proposal, followup=followup)
    return result


def _classify_by_rules(
    message: str, has_previous_search: bool, followup: FollowUpParse | None, shown_titles: Sequence[str] = ()
) -> IntentResult | _Pending:
    words, breaks = split_words(message)
    if not words:
        return IntentResult("smalltalk", 0.5, "empty message")
    rest_words, had_smalltalk = peel_smalltalk(list(words), breaks)
    if not rest_words:
        return IntentResult("smalltalk", 0.95, "greeting, thanks or goodbye")
    rest = " ".join(rest_words)
    if had_smalltalk and _GREETING_FROM.match(rest) and not DATA_WORDS.search(rest):
        return IntentResult("smalltalk", 0.9, "a greeting from somewhere")  # "good morning from Tampines!"
    prefix = "after a pleasantry: " if had_smalltalk else ""
    has_data_words = bool(DATA_WORDS.search(rest))
    if had_smalltalk and "?" not in message and session_remark(rest):
        return IntentResult("smalltalk", 0.85, "a greeting and a remark about the session")
    if "?" not in message and thanks_and_remark(fold(message), rest, has_data_words=has_data_words):
        return IntentResult("smalltalk", 0.85, "thanks or a reaction and a remark, no request")
    parsed = parse(rest)
    switching = followup is not None and bool(followup.topic_switch)  # the new topic is judged by itself below
    if not switching and ANALYSIS_TASK.search(rest) and not CAPABILITY_PROBE.search(rest):
        return _oos(rest, prefix + "analysis the assistant cannot do", 0.85, parsed)  # "plot the first one"
    if not switching and ONE_FIGURE.search(rest):
        return _oos(rest, prefix + "one figure, not data", 0.85, parsed)  # "what's the population now, just the number"
    if not switching and PROGRAMMING_HELP.search(rest):
        return _oos(rest, prefix + "programming help", 0.85, parsed)
    if not switching and WRITING_COMMAND.match(rest):
        return _oos(rest, prefix + "a text to write", 0.85, parsed)
    if has_previous_search and RESULTS_COMMENT.match(fold(rest)):
        return IntentResult("smalltalk", 0.85, prefix + "a comment on the results, no request", parsed=parsed)
    if has_previous_search and SORT_REQUEST.search(rest):
        return IntentResult("refine", 0.9, prefix + "a new order for the results", parsed=parsed)
    if followup is not None and (
        CAPABILITY_ABOUT_ITSELF.search(rest) or (CAPABILITY_STRONG.search(rest) and not RESULT_POINTER.search(rest))
    ):
        # "do you hallucinate datasets?", "how current is the info you hold?" while results are shown: about the
        # assistant, not the results ("how often is #3 updated?" points at one and stays a follow-up).
        return IntentResult("capabilities", 0.85, prefix + "question about the assistant", parsed=parsed)
    if FACILITY_LOCATIONS.search(rest) and not NEAR_ME.search(rest) and not RESULT_POINTER.search(rest):
        return IntentResult("search", 0.85, prefix + "where a kind of facility is: location data", parsed=parsed)
    if not has_previous_search and SERIES_QUESTION.search(rest) and not NEAR_ME.search(rest):
        return IntentResult("search", 0.85, prefix + "a figure over time: a data series", parsed=parsed)
    if (
        (DATA_REQUEST.search(rest) or STATISTIC_REQUEST.search(rest) or TOPIC_HEAD.match(fold(message).strip()))
        and not (
            OOS_STRONG.search(rest)
            or OOS_WEAK.search(rest)
            or NEAR_ME.search(rest)
            or CAPABILITY_ABOUT_ITSELF.search(rest)
        )
        and _followup_is_not_change(followup)
    ):
        return IntentResult("search", 0.85, prefix + "asks for data on a topic", parsed=parsed)
    if FACT_QUESTION.search(rest):  # a figure to look up; the learned arbiter may still read a request for data
        proposal = IntentResult("out_of_scope", 0.8, prefix + "a question for one fact or figure", parsed=parsed)
        return _Pending(rest, prefix, parsed, has_previous_search, followup, proposal=proposal)
    if followup is not None and (decided := _followup_intent(followup, parsed, shown_titles)) is not None:
        if not decided.decided_by_followup:  # a reading the learned arbiter may overrule (see _followup_intent)
            return _Pending(
                rest, prefix, parsed, has_previous_search, followup, proposal=decided, proposed_by_followup=True
            )
        if decided.intent != "search" or not followup.topic_switch:
            return decided  # a state change or a question about the results: the follow-up reading is sure
        topic = _classify_by_rules(followup.topic_switch, False, None)
        if isinstance(topic, IntentResult) and topic.intent in ("out_of_scope", "capabilities"):
            return dataclasses.replace(topic, followup=followup)  # "unrelated, but what's the weather tomorrow"
        # The reading of the topic is the new search's (no text is parsed twice).
        decided = dataclasses.replace(decided, parsed=topic.parsed, topic_parsed=topic.parsed is not None)
        if isinstance(topic, IntentResult) and topic.intent == "search":
            # "another thing: do you have marriage statistics": the rules are sure the topic asks for data
            return decided
        # A new topic may still be something the assistant cannot do; it is judged by the topic alone.
        return _Pending(
            followup.topic_switch,
            prefix,
            topic.parsed or parsed,
            has_previous_search,
            followup,
            proposal=decided,
            proposed_by_followup=True,
        )

    # capabilities
    if CAPABILITY_STRONG.search(rest):
        return IntentResult("capabilities", 0.9, prefix + "question about the assistant", parsed=parsed)
    if CAPABILITY_SOFT.search(rest):
        topic = [w for w in rest_words if w not in lexicon.CAPABILITY_NONTOPIC and len(w) > 1]
        if not topic:
            return IntentResult("capabilities", 0.85, prefix + "question about the catalog's coverage", parsed=parsed)

    # out of scope
    if OOS_STRONG.search(rest):
        if has_data_words:  # "now find me taxi trip data": the arbiter weighs the task against the data words
            proposal = IntentResult("out_of_scope", 0.8, prefix + "a task the assistant cannot do", parsed=parsed)
            return _Pending(rest, prefix, parsed, has_previous_search, proposal=proposal)
        return _oos(rest, prefix + "a task the assistant cannot do", 0.9, parsed)
    if not has_data_words and DEFINITION.search(rest):
        return _oos(rest, prefix + "a definition or explanation", 0.8, parsed)
    if not has_data_words and not STAT_WORDS.search(rest):
        m = OOS_WEAK.search(rest)
        if m and OOS_PLACE_NOUN.search(m.group(0)) and not OOS_PLACE_CONTEXT.search(rest):
            m = None  # "hotel occupancy in 2019" is a statistic, not a booking
        if m:
            return _oos(rest, prefix + "live information, shopping or general knowledge", 0.8, parsed)

    # refinements / navigation
    if parsed.has_signal and not parsed.residual:
        if has_previous_search:
            return IntentResult("refine", 0.9, prefix + "follow-up on the previous search", parsed=parsed)
        if parsed.has_filter or parsed.followup_topic or parsed.narrow_topic:
            proposal = IntentResult(
                "search", 0.7, prefix + "filters without a previous search: a first search", parsed=parsed
            )
            return _Pending(rest, prefix, parsed, has_previous_search, proposal=proposal)
        return IntentResult("capabilities", 0.6, prefix + "navigation without a previous search", parsed=parsed)

    # search
    if has_data_words or REQUEST_WORDS.search(rest):
        proposal = IntentResult("search", 0.85, prefix + "asks for data", parsed=parsed)
        return _Pending(rest, prefix, parsed, has_previous_search, proposal=proposal)
    if not [w for w in rest_words if len(w) > 1 or w.isdigit()]:
        return IntentResult("smalltalk", 0.5, "nothing to search for", parsed=parsed)
    return _Pending(rest, prefix, parsed, has_previous_search)


def _names_shown(names: list[str], shown_titles: Sequence[str]) -> bool:
    shown = [targets.Shown(id=i, title=title) for i, title in enumerate(shown_titles)]
    return any(targets.dataset_named(name, shown) is not None for name in names)


def _followup_is_not_change(followup: FollowUpParse | None) -> bool:
    """No exclusion, restriction or question about the results in the message: a data request is a new search."""
    return followup is None or not (
        followup.changes_state or followup.question or followup.same_but or followup.topic_switch
    )


def _names_in_catalog(names: list[str], *, least: int = 2) -> bool:
    """``least`` or more names (at most five) that are exactly a dataset's title, and no more than one that is not:
    a comparison of datasets, not of formats or ideas ("SST vs IMDb Movie Reviews and Yelp reviews" when the catalog
    lacks Yelp's); one field of a dataset ("link for MIMIC-CXR?"), not a general question."""
    wanted = {n.strip().lower() for n in names if n.strip()}
    if not least <= len(wanted) <= 5:
        return False
    query = Q()
    for name in wanted:
        query |= Q(title__iexact=name)
    try:
        found = {t.lower() for t in Dataset.objects.active().filter(query).values_list("title", flat=True)[:50]}
    except DatabaseError:  # the catalog unreachable: the arbiter decides, as without the names
        log.warning("router: catalog titles unavailable", exc_info=True)
        return False
    return len(wanted & found) >= least and len(wanted - found) <= (1 if least > 1 else 0)


# "does it have a paper link?", "is #2 free to use?": whether a result has a field, not a feature of the assistant
_ASKS_OF_RESULT = re.compile(r"\b(?:does|do|is|has|have) (?:it|this one|that one|#\d+|the \w+ one)\b")
# "restrict this to 2018 onwards": a time window that narrows the results, not a value asked of them
_RESTRICTING_VERB = re.compile(r"\b(?:restrict|limit|narrow|filter|confine|cut|keep|only|just)\b")


def _followup_intent(followup: FollowUpParse, parsed: Parsed, shown_titles: Sequence[str] = ()) -> IntentResult | None:
    """Follow-ups the rules below would miss: exclusions, granularity, questions about the results."""
    if followup.topic_switch:
        return IntentResult(
            "search", 0.9, "follow-up: a new topic", parsed=None, followup=followup, decided_by_followup=True
        )
    question = followup.question
    if question is not None:
        # Sure only when it points at the results ("the second one", "these", a title on screen); "explain
        # what a p-value is" or "json vs csv, which is better?" parse as questions too: the arbiter may differ.
        names = [str(ref.value) for ref in question.refs if ref.kind == "name"]
        pointed = any(ref.kind in ("rank", "focus") for ref in question.refs)
        # "does it have a paper link?": one field of the result in focus, not a feature of the assistant
        field_of_result = (
            pointed
            and question.kind in FIELD_KINDS
            and bool(_ASKS_OF_RESULT.search(followup.text))
        )
        sure = (
            pointed
            or question.extend  # "add TriviaQA to that comparison"
            or question.kind == "count"  # "how many are MOM": counted among the results
            or bool(RESULT_REFERENCE.search(followup.text))
            or _names_shown(names, shown_titles)
            or (question.kind == "compare" and _names_in_catalog(names))  # "LIAR vs FakeNewsNet?"
            # "link for MIMIC-CXR?", "details on MPII Human Pose": one dataset the catalog has by that very title
            or (question.kind in (*FIELD_KINDS, "more") and _names_in_catalog(names, least=1))
        ) and (field_of_result or not FEATURE_QUESTION.search(followup.text))
        return IntentResult(
            "refine", 0.85, "follow-up: a question about the results", parsed=parsed, followup=followup,
            decided_by_followup=sure,
        )  # fmt: skip
    if followup.changes_state or followup.same_but:
        # A time window beside a topic of its own ("global inflation rates since 2000") may be a new search.
        only_time = followup.time is not None and not (
            followup.scopes
            or followup.remove_facets
            or followup.undo
            or followup.clear
            or followup.sort
            or followup.same_but
        )
        feature = FEATURE_QUESTION.search(followup.text) and not followup.names_facet_value
        # ... unless it points at the results: "I wonder if you might restrict this to data from 2018 onwards"
        restricts_results = bool(
            RESULT_REFERENCE.search(followup.text)
            and _RESTRICTING_VERB.search(followup.text)
        )  # "which of these is highest in 2020?" asks a value, it restricts nothing
        new_topic = only_time and len(_topic_words(parsed)) >= 2 and not restricts_results
        sure = not new_topic and not feature
        return IntentResult(
            "refine", 0.9, "follow-up: changes the search", parsed=parsed, followup=followup, decided_by_followup=sure
        )
    return None


OVERRULE_PROBABILITY = 0.5  # the arbiter overrules a soft rule only when this sure
SETTLE_PROBABILITY = 0.45  # ... and reads an undecided message as something other than search when this sure
TOPIC_OOS_PROBABILITY = 0.75  # ... and a bare topic, without a question or a command, as out of scope


def _topic_words(parsed: Parsed) -> list[str]:
    """What is left of a message besides its filters and filler words: its own topic."""
    return [w for w in parsed.residual if len(w) > 2 and w not in lexicon.FILLER_WORDS]


GUARD_OVERRIDE_PROBABILITY = 0.8  # the arbiter this sure of a reading goes past the word guards below


def _guarded(intent: str, pending: _Pending, probability: float = 0.0) -> str:
    if intent == "out_of_scope" and pending.parsed.has_signal and not _topic_words(pending.parsed):
        return "search"  # "what about 2020?": nothing but a filter is not a task the assistant refuses
    if probability >= GUARD_OVERRIDE_PROBABILITY and intent in ("out_of_scope", "capabilities"):
        return intent  # "how many MRT lines are there" (a fact), "got dark mode?" (a feature) despite the words
    if intent == "out_of_scope" and STAT_WORDS.search(pending.rest):
        return "search"  # "laptop ownership by household" asks for statistics
    if intent == "capabilities" and not ASSISTANT_REFERENCE.search(pending.rest):
        return "search"  # questions about the assistant mention it or its results
    return intent


def _may_overrule(pending: _Pending, intent: str) -> bool:
    """A follow-up reading (a state change, a question, a new topic) is evidence against the other of
    search / refine: the arbiter may turn it into small talk, a capability question or out of scope only.
    Nor is a request that neither refers to the results nor changes a filter a refinement of them."""
    proposal = pending.proposal
    if proposal is not None and proposal.decided_by_followup:
        if intent == "out_of_scope" and pending.followup is not None and pending.followup.topic_switch:
            # "completely different topic - ship arrivals at the port": a bare topic of figures after a switch asks for
            # their data ("unrelated - any tips for growing orchids?" may still be out of scope)
            return bool(CLAUSE_FORM.match(pending.rest)) or not (
                STAT_WORDS.search(pending.rest) or DATA_WORDS.search(pending.rest)
            )
        return intent not in ("search", "refine")
    if intent == "refine":
        return bool(RESULT_REFERENCE.search(pending.rest) or pending.parsed.has_signal)
    return True


def _settle(pending: _Pending, vec) -> IntentResult:
    default = pending.proposal or IntentResult(
        "search", 0.65, pending.prefix + "topic words: treated as a dataset search",
        parsed=pending.parsed, followup=pending.followup,
    )  # fmt: skip
    if default.intent == "out_of_scope":  # a soft task rule: offer a related catalog topic as the hard rule does
        default = _oos(pending.rest, default.reason, default.confidence, pending.parsed, vec)
    if vec is None:
        return default
    prediction = model.predict(pending.rest, vec, pending.has_previous_search)
    if prediction is None:  # no arbiter: the nearest labelled examples vote
        intent, share, top = knn.vote(vec, pending.has_previous_search)
        intent = _guarded(intent, pending)
        if pending.proposal is not None or top < knn.KNN_MIN_SIM or intent == "search":
            return default
        detail = f"{pending.prefix}nearest labelled examples say {intent} ({share:.0%} of the vote, top {top:.2f})"
        confidence = round(min(0.85, 0.4 + 0.4 * share), 2)
    else:
        intent = _guarded(prediction.intent, pending, prediction.probability)
        needed = OVERRULE_PROBABILITY if pending.proposal is not None else SETTLE_PROBABILITY
        if intent == "out_of_scope" and not CLAUSE_FORM.match(pending.rest):
            needed = max(needed, TOPIC_OOS_PROBABILITY)  # a bare topic ("retail prices of rice") is a search
        if intent == default.intent or prediction.probability < needed or not _may_overrule(pending, intent):
            return default
        detail = f"{pending.prefix}learned reading: {intent} (p={prediction.probability:.2f})"
        confidence = round(min(0.9, prediction.probability), 2)
    if intent == "out_of_scope":
        return _oos(pending.rest, detail, confidence, pending.parsed, vec)
    # Overruling a follow-up reading drops it: the turn must not apply "since 2000" of a new search to the old one.
    followup = None if pending.proposed_by_followup else pending.followup
    return IntentResult(intent, confidence, detail, parsed=pending.parsed, followup=followup)


STORY_SENTENCES = 3  # a message of this many sentences or more may tell a story around its request
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _rule_reading(result: IntentResult | _Pending) -> str | None:
    """The intent the rules decided or proposed, None when they left it open."""
    if isinstance(result, IntentResult):
        return result.intent
    return result.proposal.intent if result.proposal is not None else None


_REQUEST_LEAD = re.compile(
    r"^(?:please|pls|kindly|can|could|would|will|write|make|book|buy|order|tell|give|show|find|help|plot|draw|calculate|compute|"
    r"translate|summari[sz]e|draft|send|get|list|what|which|how|who|where|when|why|is|are|do|does|also|and|i need|i want|need|want)\b"
)


def _is_remark(sentence: str) -> bool:
    """A sentence that asks for nothing: no question, no request ("Last time I buy my car COE only few thousand")."""
    return "?" not in sentence and not _REQUEST_LEAD.match(fold(sentence).strip(" \"'(-"))


def _rules_or_story(message: str, has_previous_search: bool, shown_titles: Sequence[str] = ()) -> IntentResult | _Pending:
    """The rules' reading of a message. A message that tells a story around its request ("I teach a Primary 6 class
    ... What I have in mind is: how much household waste Singapore produces, ...") and that the rules read as asking for
    data stays a search when one of its sentences asks for data and none asks for something the assistant does not
    do: the learned arbiter, which learnt from short messages, does not overrule it on the story."""
    result = _classify_rules(message, has_previous_search, shown_titles)
    sentences = [x for x in _SENTENCE_END.split((message or "").strip()) if x.strip()]
    if isinstance(result, _Pending) and len(sentences) >= 2 and all(_is_remark(x) for x in sentences[1:]):
        # "COE price data got or not? Last time I buy my car COE only few thousand": a request, then a remark
        first = _classify_rules(sentences[0], has_previous_search, shown_titles)
        if isinstance(first, IntentResult) and first.intent == "search" and first.reason.endswith("asks for data on a topic"):
            return dataclasses.replace(first, reason=f"{first.reason}, then a remark")
    if isinstance(result, IntentResult) or result.proposal is None or result.proposal.intent != "search":
        return result
    if len(sentences) < STORY_SENTENCES:
        return result
    readings = [_rule_reading(_classify_rules(x, has_previous_search, shown_titles)) for x in sentences]
    if "search" in readings and not {"out_of_scope", "capabilities"} & set(readings):
        reason = f"{result.proposal.reason}, in a message that tells a story around it"
        return dataclasses.replace(result.proposal, reason=reason)
    return result


def classify(message: str, *, has_previous_search: bool = False, shown_titles: Sequence[str] = ()) -> IntentResult:
    """Classify one chat message (see the module docstring for the rules); ``shown_titles``, the results on
    screen, let a question that names one of them ("how does LFW compare with MegaFace?") be sure."""
    result = _rules_or_story(message, has_previous_search, shown_titles)
    if isinstance(result, IntentResult):
        return result
    try:
        enc = knn.encode([result.rest])
    except Exception:  # model failure at query time: rules' default
        log.exception("intent router: embedding vote failed")
        enc = None
    return _settle(result, None if enc is None else enc[0])


def classify_many(items: list[tuple[str, bool]]) -> list[IntentResult]:
    """Classify (message, has_previous_search) pairs, embedding the undecided ones in one batch."""
    results: list[IntentResult | _Pending] = [_rules_or_story(m, prev) for m, prev in items]
    pending = [i for i, r in enumerate(results) if isinstance(r, _Pending)]
    try:
        enc = knn.encode([results[i].rest for i in pending])
    except Exception:
        log.exception("intent router: embedding vote failed")
        enc = None
    for j, i in enumerate(pending):
        results[i] = _settle(results[i], None if enc is None else enc[j])
    return results  # type: ignore[return-value]
