"""Long messages: the part that says what data is wanted, and a note on what was left out.

The search takes at most ``search.services.MAX_QUERY_CHARS`` characters. A longer message (a pasted
brief, meeting notes) is cut to its request: the sentences that ask for data ("I need…", "show me…", "could you please find…",
"what I am hoping to find is…"), without their polite lead-in; when they say too little, the sentences richest in
content words join them, in their original order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.services import MAX_QUERY_CHARS
from search.text import content_words

GIST_CHARS = 300
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_ASK_VERBS = "find|look for|search for|locate|get|dig up|track down|identify|recommend|suggest|list"
# A request put to the assistant, up to its verb: "could you please help me ...", "if you would ..."
_ASK_PREFIX = (
    r"(?:(?:could|can|would|will) you|if you (?:could|would|can))(?: please| kindly| therefore| then| now| also| just)*"
    r"(?: help me| help us)? "
)
# A long message's own summary of what it wants: "So: weekly dengue case data, no maps.", "In short, ..."
_SUMMARY_LEAD_RE = re.compile(
    r"^(?:so|in short|in summary|to sum up|to summari[sz]e|summing up|bottom line|tl;?dr|summary|in a nutshell|basically|"
    r"long story short|the ask|my ask|ask|request)\s*[:\u2013\u2014-]\s*",
    re.I,
)
_REQUEST_RE = re.compile(
    r"\b(?:i|we) (?:need|want|am looking for|are looking for|would like|require|am after|are after)\b|"
    r"\b(?:exclude|without|leave out|except|only from|not from|looking for|searching for|show me|find me|give me|point me to|recommend|suggest|any data(?:sets)? (?:on|about|for)|"
    r"data(?:sets)? (?:on|about|for|covering|with)|figures (?:on|for)|statistics (?:on|for)|numbers (?:on|for))\b|"
    # "could you please help me find ...", "what I am hoping to find is ...", "please look for information on ..."
    rf"\b(?:{_ASK_PREFIX}(?:{_ASK_VERBS}|point me)"
    r"|(?:hoping|trying|wanting|want|wish|like) to (?:find|locate|get hold of|track down)|help (?:me|us)(?: to)? (?:find|locate|get)"
    r"|(?:please|kindly) (?:find|look for|search for|locate|send me)"
    r"|what (?:data|datasets|statistics|figures|information) (?:do|can|could) you (?:have|find|offer|show me))\b(?! (?:it|them|this|that|these|those|out)\b)",
    re.I,
)
# The polite lead-in of a request sentence, up to what is asked for: "So, if it is not too much trouble, could you please
# look for information on poverty ..." -> "information on poverty ..."
_REQUEST_LEAD_RE = re.compile(
    rf"^.{{0,160}}?\b(?:{_ASK_PREFIX}(?:{_ASK_VERBS})"
    r"(?: me| us)?|(?:hoping|trying|wanting|want|wish|like) to find|help (?:me|us) (?:find|locate|get)|(?:please|kindly) (?:find|look for|search for|locate))"
    r"(?: out)?(?:,? if (?:you would be so kind|possible|you can|it is not too much trouble))?[,:]?\s+(?:is\s+)?",
    re.I,
)
REQUEST_ONLY_MIN_CHARS = 20  # requests saying less than this take the richest other sentences along
_CHATTER_RE = re.compile(
    r"^(?:hi|hello|hey|thanks|thank you|cheers|regards|best|dear|good (?:morning|afternoon|evening))\b|"
    r"\b(?:let me explain|a bit of context|some background|as you know|by the way)\b",
    re.I,
)


_NEGATION_RE = re.compile(r"\b(?:not|no|never|nor|neither|without|rather than)\b|n't\b", re.I)
# Courtesy that carries a "not" without saying what is unwanted: "if it is not too much trouble", "I don't mind"
_COURTESY_RE = re.compile(
    r"\bif (?:it is|it's|that is|that's) not too much (?:trouble|bother)|\bif you (?:do not|don't|would not|wouldn't) mind"
    r"|\b(?:i|we) (?:do not|don't) mind\b|\bnot at all\b",
    re.I,
)
_GENERIC_WORDS = frozenset(
    ["data", "dataset", "datasets", "information", "info", "relevant", "useful", "figure", "figures", "number", "numbers",
     "statistic", "statistics", "collection", "collections", "agency", "publish", "possible", "thing", "things", "something",
     "anything", "list", "help", "kind", "sort"]
)  # fmt: skip


# A request put to the assistant ("could you find me ...", "what I would like is ...") rather than about the writer's
# own plans ("I would like to include a short piece ...").
_DIRECT_ASK_RE = re.compile(
    rf"\b(?:{_ASK_PREFIX}(?:{_ASK_VERBS})"
    r"|(?:please|kindly|if you (?:could|would)) (?:leave out|exclude|remove|drop|take out|take off|set aside)"
    r"|what (?:data|datasets|statistics|figures|information) (?:do|can|could) you (?:have|find|offer|show me)"
    r"|(?:please|kindly) (?:find|look for|search for|locate)|what (?:i|we) (?:would like|am hoping to find|are hoping to find|need|want)"
    r"(?:,[^,]{0,40},)? (?:is|are))\b",
    re.I,
)


TOPICAL_CAP = 10  # a long sentence about the writer's plans does not outweigh a request put to the assistant


def _request_score(sentence: str, position: int, count: int) -> float:
    """How much a request sentence names (its topical words, up to ``TOPICAL_CAP``), more when it is put to the
    assistant, less for a negation, a little more the later it comes."""
    topical = [w for w in content_words(sentence) if w not in _GENERIC_WORDS]
    return (
        min(len(topical), TOPICAL_CAP)
        + (8 if _DIRECT_ASK_RE.search(sentence) else 0)
        + (12 if _SUMMARY_LEAD_RE.match(sentence) else 0)  # the message's own summary, its "no maps" included
        - (4 if _NEGATION_RE.search(_COURTESY_RE.sub(" ", sentence)) else 0)
        + position / max(1, count)
    )


# Where a request sentence's main clause ends: an aside after a dash or semicolon, a reason, a hedge, a bracket.
_ASIDE_RE = re.compile(r"\s[-\u2013\u2014]+\s|;\s|\s\(|,?\s+(?:but|because|although|though|ideally|preferably|so that)\b", re.I)


@dataclass(frozen=True)
class Gist:
    text: str
    original_chars: int
    shortened: bool
    followup: bool = False  # the change a long follow-up asks for (``followup_request``), not a search
    # The main clause of the request a long message was cut to ("What I need is GDP" of "What I need is GDP - ideally
    # in a consistent currency, but ..."): what it asks for, without the asides that can read as something else.
    request: str = ""

    @property
    def note(self) -> str:
        if not self.shortened:
            return ""
        if self.followup:
            return f"Your message is long ({self.original_chars:,} characters), so I acted on its request: “{self.text}”."
        return (
            f"Your message is long ({self.original_chars:,} characters), so I searched for its gist: “{self.text}”. "
            "If I missed the point, send the key request on its own."
        )


# A list item's mark at the start of a line: "- IMF only", "* link?", "• compare the two"
_BULLET_RE = re.compile(r"^[ \t]*(?:[-*\u2022\u2023\u2043\u2013\u2014]|\d{1,2}[.)])[ \t]+", re.M)


def unbulleted(message: str) -> str:
    """A message written as a bulleted list, its items as clauses of one message ("- drop WMT\n- link?" reads
    "drop WMT; link?"); any other message as it is."""
    if not _BULLET_RE.search(message):
        return message
    lines = [_BULLET_RE.sub("", line, count=1).strip() for line in message.splitlines()]
    return "; ".join(line.rstrip(";,") for line in lines if line)


def gist(message: str, *, limit: int = GIST_CHARS, followup: bool = False) -> Gist:
    """What a message asks for; with ``followup`` (results are on screen) a long message that asks for a change to
    them is read by that request (``followup_request``)."""
    message = unbulleted(message or "")
    text = " ".join(message.split())
    if followup and (asked := followup_request(message)):
        return Gist(text=asked, original_chars=len(text), shortened=True, followup=True)
    if len(text) <= MAX_QUERY_CHARS:
        return Gist(text=text, original_chars=len(text), shortened=False)
    sentences = [s.strip() for s in _SENTENCE_RE.split(message or "") if s.strip()]
    requests = list(dict.fromkeys(" ".join(s.split()) for s in sentences if _REQUEST_RE.search(s)))
    if requests:
        # What is asked for, without the courtesy around it: the context (who is asking, and why) only pulls the search
        # elsewhere. The request that names the most leads (a "not" says what is not wanted; a long message builds up to
        # its "So, could you ..."); the next ones join while it says too little.
        asked = [_REQUEST_LEAD_RE.sub("", _SUMMARY_LEAD_RE.sub("", s, count=1), count=1) or s for s in requests]
        ranked = sorted(range(len(asked)), key=lambda k: (-_request_score(requests[k], k, len(asked)), -k))
        picked = [ranked[0]]
        for k in ranked[1:]:
            if sum(len(asked[j]) for j in picked) >= REQUEST_ONLY_MIN_CHARS:
                break
            picked.append(k)
        short = " ".join(asked[k] for k in picked)  # the best first: a cut at the limit keeps it
        if len(short) >= REQUEST_ONLY_MIN_CHARS:
            short = short[:limit].rsplit(" ", 1)[0] if len(short) > limit else short
            clause = _ASIDE_RE.split(_SUMMARY_LEAD_RE.sub("", requests[ranked[0]]), maxsplit=1)[0].strip(" ,.:")
            return Gist(text=short, original_chars=len(text), shortened=True, request=clause)
    scored = []
    seen: set[str] = set()
    for position, sentence in enumerate(sentences):
        key = " ".join(sentence.lower().split())
        if key in seen:
            continue  # pasted text repeats itself
        seen.add(key)
        words = content_words(sentence)
        score = len(words) + (25 if _REQUEST_RE.search(sentence) else 0) - (6 if _CHATTER_RE.search(sentence) else 0)
        scored.append((score, position, " ".join(sentence.split())))
    chosen: list[tuple[int, str]] = []
    used = 0
    for score, position, sentence in sorted(scored, key=lambda t: (-t[0], t[1])):
        if score <= 1 and chosen:
            break
        if used and used + len(sentence) + 1 > limit:
            continue
        chosen.append((position, sentence[: limit - used] if len(sentence) > limit - used else sentence))
        used += len(sentence) + 1
        if used >= limit:
            break
    short = " ".join(sentence for _p, sentence in sorted(chosen)).strip()
    short = short[:MAX_QUERY_CHARS].rsplit(" ", 1)[0] if len(short) > MAX_QUERY_CHARS else short
    return Gist(text=short or text[:limit].rsplit(" ", 1)[0], original_chars=len(text), shortened=True)


# --- long follow-ups -----------------------------------------------------------------------------------------------

LONG_FOLLOWUP_WORDS = 60  # a follow-up longer than this is read by the sentences that ask for the change
# What changes the results on screen ...
_CHANGE_RE = re.compile(
    r"\b(?:remove|drop|exclude|skip|take (?:out|off)|leave out|hide|filter out|get rid of|keep (?:only|just|it to|to)|"
    r"only (?:keep|show|the|include)|just (?:the|keep|show)|narrow|restrict|limit|put (?:[\w.+-]+ ){0,3}back|"
    r"bring (?:[\w.+-]+ ){0,3}back|show (?:me )?only|stick to|confine|(?:monthly|quarterly|annual|weekly|daily) (?:ones|series|versions?) only)\b",
    re.I,
)
# ... put to the assistant ("could you please ...", "so please just ...", "what I'd like you to do is: ...")
_ASKED_RE = re.compile(
    r"\b(?:please|pls|kindly|could you|can you|would you|will you|(?:i|we) ?(?:would|'d) like you to|(?:i|we) want you to|"
    r"what (?:i|we) ?(?:would|'d) like (?:you to do|is))\b",
    re.I,
)
_ASK_LEAD_RE = re.compile(
    r"^(?:(?:so|and|now|then|ok|okay|right|concretely|basically|in short|in other words)[,:]?\s+)*"
    r"(?:(?:here is |here's )?what (?:i|we) ?(?:would|'d) like(?: you to do)?(?: is)?[:,]?\s+|(?:could|can|would|will) you(?: please| kindly)?\s+|"
    r"(?:i|we) ?(?:would|'d) like you to\s+|(?:please|pls|kindly)\s+)*",
    re.I,
)



_KEEP_TOPIC_RE = re.compile(r"\b(?:same topic|new search|anything new|change the topic|start a new|the topic is the same)\b", re.I)


def followup_request(message: str) -> str | None:
    """The change a long follow-up asks for: its sentences that ask the assistant to change the results ("So please
    just remove the Kinetics ones ..."), without the story around them and their polite lead-in; None when the message
    is short or asks for no change in so many words."""
    if len((message or "").split()) <= LONG_FOLLOWUP_WORDS:
        return None
    sentences = [" ".join(s.split()) for s in _SENTENCE_RE.split(message) if s.strip()]
    asked = [s for s in sentences if _CHANGE_RE.search(s) and _ASKED_RE.search(s)]
    # "please keep it to the same topic, I don't need anything new" says what must not change
    asked = [s for s in asked if not _KEEP_TOPIC_RE.search(s)] or asked
    if not asked:
        return None
    # The request is what a long message builds up to: the last such sentence, cut at an aside (" - ", "; ", "because").
    clause = re.split(r"\s[-\u2013\u2014]+\s|;\s|,?\s+because\s", asked[-1])[0]
    return _ASK_LEAD_RE.sub("", clause).strip() or None


_CLOSING_LEAD_RE = re.compile(r"^(?:(?:anyway|anyhow|so|but|ok|okay|right|well|now)\b[\s,:;.\u2013\u2014-]*)+", re.I)


def closing_question(message: str) -> str | None:
    """The question a chatty message ends with ("Splendid! Back when I started out ... Which of these goes back the
    furthest?", "... Smelled terrible. Anyway - what formats does the first one come in?"); None for a message of one
    sentence or one that does not end with a question."""
    sentences = [" ".join(s.split()) for s in _SENTENCE_RE.split(unbulleted(message or "")) if s.strip()]
    if len(sentences) < 2 or not sentences[-1].endswith("?"):
        return None
    last = re.split(r"\banyway\b[\s,:;\u2013\u2014-]*", sentences[-1], flags=re.I)[-1]
    return _CLOSING_LEAD_RE.sub("", last).strip() or None

