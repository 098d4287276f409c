"""Pleasantries: the words of a message and the greetings, thanks and goodbyes peeled off its ends."""

from __future__ import annotations

import re

from conversation import lexicon
from conversation.nlu import normalise, register_pattern_words
from search.text import fold

_SMALLTALK = sorted(
    {tuple(normalise(p, correct=False).split()) for p in lexicon.SMALLTALK_PHRASES if p.strip()},
    key=len,
    reverse=True,
)
# A compliment is small talk too: "this is so helpful", "you rock".
_COMPLIMENT = re.compile(
    r"^(?:(?:i )?(?:just )?(?:wanted|want|wish) to say (?:that )?|i (?:must|have to|gotta) say (?:that )?|i think )?"
    r"(?:this|that|it|you|u|(?:the|this|that|these) (?:answer|results?|search|list|selection|datasets?|tool|site|website|app|assistant|service|catalog|catalogue|bot|chatbot|thing))(?: is| are| was| were| has been| have been)?"
    r"(?: (?:so|really|very|super|quite|truly|a|an|the|such an?|most))*"
    r" (?:great|good|awesome|amazing|helpful|useful|perfect|star|genius|legend|lifesaver|best|fine|brilliant|excellent"
    r"|nice|cool|fantastic|wonderful|incredible|smart|clever|rock|rocks|rocked|helped|helps|worked|works|ok|okay|neat|handy|superb"
    r"|lovely|tidy|impressive"
    r"|spot on|on point)(?: for (?:me|us|my \w+|our \w+))?(?: (?:thanks|thank you|cheers|mate|buddy))?$"
    # "my student will be delighted", "my boss will be pleased"
    r"|^(?:(?:my|our) \w+|he|she|they|he'll|she'll|they'll) (?:(?:will|would|is going to|are going to) )?be (?:so |very |really )?"
    r"(?:delighted|pleased|happy|thrilled|glad|grateful)$"
    r"|^(?:(?:my|our) \w+|he|she|they|he'll|she'll|they'll) (?:(?:will|would|is going to|are going to) )?(?:love|like|appreciate|be impressed by) (?:this|that|it|these|them)$"
)
_BULLETS = frozenset({"-", "--", "*", "\u2022", "\u2013", "\u2014", ">"})
# Punctuation that breaks a message into parts ("good, now ..." peels "good"; "good schools" does not).
_BREAK_RE = re.compile(r"[,!?;:()]+|\.(?=\s|$)|\s[-\u2013\u2014]+\s")


def split_words(message: str) -> tuple[list[str], set[int]]:
    """Normalised words plus the word positions right after a punctuation break in the original."""
    chunks = _BREAK_RE.split(fold(message or ""))
    words: list[str] = []
    breaks: set[int] = set()
    for chunk in chunks:
        part = [w for w in normalise(chunk).split() if w not in _BULLETS]  # "- also: ..." (a bullet says nothing)
        if part:
            words.extend(part)
            breaks.add(len(words))
    return words, breaks


def peel_smalltalk(words: list[str], breaks: set[int] | None = None) -> tuple[list[str], bool]:
    """Strip pleasantries from both ends; returns (remaining words, whether anything was stripped)."""
    breaks = breaks or set()
    if words and _COMPLIMENT.match(" ".join(words)):
        return [], True  # "these results are great": the whole message, before "great" is peeled off its end
    stripped = False
    changed = True
    offset = 0  # how many words were peeled off the front (to map positions onto ``breaks``)
    while changed and words:
        changed = False
        for phrase in _SMALLTALK:
            n = len(phrase)
            if tuple(words[:n]) == phrase:
                if phrase in lexicon.WEAK_LEADS and len(words) > n and (offset + n) not in breaks:
                    if peel_smalltalk(words[n:])[0]:
                        continue  # "good schools near me": a request, not a pleasantry
                    return [], True  # "ok thank you very much"
                words, changed, stripped = words[n:], True, True
                offset += n
                break
            if n <= len(words) and tuple(words[-n:]) == phrase and len(words) > n:
                words, changed, stripped = words[:-n], True, True
                break
        if not changed and words and stripped and words[0] in lexicon.LEAD_FILLERS:
            words, changed = words[1:], True
            offset += 1
        if not changed and words and stripped and words[-1] in lexicon.TRAIL_FILLERS:
            words, changed = words[:-1], True
        if not changed and stripped and len(words) == 1 and words[0] in lexicon.VOCATIVES:
            words, changed = [], True
    if words and _COMPLIMENT.match(" ".join(words)):
        words, stripped = [], True
    return words, stripped


def rest_text(message: str) -> str:
    """The message as the rules see it: normalised, pleasantries peeled off."""
    words, breaks = split_words(message)
    rest, _ = peel_smalltalk(list(words), breaks)
    return " ".join(rest)


register_pattern_words((_COMPLIMENT, _BREAK_RE))
