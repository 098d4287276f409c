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


_PARTICLES = frozenset(["lah", "leh", "lor", "hor", "liao"])  # not "meh": also an adjective


def peel_smalltalk(words: list[str], breaks: set[int] | None = None) -> tuple[list[str], bool]:
    """Strip pleasantries from both ends; returns (remaining words, whether anything was stripped)."""
    breaks = breaks or set()
    if any(w in _PARTICLES for w in words):  # "ok lah never mind, thanks ah": Singlish particles carry no request
        kept = [i for i, w in enumerate(words) if w not in _PARTICLES]
        breaks = {sum(1 for k in kept if k < b) for b in breaks}
        words = [words[i] for i in kept]
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


# Thanks, then a remark about the user's own plans and no request: "much appreciated, I shall relay these to the
# councillor", "appreciated, this saves me hours", "thanks, shift starting, ttyl"
_THANKS_LEAD = re.compile(r"^\W*(?:thanks|thank you|thx|ty|tq|cheers|(?:much |greatly )?appreciated|many thanks|great|perfect|awesome)\b")
_GOODBYE_END = re.compile(r"\b(?:bye|goodbye|ttyl|see you|cya|later|gtg|got to go|signing off)\W*$")
_OWN_REMARK = re.compile(r"^(?:i|we|this|that|it|these|those|they|you|u|my|our)\b")
_REQUEST_IN_REMARK = re.compile(
    r"\b(?:need|needs|want|wants|looking|look|search|find|show|give|get|send|like|interested|after|require|requires|could|can|"
    r"would|please|pls|only|exclude|remove|drop|also|too|more|another|any|some|compare|which|what|who|how|where|when|why|now|"
    r"next|instead|but|grateful|appreciate|kindly)\b"
)


# A reaction first, then a remark and no request: "ha, that's a lot of SDCP layers", "neat, hadn't seen SONYC before",
# "bruh that list is wild", "good, that's the series I was after", "brb, investor call"
_REACTION_LEAD = re.compile(
    r"^(?:ha+|hah|haha+|heh|hehe+|hmm+|hm+|wow|whoa|woah|oh|ooh|ah|lol|lmao|bruh|noted|good|nice(?: one)?|neat|sweet|cool|excellent"
    r"|lovely|brilliant|wonderful|interesting|splendid|superb|much obliged|fair enough|gotcha|brb|gtg|afk)\b"
    r"(?! (?:morning|afternoon|evening|night|day|mornin)\b)\s*"
)
_AWAY_LEAD = re.compile(r"^(?:brb|gtg|afk)\b")  # "brb, investor call": whatever short remark follows is no request
_REMARK_OPENING = re.compile(
    r"^(?:did not|had not|have not|has not|didn't|hadn't|haven't|hasn't|never|exactly|same|just what|what an?|always|such|so many"
    r"|so much|quite|very|really|super|extremely|incredibly|(?:for|with) (?:the|my|our|this|that)(?: \w+){1,3}$)\b"
)
# A pronoun opening a remark must have its verb: "that settles it" is a remark, "those from NEA" a request.
_PRONOUN_OPENING = re.compile(r"^(?:this|that|these|those|it|they)\b")
_REMARK_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|looks?|seems?|helps?|settles?|surprises?|makes?|works?|covers?|feels?|sounds?|will"
    r"|would|should|could|did|does|do|always|never)\b|'s\b"
)
# What the user wanted, said in the past: "exactly what I needed", "the series I was after" (no request)
_OWN_WANT = re.compile(
    r"\b(?:exactly |just )?what (?:i|we) (?:needed|wanted|was after|were after|was looking for|were looking for|had in mind"
    r"|expected|hoped for)\b|\b(?:i|we) (?:was|were) (?:after|looking for)\b|\b(?:show|turn|pop|come)(?:s|ed|ing)? up\b"
)


# After a greeting, a remark about the session and no request: "back again with more audio questions", "quick session
# before my model run finishes", "coffee is kicking in, let's go", "(what a pleasure) to find such a tidy catalogue"
_SESSION_REMARK = re.compile(
    r"^(?:(?:(?:i am |we are |me )?back(?: again)?|(?:it is )?(?:just )?me(?: again)?|good to be back)(?: (?:with|for))?(?: (?:more|some more|a few more)"
    r" (?:[\w-]+ ){0,2}questions)?|(?:with )?(?:more|some more|a few more) (?:[\w-]+ ){0,2}questions"
    r"|(?:just )?(?:a )?quick (?:session|one|chat|visit|look)(?: (?:before|while|today|this|between|again)\b.*)?"
    r"|(?:the |my )?(?:coffee|tea|caffeine)(?:'s| is| has)? (?:kicking|kicked|working|in|time|break)\b.*"
    r"|(?:another|long|busy|slow|big|early|late) (?:day|week|morning|night|session|shift)\b.*"
    r"|to (?:find|see|use|have) (?:such )?(?:an? )?(?:\w+ )?(?:tidy|clean|nice|great|good|useful|helpful|well organi[sz]ed|neat)"
    r" (?:catalogue|catalog|tool|site|assistant|app|service|search))$"
)
_SESSION_REQUEST = re.compile(r"\b(?:need|want|looking|find|show|give|get|search|only|exclude|remove|data|dataset|datasets)\b")


def session_remark(rest: str) -> bool:
    """A remark about the session after a greeting (``rest``: the message without its pleasantries), no request in it."""
    rest = re.sub(r",?\s*let us (?:go|begin|start|get started|do this)$", "", rest).strip()  # "..., let's go"
    if not rest:
        return True
    return bool(_SESSION_REMARK.match(rest)) and not _SESSION_REQUEST.search(rest.replace("to find such", ""))


def thanks_and_remark(folded: str, rest: str, *, has_data_words: bool) -> bool:
    """Thanks or a reaction first, then a remark (about the user's own plans, the results, or a goodbye) and no request
    in it (``rest``: the message without its pleasantries). After thanks, a remark naming data is a request."""
    thanks = _THANKS_LEAD.match(folded)
    reaction = None if thanks else _REACTION_LEAD.match(re.sub(r"^\W+", "", folded))
    if not (thanks or reaction) or (thanks and has_data_words):
        return False
    remark = _REACTION_LEAD.sub("", rest, count=1).strip()  # the lead, unless peeled already
    if _REQUEST_IN_REMARK.search(_OWN_WANT.sub(" ", remark)):
        return False
    if reaction and _AWAY_LEAD.match(reaction.group(0)):
        return len(remark.split()) <= 4
    if _PRONOUN_OPENING.match(remark) and not _REMARK_VERB.search(remark):
        return False
    return bool(_OWN_REMARK.match(remark) or _REMARK_OPENING.match(remark) or (thanks and _GOODBYE_END.search(folded)))


register_pattern_words(
    (_COMPLIMENT, _BREAK_RE, _REACTION_LEAD, _REMARK_OPENING, _REMARK_VERB, _OWN_WANT, _SESSION_REMARK, _GOODBYE_END, _THANKS_LEAD)
)
