"""Long messages: the part that says what data is wanted, and a note on what was left out.

The search takes at most ``search.services.MAX_QUERY_CHARS`` characters. A longer message (a pasted
brief, meeting notes) is cut to its request: sentences that ask for data ("I need…", "show me…",
"looking for…") first, then the sentences richest in content words, in their original order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.services import MAX_QUERY_CHARS
from search.text import content_words

GIST_CHARS = 300
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_REQUEST_RE = re.compile(
    r"\b(?:i|we) (?:need|want|am looking for|are looking for|would like|require|am after|are after)\b|"
    r"\b(?:exclude|without|leave out|except|only from|not from|looking for|searching for|show me|find me|give me|point me to|recommend|suggest|any data(?:sets)? (?:on|about|for)|"
    r"data(?:sets)? (?:on|about|for|covering|with)|figures (?:on|for)|statistics (?:on|for)|numbers (?:on|for))\b",
    re.I,
)
_CHATTER_RE = re.compile(
    r"^(?:hi|hello|hey|thanks|thank you|cheers|regards|best|dear|good (?:morning|afternoon|evening))\b|"
    r"\b(?:let me explain|a bit of context|some background|as you know|by the way)\b",
    re.I,
)


@dataclass(frozen=True)
class Gist:
    text: str
    original_chars: int
    shortened: bool

    @property
    def note(self) -> str:
        if not self.shortened:
            return ""
        return (
            f"Your message is long ({self.original_chars:,} characters), so I searched for its gist: “{self.text}”. "
            "If I missed the point, send the key request on its own."
        )


def gist(message: str, *, limit: int = GIST_CHARS) -> Gist:
    text = " ".join((message or "").split())
    if len(text) <= MAX_QUERY_CHARS:
        return Gist(text=text, original_chars=len(text), shortened=False)
    sentences = [s.strip() for s in _SENTENCE_RE.split(message or "") if s.strip()]
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
