"""The built-in responder: the grounded answer to a search (conversation.builtin_answer, re-exported
here) and the replies to messages that are not searches — smalltalk, capabilities, out of scope.

Deterministic and template-based, with no network: phrasings vary with a hash of the message.
"""

from __future__ import annotations

from django.db.models import Count, Q

from catalog.models import Dataset, Source

from .builtin_answer import (
    EXTERNAL_PORTALS,
    PICKS_MAX,
    Answer,
    _choose,
    _join,
    _quote,
    builtin_answer,
    pick_why,
    picks_from_results,
    results_are_weak,
    search_elsewhere_links,
)

__all__ = [
    "CAPABILITY_TOPICS",
    "EXTERNAL_PORTALS",
    "PICKS_MAX",
    "Answer",
    "builtin_answer",
    "capabilities_reply",
    "out_of_scope_reply",
    "pick_why",
    "picks_from_results",
    "results_are_weak",
    "search_elsewhere_links",
    "smalltalk_reply",
]

_GREETING = ("hi", "hello", "hey", "good morning", "good afternoon", "good evening", "howdy", "greetings", "yo")
_THANKS = ("thank", "thx", "cheers", "appreciate", "great", "awesome", "perfect", "nice")
_BYE = ("bye", "goodbye", "see you", "see ya", "later", "good night", "that's all", "thats all")


def smalltalk_reply(message: str) -> str:
    text = message.strip().lower()
    if any(word in text for word in _BYE):
        options = [
            "Goodbye! Come back any time you need data.",
            "Bye for now — your conversation will be here if you want to pick it up again.",
            "Take care! Happy researching.",
        ]
        salt = "bye"
    elif any(word in text for word in _THANKS):
        options = [
            "You're welcome! Tell me if you want to narrow the results or look for something else.",
            "Glad to help. Anything else you'd like to find?",
            "Happy to help — ask away if you need more data.",
        ]
        salt = "thanks"
    elif any(text.startswith(word) for word in _GREETING):
        options = [
            "Hello! I help you find open datasets. Tell me what you're researching, for example "
            "“HDB resale prices by town”.",
            "Hi there! Describe the data you need and I'll search the catalog for it.",
            "Hey! What topic are you looking for data on? Try something like “rainfall 2023”.",
        ]
        salt = "hello"
    else:
        options = [
            "I'm here to help you find datasets. What are you researching?",
            "Happy to chat, but I'm best at finding data. What topic are you working on?",
        ]
        salt = "other"
    return _choose(options, message, salt)


def _sources_sentence() -> str:
    sources = (
        Source.objects.annotate(active=Count("datasets", filter=Q(datasets__status=Dataset.Status.ACTIVE)))
        .filter(active__gt=0)
        .order_by("-active", "name")
    )
    parts = [f"{s.name} ({s.active:,} datasets)" for s in sources[:8]]
    if not parts:
        return "The catalog is empty at the moment."
    return f"The catalog currently holds data from {_join(parts)}."


CAPABILITY_TOPICS = {
    "dates": ("undated", "no date", "without date", "without coverage", "no coverage", "missing date", "dates not stated"),
    "memory": ("remember", "last search", "previous search", "my history", "search history", "recall"),
    "ranking": (
        "rank",
        "ranking",
        "score",
        "order",
        "relevan",
        "how do you search",
        "how does search",
        "algorithm",
        "semantic",
        "decide",
        "work",
    ),
    "api": ("api", "programmatic", "endpoint", "rest", "token", "curl"),
    "sources": ("source", "where", "portal", "catalog", "which data", "coverage", "how many", "cover", "world bank", "global"),
    "filters": ("filter", "narrow", "refine", "format", "publisher", "year", "only"),
}


def capabilities_reply(message: str) -> str:
    text = message.lower()
    topic = next((name for name, words in CAPABILITY_TOPICS.items() if any(w in text for w in words)), "general")
    if topic == "sources":
        return (
            _sources_sentence() + " Singapore's government portal, global indicators from international "
            "organisations and research datasets are all searched together."
        )
    if topic == "dates":
        return (
            "When you limit the years (“covering 2019”, “nothing that ends before 2010”), datasets whose coverage "
            "overlaps them stay, and datasets without stated dates are kept and marked “dates not stated” rather than "
            "silently dropped; research datasets rarely state dates."
        )
    if topic == "memory":
        return (
            "Yes: each conversation keeps its search, its filters (shown as chips you can remove) and the results you "
            "saw, so “only the CSV ones” or “the second one” refer to them. Signed-in users find earlier "
            "conversations and searches under History."
        )
    if topic == "ranking":
        return (
            "Each search combines keyword matching (BM25) with a sentence-embedding model that understands "
            "meaning, then re-ranks with catalog signals: metadata quality, link health, freshness and "
            "geography (Singapore data first when you ask about Singapore). Every result says why it matched."
        )
    if topic == "api":
        return (
            "Everything here is also a REST API: GET /api/search?q=… for ranked results, POST /api/conversation "
            "to chat, POST /api/ai-search for results plus a grounded answer, and /api/conversations and "
            "/api/history for your own records. The full schema is at /api/docs/."
        )
    if topic == "filters":
        return (
            "After a search you can narrow it in plain words: “only the CSV ones”, “just from NEA”, "
            "“what about 2020?”, “more like the second one”, “next page” or “sort by most recent”. "
            "Filters cover source, publisher, format, theme, years and geography."
        )
    return (
        "I find open datasets for your research. Describe what you need in plain words — "
        "“HDB resale prices since 2015”, “Singapore transport datasets” — and I'll rank matching datasets "
        "from the catalog, explain why each fits and summarise the best picks. You can then refine the "
        "results (format, publisher, years, more like one result). " + _sources_sentence()
    )


def out_of_scope_reply(message: str, related: list[dict] | None = None) -> str:
    opening = _choose(
        [
            "That's outside what I can help with — I only search open datasets.",
            "Sorry, I can't help with that: my job is finding open datasets.",
            "I'm afraid that's not something I can do; I'm a dataset search assistant.",
        ],
        message,
        "oos",
    )
    offer = (
        "I can find government statistics, international indicators and research datasets on topics "
        "such as prices, housing, transport, health and the environment."
    )
    if related:
        top = related[0]
        publisher = f" from {top['publisher']}" if top.get("publisher") else ""
        return (
            f"{opening} {offer} A related dataset in the catalog is {_quote(top.get('title', ''))}{publisher}, "
            "which might still help."
        )
    return f"{opening} {offer} Tell me what data you're looking for."
