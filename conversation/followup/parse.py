"""Reading a follow-up message: what it changes in the search state, or what it asks about the results.

Pure text, no database: the router calls it to tell a follow-up from a new search, and the turn
resolves the phrases it finds (``targets``) against the catalog and the results on screen. Each
message is parsed once.

Negation has a scope: in "no maps please, I need numbers" the cue "no" governs "maps" up to the
clause break; in "leave URA out of this" the target sits between the verb and its particle; in
"annual ones, not quarterly" the cue follows the inclusion. A phrase is only a target once it
resolves to a publisher, source, format, frequency, dataset or title term; otherwise the message is
reported as not understood, never turned into a keyword search for "ones".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from conversation.lexicon import FOLLOWUP_ABBREVIATIONS, table
from search.text import fold

from .questions_parse import Question, parse_question, rank_refs
from .time_parse import TimeWindow, parse_time

_CONTRACTIONS = {
    r"\bdon'?t\b": "do not",
    r"\bdoesn'?t\b": "does not",
    r"\bdidn'?t\b": "did not",
    r"\bcan'?t\b": "cannot",
    r"\bwon'?t\b": "will not",
    r"\bisn'?t\b": "is not",
    r"\baren'?t\b": "are not",
    r"\bi'?d\b": "i would",
    r"\bi'?m\b": "i am",
    r"\bi'?ve\b": "i have",
    r"\bwhat'?s\b": "what is",
    r"\bwho'?s\b": "who is",
    r"\bthat'?s\b": "that is",
    r"\bit'?s\b": "it is",
    r"\blet'?s\b": "let us",
}
_CLAUSE_BREAK = r"(?:[,;!?:]|\.(?=\s|$)|\(|\s[-\u2013\u2014]+\s|\s+(?:but|because|since|as|so|then|and (?:only|just|show|give|keep|i|see|let|tell|what|find|then|check)|i (?:need|want|am|would|only|just|prefer)|only|just|instead|thanks|thank you|please|pls|either|too|as well|anymore|any more)\b|$)"

# "<verb> X" — X is excluded.
_EXCLUDE_PREFIX = re.compile(
    r"\b(?:exclude|excluding|without|w/o|minus|omit|omitting|drop|dropping|remove|removing|skip|skipping|hide|"
    r"hiding|ignore|ignoring|filter out|filtering out|leave out|leaving out|take out|taking out|cut out|cut|scratch|nix|axe|"
    r"zap|bin|trash|kill|take away|delete|erase|forget(?! (?:it|that|this|about it|about that|all that|everything)\b)|"
    r"no need (?:to|for me to) (?:show|see|include|list|keep)(?: me)?|(?:i|we) do not need to see|"
    r"get rid of|lose|rule out|strip out|weed out|throw out|toss|ditch|eliminate|discard|block|mute|"
    r"no more|nothing (?:at all )?(?:from|by|about|on|in)|none (?:from|by|of)|not (?:from|by|published by|made by)|"
    r"anything (?:but|except|other than|besides)|everything (?:but|except|other than|besides)|all but|"
    r"except(?: for)?|other than|apart from|aside from|but not|and not|nothing with|"
    r"(?:i|we) (?:do not|would rather not|would prefer not to|do not really) (?:want|need|care for|like|have|see|use)(?: to see| to have)?(?: any(?:thing)?(?: that comes?| coming)?)?(?: from| of| by)?|"
    r"(?:i|we) (?:cannot|can not|could not|am unable to|are unable to|am not able to|are not able to) (?:use|open|read|handle|"
    r"work with|process|deal with|do anything with|load)(?: any)?|(?:i|we) have no use for|"
    r"(?:i|we) am not interested in|(?:i|we) (?:can|could) do without|spare me|not interested in|not keen on|no need for|do not (?:show|give|include|list|want|need)(?: me| us)?(?: any(?:thing)?)?(?: from| of| by)?|"
    r"not|no)\s+"  # the bare cues last: "not interested in X" is about X
)
# "I already know SQuAD, show me the others": what the user has is what they do not need.
_ALREADY_HAVE = re.compile(
    r"\b(?:i|we) (?:already |have already )?(?:know|have|used|have used|have seen|saw|use|tried|have tried)\s+(.+?)\s*"
    r"(?:,|;|\.|\band\b|\bso\b)\s*(?:so\s+)?(?:show|give|find|list|what|anything|are there|any)\b.*\b(?:others?|else|different|new|alternatives?)\b"
)
# "I know CoNLL-2003 inside out already", "LibriSpeech, I know it well": not needed again.
_KNOWN_ALREADY = re.compile(
    r"\b(?:i|we) (?:already |have already )?(?:have used|have seen|have got|have tried|have worked with|worked with|"
    r"am familiar with|are familiar with|am done with|know|have|use|used)\s+(.+?)\s+(?:very well|well|already|inside out|by heart|"
    r"thoroughly|too well)\b|^(.+?),\s*(?:i|we) (?:already )?(?:know|have|use|used|have seen)\s+(?:it|that|them|this one)"
    r"(?: very well| well| already| inside out| by heart)?\b"
)
# "something that updates in real time", "data refreshed every week"
_FREQUENCY_ASK = re.compile(
    r"\b(?:updat\w*|refresh\w*|publish\w*|releas\w*|report\w*|comes? out|collected|recorded|measured)\s+"
    r"((?:in |on an? |every |each |per |at |a )?(?:real[- ]?time|live|daily|weekly|monthly|quarterly|annually|yearly|"
    r"half[- ]yearly|day|week|month|quarter|year))\b"
)
# "leave X out", "take X out", "keep X out of it", "cut X" — X between verb and particle.
_EXCLUDE_SPLIT = re.compile(
    r"\b(?:leave|take|keep|cut|filter|strip|weed|throw|rule|knock|count|cross|lose|pull|get)\s+(.+?)\s+(?:out|off)\b"
)
# "X not needed", "X are not relevant", "X, no thanks"
_EXCLUDE_POSTFIX = re.compile(
    r"^((?:\S+\s+){0,3}?\S+)\s+out$|"  # "STB out", "the maps out"
    r"^(.+?)\s+(?:(?:is|are)\s+)?(?:not (?:needed|wanted|relevant|useful|helpful|welcome|required)|"
    r"(?:are|is) (?:useless|irrelevant|of no use)|can go|(?:,\s*)?no thanks?)\b"
)
# "MNIST is way too easy", "the HPB stuff is not relevant for me", "X is not what I need": the subject goes.
_EVALUATIVE = re.compile(
    r"(?:^|(?<=[,;.!?])\s*)([^,;.!?]+?)\s+(?:is|are|was|were|seems?|looks?|feels?)\s+(?:(?:way|far|much|a bit|a little|kind of|"
    r"sort of|rather|just|also|too)\s+)*(?:too\s+[a-z-]+|not (?:really |very |that )?(?:relevant|useful|needed|wanted|helpful|"
    r"interesting|important|necessary|applicable|suitable|what (?:i|we) (?:need|want|am after|are after|asked for|am looking for|"
    r"are looking for))|irrelevant|useless|unhelpful|off[- ]topic|unrelated|outdated|out of date|of no use|no use|no good|"
    r"not for (?:me|us))(?=[\s,;.!?]|$)[^,;.!?]*|"
    r"(?:^|(?<=[,;.!?])\s*)([^,;.!?]+?)\s+(?:is|are)\s+(?:already\s+)?(?:familiar|known)\s+to\s+(?:me|us|her|him|them)[^,;.!?]*|"
    r"(?:^|(?<=[,;.!?])\s*)([^,;.!?]+?),?\s+(?:which|that|they|these|those|and they)\s+(?:will not|would not|do not|does not|"
    r"cannot|can not|are not going to|is not going to)\s+(?:work|help|be (?:useful|of use|any good))\s+for\s+(?:me|us)[^,;.!?]*"
)
_INCLUDE_PREFIX = re.compile(
    r"\b(?:only|just|solely|exclusively|purely|nothing but|strictly|restrict(?:ed)?(?: it| this| them| results)? to|"
    r"limit(?:ed)?(?: it| this| them| results)? to|stick to|stick with|keep (?:only|just)|only keep|"
    r"narrow(?: it| this| them)?(?: down)? to|filter (?:to|by|for)|(?:i|we) only (?:want|need|care about)|"
    r"show (?:me )?only|give (?:me )?only|only show(?: me)?|only give(?: me)?|switch to|switch (?:from \S+ )?to|"
    r"(?:i|we) (?:want|need|would like|prefer) (?:only|just))\s+"
)
# "I need numbers", "I'd like the monthly ones": a wish, not a restriction, unless it names a facet value.
_WISH = re.compile(r"\b(?:i|we) (?:want|need|would like|would prefer|prefer|am after|are after)\s+")
_GRANULARITY_WORDS = frozenset(
    w for spec in table("targets.json")["frequencies"].values() for w in spec["words"] if " " not in w
) - {"day", "days", "week", "weeks", "month", "months", "quarter", "quarters", "year", "years"}
# Every way of saying a frequency, multi-word ones too ("per quarter", "month by month").
_FREQUENCY_PHRASES = frozenset(w for spec in table("targets.json")["frequencies"].values() for w in spec["words"])
_FORMAT_WORDS = frozenset(
    w for w in (*table("formats.json")["formats"], *table("targets.json")["format_families"]) if " " not in w
)
_GRANULARITY_FILLER = frozenset(
    [
        "the",
        "a",
        "an",
        "any",
        "some",
        "only",
        "just",
        "data",
        "figures",
        "numbers",
        "series",
        "stats",
        "statistics",
        "version",
        "versions",
        "one",
        "ones",
        "instead",
        "please",
        "pls",
        "do",
        "you",
        "have",
        "got",
        "give",
        "me",
        "show",
        "i",
        "want",
        "need",
        "would",
        "like",
        "rather",
        "prefer",
        "can",
        "we",
        "get",
        "is",
        "there",
        "are",
        "there",
        "there",
        "available",
        "in",
        "as",
        "too",
        "also",
        "then",
        "now",
        "ok",
        "okay",
        "what",
        "about",
        "how",
        "figure",
        "values",
        "it",
        "them",
        "this",
        "that",
        "be",
        "better",
        "preferable",
        "ideal",
        "good",
        "nicer",
        "more",
        "useful",
        "something",
        "anything",
        "maybe",
        "perhaps",
        "possibly",
        "broken",
        "down",
        "perfect",
        "counts",
        "totals",
        "those",
        "these",
        "could",
        "sounds",
        "work",
        "works",
        "fine",
        "great",
    ]
)
_INCLUDE_POSTFIX = re.compile(r"^(.+?)\s+(?:only|alone|exclusively|and nothing else|please only)\b")
_INSTEAD = re.compile(
    r"^(?:(?:i think|i guess|maybe|perhaps|i believe)\s+)?(?:(?:i|we|she|he|they)\s+(?:only\s+|just\s+)?(?:want|wants|need|needs|"
    r"would like|would prefer|prefer|prefers|would rather have|would rather see|would rather)\s+(?:only\s+|just\s+)?)?"
    r"(?:the )?(.+?)\s+(?:instead of|rather than|over|in place of)\s+(?:from\s+)?(?:the )?(.+?)$|"
    r"^(?:.*?\b)?rather\s+(?:have|see|get|use|keep)?\s*(?:the )?(.+?)\s+than\s+(?:from\s+)?(?:the )?(.+?)$"  # "rather X than Y"
)
_SWITCH = re.compile(r"\b(?:switch|change|go|move)\s+from\s+(.+?)\s+to\s+(.+)$")
_SAME_BUT = re.compile(
    r"^(?:(?:ok|okay|now|and|so|alright|right)[, ]+)*(?:(?:the )?same(?: thing| data| again| kind of (?:data|thing|figures|datasets?)| sort of (?:data|thing|figures|datasets?)| figures| numbers| datasets?)?|"
    r"similar (?:kind|sort|type) of (?:data(?:sets)?|figures|things?|numbers)|similar (?:data(?:sets)?|figures|numbers)|(?:the )?equivalent|(?:the )?counterpart|"
    r"(?:do|run|try|repeat|redo)(?: the| that)? same(?: (?:search|query|thing|again|one))?|(?:do|run|repeat|redo) (?:that|this|it|the search)(?: again)?)"
    r"\s*,?\s*(?:but\s+)?(?:for|on|about|in)\s+(.+)$"
)
# "same rule applies, now look for X", "same yrs, coe quota premiums": the filters stay, the subject changes.
_SAME_FILTERS = re.compile(
    r"^(?:(?:ok|okay|now|and|so|alright|right)[, ]+)*(?:(?:keep|with|using) )?(?:the )?same (?:rules?|filters?|settings|"
    r"constraints?|conditions?|restrictions?|years|period|time ?frame|dates|criteria|limits?)"
    r"(?: (?:applies|apply|as before|still|please|again|too))*\s*[,;:.\-\u2013\u2014]*\s*"
    r"(?:(?:and |but )?(?:now |then )?(?:look|search|find|show me|show|do|try|get me|get)(?: up)?(?: for| on| about)?\s+)?"
    r"(?:for |on |about |but for |with )?(.{3,})$"
)
_UNDO = re.compile(
    r"^(?:(?:ok|okay|hmm|actually|no|oops|wait|sorry|hmm+|ah|oh)[, ]+)*(?:(?:can|could) (?:we|you)(?: please)? |please |let us )?"
    r"(?:undo(?: that| this| the last(?: change| step)?)?|go back(?: to (?:the )?(?:previous|last|earlier|before)(?: results| list| one)?"
    r"| to (?:how|what) it was(?: before)?| to the way it was(?: before)?)?|"
    r"revert(?: that| it)?|take (?:that|it) back|never ?mind(?: that)?|scratch that|cancel that|back to (?:the )?(?:previous|last|earlier)(?: results| list)?|"
    r"previous results|as (?:it was )?before|restore (?:that|it|the previous(?: results)?)|put it back(?: the way it was)?|"
    r"(?:lift|remove|drop|cancel|undo|clear|reverse|take off|get rid of|loosen|relax)\s+(?:that|this|the last|the latest|"
    r"the previous|my last|your last|the)(?: \w+)? (?:restriction|filter|condition|constraint|limit|limitation|change|step)"
    r"(?: again| please| now)?$)\b"
)
_CLEAR = re.compile(
    r"\b(?:clear|remove|drop|reset|lift|forget|cancel|delete|get rid of|no)\s+(?:all|every|any)(?: of)?(?: the)? (?:filters?|restrictions?|constraints?|limits?)|"
    r"\b(?:start (?:over|again|afresh|from scratch)|reset(?: everything| it| the search)?$|show (?:me )?everything(?: again)?|"
    r"no (?:more )?filters?|without (?:any )?filters?|unfiltered|remove the filters|clear the filters|clear filters)\b"
)
_FACET_WORDS = {
    "publisher": "publisher", "publishers": "publisher", "agency": "publisher", "agencies": "publisher",
    "organisation": "publisher", "organization": "publisher", "ministry": "publisher",
    "source": "source", "sources": "source", "portal": "source", "site": "source",
    "format": "format", "formats": "format", "file type": "format", "file types": "format", "file format": "format",
    "file formats": "format", "type": "format", "types": "format",
    "year": "time", "years": "time", "date": "time", "dates": "time", "time": "time", "period": "time",
    "time period": "time", "time range": "time", "coverage": "time", "decade": "time",
    "frequency": "frequency", "frequencies": "frequency", "granularity": "frequency", "interval": "frequency",
    "title": "title", "titles": "title", "keyword": "title", "keywords": "title", "term": "title",
    "dataset": "dataset", "datasets": "dataset", "sort": "sort", "order": "sort", "sorting": "sort",
}  # fmt: skip
_FACET_WORD = "|".join(sorted((re.escape(w) for w in _FACET_WORDS), key=len, reverse=True))
_REMOVE_FACET = re.compile(
    rf"\b(?:clear|remove|drop|reset|lift|forget|cancel|delete|get rid of|undo|ignore|turn off|take off|disable|"
    rf"no more|without|forget about|never mind|scrap)\s+(?:the |that |this |my |any )?(?:{_FACET_WORD})(?!\s+(?:of|for)\s)(?:\s+(?:filters?|restrictions?|"
    rf"constraints?|limits?|limitation|exclusions?|inclusions?|choice|preference|condition|window|range|requirement))?\b|"
    rf"\b(?:any|all|every|whatever|whichever|other|different)\s+(?:{_FACET_WORD})\b(?:\s+(?:is|are|will do|works|is fine|are fine|again))?|"
    rf"\b(?:{_FACET_WORD})\s+(?:does not matter|do not matter|is not important|is irrelevant|no longer matters)|"
    rf"\b(?:{_FACET_WORD})\s+(?:filters?|restrictions?|exclusions?|limits?)\s+(?:off|gone|removed)|"
    rf"\bno (?:{_FACET_WORD}) (?:restriction|filter|limit|constraint)s?\b|"
    rf"\b(?:show|give|include)(?: me)? all (?:the )?(?:{_FACET_WORD})(?: again)?\b"
)
_BRING_BACK = re.compile(
    r"\b(?:bring|put|add|let|allow|get|have)\s+(?:back\s+)?([^.;!?]+?)\s+back(?:\s+in(?:to)?)?\b|"
    r"\b(?:bring|put|add|let)\s+back(?:\s+in)?\s+(.+?)" + _CLAUSE_BREAK + "|"
    r"\b(?:include|allow|show|see|re-?include|readd|re-add|restore|reinstate)\s+([^.;!?]+?)\s+(?:again|back|too|as well|after all)\b|"
    r"\b(?:restore|reinstate|re-?include|unhide|unexclude|un-exclude)\s+(.+?)" + _CLAUSE_BREAK + "|"
    r"\b(.+?)\s+(?:is|are)\s+(?:fine|ok|okay|allowed|back)\s+(?:again|after all)\b|"
    r"\b(?:want|need|have|like)\s+([^.;!?]+?)\s+(?:in there|in|on the list|included)\s+(?:again|back)\b"
)
_TOPIC_SWITCH = re.compile(
    r"^(?:(?:ok|okay|right|alright|now|so|actually|hmm+|well|and|also|sorry|fine|anyway|btw)[, ]+)*(?:new (?:topic|question|search|subject)|"
    # "separate q, ...", "changing the subject to ...", "and now for something else: ...", "for my other project I need
    # ...", "forget the transport stuff. ..."
    r"separate (?:q|qn|question|request|thing|topic|search)|changing (?:the )?(?:topic|subject)(?: to)?|"
    r"(?:(?:scrap|ditch|drop|forget|bin) (?:all )?(?:that|this|everything)[, ]+)?(?:a |do a |start a )?(?:fresh|new|clean) (?:search|start|query)(?: for| on)?|"
    r"(?:scrap|ditch|bin) (?:all )?(?:that|this|everything)\s*[.:;!]+\s*(?=\w)|"
    r"(?:let us |can we |could we )?start (?:over|again|afresh|from scratch)\s*[.,!;:]+\s*(?:(?:can|could|would) you |please )?"
    r"(?:(?:find|search|look|get|show|give)(?: me| us)?(?: for| up)? )?(?:(?:some |any )?(?:data|datasets|information|info|stats)"
    r" (?:on|about|for) )?(?=\w)|"
    r"switch(?:ing)? (?:topics?|subjects?)(?: to)?|(?:and )?now for something (?:else|(?:completely |totally |entirely )?different)|"
    r"for (?:(?:my|our) (?:other|different|second|next)|another|a (?:different|second|new)) (?:project|study|paper|thesis|assignment|task|report"
    r"|article|piece)[, ]+(?:i|we) (?:also )?(?:need|want|am looking for|are looking for|would like)|"
    r"forget (?:the|about the|all the) (?:\w+ ){0,2}(?:stuff|ones|data|datasets|results|search|topic|one|things)|"
    r"separately|on a separate note|(?:also |now |next )?(?:search|look) (?:for|up)|(?:and )?now (?:something|anything|some data|data|datasets?) (?:on|about|for)|"
    r"(?:i (?:also )?have|another|a second|one more) (?:question|request|search)(?: about| on| for)?|"
    r"(?:something|a) (?:else|different)(?: entirely| altogether)?|(?:totally|completely|entirely) (?:different|new)(?: topic| question| thing| subject)?|"
    r"forget (?:that|this|it|all that|about that)|change of (?:topic|subject|plan)|different (?:topic|question|subject)|"
    r"switching (?:topics|gears)|moving on|next topic|on another (?:note|topic)|unrelated)\b[ ,:;.!-]*"
)


_SIMILAR_OR_NAVIGATE = re.compile(
    r"\b(?:like|similar|related|resembl\w*|sort|order|page|next|previous|more of|why|translate|plot|chart|graph|convert)\b"
)


def _names_facet_word(phrase: str) -> bool:
    words = set(re.findall(r"[a-z][a-z-]*", phrase))
    return bool(words & (_GRANULARITY_WORDS | _FORMAT_WORDS))


_HOW_TO = re.compile(r"^how (?:do|can|could|should|would) (?:i|we)\b")


@dataclass
class Scope:
    """A phrase governed by a cue: what to exclude, include or bring back."""

    mode: str  # exclude | include | restore
    phrase: str
    replace: bool = False  # an inclusion that replaces the facet's current values ("only X")
    soft: bool = False  # no cue of its own ("annual ones, not quarterly"): kept only if it names a facet value
    wish: bool = False  # "I need X": a restriction only if X is a publisher, source, format or frequency
    term: bool = False  # said to be in the titles: "anything with CoNLL in the name"


@dataclass
class FollowUpParse:
    text: str  # the normalised message
    scopes: list[Scope] = field(default_factory=list)
    remove_facets: list[str] = field(default_factory=list)
    clear: bool = False
    undo: bool = False
    time: TimeWindow | None = None
    question: Question | None = None
    topic_switch: str | None = None  # the new topic after "new topic:" / "forget that, ..."
    same_but: str | None = None  # "the same kind of data, but for hospitals" -> "hospitals"
    bare: str | None = None  # a lone phrase that may be a facet value ("monthly", "CSV?", "the annual version")
    sort: str | None = None  # a new sort order (only the model's reading sets it; "sort by ..." is a refinement)

    @property
    def changes_state(self) -> bool:
        # A wish ("now I need population data") is a new search unless it names a granularity or a format.
        scopes = [s for s in self.scopes if not s.wish or _names_facet_word(s.phrase)]
        return bool(scopes or self.remove_facets or self.clear or self.undo or self.time or self.sort)

    @property
    def names_facet_value(self) -> bool:
        """A granularity or a format is named: "do you have it per quarter?" asks for data, not for a feature."""
        return any(_names_facet_word(s.phrase) or s.phrase in _FREQUENCY_PHRASES for s in self.scopes)

    @property
    def is_followup(self) -> bool:
        return (
            self.changes_state
            or self.question is not None
            or self.same_but is not None
            or self.bare is not None
            or self.topic_switch is not None
        )


_SHORTHAND = re.compile(
    r"(?<![\w/'])(" + "|".join(sorted(map(re.escape, FOLLOWUP_ABBREVIATIONS), key=len, reverse=True)) + r")(?![\w/'])"
)


def normalise(message: str) -> str:
    text = fold(message or "").replace("\u2019", "'").replace("`", "'")
    text = _SHORTHAND.sub(lambda m: FOLLOWUP_ABBREVIATIONS[m.group(1)], text)  # "lic for #2?", "excl cpf board"
    text = re.sub(r"(?:(?<=\s)|^)-(?=[a-z])", ", exclude ", text).lstrip(" ,")  # "-NEA -SingStat": as in a search box
    text = re.sub(r"\b(\d{4})\s?\+(?!\w)", r"from \1", text)  # "2015+"
    text = re.sub(r"\s\+\s", " and ", text)  # "COCO + PASCAL VOC"
    for pattern, repl in _CONTRACTIONS.items():
        text = re.sub(pattern, repl, text)
    text = re.sub(r"\b(he|she|they|we|you)'d\b", r"\1 would", text)
    text = re.sub(r"\bdont\b", "do not", text)
    text = re.sub(r"\bdoesnt\b", "does not", text)
    text = re.sub(r"\bid\b(?= (?:rather|prefer|like))", "i would", text)
    text = re.sub(r"\bim\b", "i am", text)
    return " ".join(text.split())


_PRONOUN = re.compile(r"^(?:those|these|them|that|this|it|they|such|those ones|these ones|those files|that stuff)$")
_ANTECEDENT_LEAD = re.compile(
    r"^.*?\b(?:i|we)\s+(?:cannot|can not|do not|am not able to|are not able to|never|hardly|rarely|will not)\s+"
    r"(?:use|need|want|like|read|open|handle|work with|process|deal with|stand|parse)\s+"
)


_COURTESY = re.compile(r"^(?:(?:please|pls|kindly|ok|okay|so|and|then|now|thanks|thank you)\s*)+$")


def _antecedent(before: str) -> str:
    """What "those" refers to in "I can't use PDFs, leave those out": the object of the clause before."""
    clauses = [c.strip() for c in re.split(r"[,;]|\bbut\b|\band\b", before.strip(" ,;"))] if before.strip(" ,;") else []
    while clauses and (not clauses[-1] or _COURTESY.match(clauses[-1])):  # "..., please remove them"
        clauses.pop()
    clause = clauses[-1] if clauses else ""
    evaluative = _EVALUATIVE.search(clause.strip())
    if evaluative and not _PRONOUN.match(subject := next((g for g in evaluative.groups() if g), "").strip()):
        return subject
    clause = _ANTECEDENT_LEAD.sub("", clause).strip()
    words = clause.split()
    return " ".join(words[-3:]) if words else ""


# A clause that only says the topic changes, wherever it stands: "what about X? totally separate thing",
# "not what i need. let me ask about something else: X".
_SWITCH_CLAUSE = re.compile(
    r"^(?:(?:but|ok|okay|so|and|hmm+|anyway|also|btw|this is|that's|that is|it's|it is)[, ]+)*(?:a |an )?"
    r"(?:(?:totally|completely|entirely|quite) )?(?:separate|unrelated|different|new|other|another)"
    r"(?: (?:thing|question|topic|subject|one|search|request|matter|note))?(?: (?:entirely|altogether|now))?|"
    r"^(?:(?:but|ok|okay|so|now|anyway)[, ]+)*(?:let me|let us|can i|could i|i want to|i'd like to|i would like to|i'll"
    r"|i will|lets|let's) (?:try|ask|search|look|talk|do|move on to)(?: (?:about|for|at|into|on))? (?:something (?:else"
    r"|different)|(?:a |an )?(?:different|new|another|other) (?:topic|subject|search|question|thing|area|angle|direction))"
    r"(?: (?:entirely|now))?|"
    r"^(?:(?:but|ok|okay|so|now|anyway)[, ]+)*try (?:something (?:else|different)|(?:a |an )?(?:different|new|another"
    r"|other) (?:topic|subject|search|question|thing|area|angle|direction))(?: (?:entirely|now))?$|"
    r"^(?:on a different note|changing (?:the )?(?:topic|subject)|something (?:else|different) (?:entirely|now))$"
)
# "and IAM as well", "plus the realtime API ones", "PUB too": more of the last change (exclude or include).
_CONTINUE = re.compile(
    r"^(?:and|also|plus|and also|oh and|same for|same with|ditto for|ditto)\s+(?:the\s+)?(.+?)(?:\s+(?:too|as well|also))?(?:\s*[,;].*)?$|"
    r"^(?:the\s+)?(.+?)\s+(?:too|as well)(?:\s*[,;].*)?$"
)
# Where a target sits, said around it: "the second one from the list", "anything with CoNLL in the name".
_TARGET_PLACE = re.compile(
    r"\s+(?:(?:from|in|on|off|out of)\s+(?:the|my|this|your|these|our)\s+(?:list|results?|page|screen|selection|table|"
    r"search(?: results)?)|in (?:the|its|their|the dataset'?s?) (?:names?|titles?))$"
)
_TARGET_LEAD = re.compile(
    r"^(?:(?:interested|keen) in\s+)?(?:any(?:thing)?|everything|all|stuff|ones?|titles?|datasets?|whatever)?\s*"
    r"(?:with|has|have|that has|that have|named|called|titled|containing|that contains?|mentioning|that mentions?)\s+"
)


_TARGET_TAIL = re.compile(
    r"\s+(?:for (?:now|the moment|the time being|a (?:bit|while|moment|second|sec)|this (?:search|one|project))|right now|(?:if|when) possible|"
    r"if you can|as well|too|please|thanks|then|entries|ones|own (?:datasets?|data|ones|stuff))$"
)
_TARGET_WHICH = re.compile(
    r"^(?:(?:any(?:thing)?|everything|all|the ones|ones|stuff|those|these|datasets?|results?|things?)\s+)?(?:that|which)\s+"
    r"(?:is|are|come|comes|came)\s+(?:only\s+|just\s+)?(?:(?:in|as|from|by|on)\s+)?(?:an?\s+)?|^what is (?:on|in|from|by)\s+|"
    r"^(?:the\s+)?(?:ones?|those|anything|stuff|datasets?|things?)\s+(?:about|on|regarding|concerning|covering|related to|to do with)\s+|"
    r"^(?:the\s+)?(?:plain|original|vanilla|basic)\s+(?=\S)"
)


def _trim_target(phrase: str) -> tuple[str, bool]:
    """The target without where it sits; True when it is said to be in the titles ("X in the name")."""
    text = phrase.strip()
    for _ in range(3):
        text = _TARGET_TAIL.sub("", text)
    text = _TARGET_WHICH.sub("", text)
    text = re.sub(r"(?<=[a-z])-(?:style|type|like|based|ish)\b", "", text)  # "spreadsheet-style tables"
    place = _TARGET_PLACE.search(text)
    term = bool(place and re.search(r"\b(?:names?|titles?)$", place.group(0)))
    text = _TARGET_PLACE.sub("", text)
    text = re.sub(r"^(?:interested|keen) in\s+(?:(?:any(?:thing)?|everything|all)\s+(?:from|by|of|about)\s+)?", "", text)
    lead = _TARGET_LEAD.match(text)
    term = term or bool(lead and re.search(r"named|called|titled|contain|mention", lead.group(0)))
    return _TARGET_LEAD.sub("", text).strip(), term


_LEAD_CONNECTIVES = re.compile(r"^(?:(?:but|and|now|so|ok|okay|anyway)[, ]+)*(?:(?:what|how) about\s+)?")
_CLAUSE_SPLIT = re.compile(r"\s*(?:[.?!;:]+|\s[-\u2013\u2014]+)\s*")


def _topic_beside_marker(body: str) -> str | None:
    """The topic of a message with a topic-change clause anywhere in it: the clause after the marker, else
    the one before it (``None`` without a marker or without a topic)."""
    clauses = [c.strip(" ,") for c in _CLAUSE_SPLIT.split(body) if c.strip(" ,")]
    if len(clauses) < 2:
        return None
    for i, clause in enumerate(clauses):
        if _SWITCH_CLAUSE.fullmatch(clause) or (
            _SWITCH_CLAUSE.match(clause) and clause.endswith(("else", "different"))
        ):
            after, before = clauses[i + 1 :], clauses[:i]
            topic = " ".join(after) if after else (before[-1] if before else "")
            topic = _LEAD_CONNECTIVES.sub("", topic).strip(" ,")
            return topic or None
    return None


def _strip(text: str) -> str:
    text = re.sub(
        r"^(?:(?:ok|okay|hmm+|well|so|and|also|actually|now|right|alright|great|thanks|thank you|cool|o+h+|a+h+|u+m+|u+h+|"
        r"wow|nice|hey|nah|yeah|yes|sure|btw|by the way|quick q(?:uestion|n)?|one more (?:thing|q(?:uestion|n)?))(?:[,:;!.]|\s-+|\s)+)+",
        "",
        text,
    )
    text = re.sub(r"^(?:(?:can|could|would|will) you(?: please)?|please|pls|kindly|let us|lets)\s+", "", text)
    text = re.sub(r"[\s,.!?;:]+(?:please|pls|thanks|thank you|thx|cheers)?[\s,.!?]*$", "", text)
    return text.strip(" ,.!?;:")


def _scope_after(text: str, start: int) -> str:
    rest = text[start:]
    match = re.search(_CLAUSE_BREAK, rest)
    phrase = rest[: match.start()] if match else rest
    return phrase.strip(" ,.!?;:")


_GENERIC_ONLY = re.compile(
    r"^(?:(?:the|a|an|any|all|some|those|these|them|ones?|datasets?|data|files?|results?|entries|records?|stuff|things?|it|this|that|one|others?)\s*)+$"
)


def _is_generic(phrase: str) -> bool:
    return not phrase or bool(_GENERIC_ONLY.match(phrase))


def parse_followup(message: str, *, has_previous_search: bool = True) -> FollowUpParse:
    """Everything a follow-up says about the search; ``is_followup`` is False when it says nothing."""
    text = normalise(message)
    out = FollowUpParse(text=text)
    body = _strip(text)
    if not body or _HOW_TO.match(body):
        return out  # "how do I exclude a publisher?" asks about the assistant, it does not exclude anything
    short = len(body.split()) <= 30
    asked = body + "?" if text.rstrip().endswith("?") else body  # _strip took the question mark
    if (
        has_previous_search
        and short
        and not _REMOVE_FACET.match(body)
        and (question := parse_question(asked)) is not None
    ):
        out.question = question
        return out
    if match := (_TOPIC_SWITCH.match(body) or _TOPIC_SWITCH.match(text)):  # "and now something on X": before _strip
        rest = (body if match.string == body else text)[match.end() :].strip(" ,:;.-")
        rest = re.sub(r"^(?:i am|i'm|we are) (?:after|looking for|interested in)\s+", "", rest)
        rest = re.sub(r"\s+now$", "", _LEAD_CONNECTIVES.sub("", rest))
        out.topic_switch = rest or None
        return out
    if (topic := _topic_beside_marker(body)) is not None:
        out.topic_switch = topic
        return out
    if _UNDO.match(body) and len(body.split()) <= 10:
        out.undo = True
        return out
    if _CLEAR.search(body):
        out.clear = True
        body = _CLEAR.sub(" ", body)
    for match in _REMOVE_FACET.finditer(body):
        facet_words = re.findall(_FACET_WORD, match.group(0))
        for word in facet_words:
            facet = _FACET_WORDS[word]
            if facet not in out.remove_facets:
                out.remove_facets.append(facet)
    body = _REMOVE_FACET.sub(" ", body)
    for match in _BRING_BACK.finditer(body):
        phrase = next(g for g in match.groups() if g)
        if not _is_generic(phrase) or _PRONOUN.match(phrase.strip()):  # "put them back": the last exclusion
            out.scopes.append(Scope("restore", phrase))
    body = _BRING_BACK.sub(" ", body)
    window, body = parse_time(body)
    out.time = window
    body = " ".join(body.split())
    if match := (_SAME_BUT.match(body) or _SAME_FILTERS.match(body)):
        target = match.group(1).strip(" ,.?!")
        if target:
            out.same_but = target
            return out
    _read_scopes(body, out)
    for scope in out.scopes:
        trimmed, term = _trim_target(scope.phrase)
        scope.phrase, scope.term = trimmed or scope.phrase, term
    if (
        not out.changes_state
        and has_previous_search
        and short
        and len(body.split()) <= 6  # "#5?", "and the second one?": nothing but the pointer
        and not _SIMILAR_OR_NAVIGATE.search(body)  # "more like the first one", "page 2" are the router's
        and (refs := rank_refs(body))
    ):
        # "#3?", "and the second one" with nothing else understood: a question about that result.
        out.question = Question("more", refs=refs, text=body)
        return out
    if not out.changes_state and has_previous_search:
        bare = body.strip(" ,.?!")
        if bare and len(bare.split()) <= 5:
            out.bare = bare
    return out


def _read_scopes(body: str, out: FollowUpParse) -> None:
    body = " ".join(re.sub(r"\([^)]*\)", " ", body).split())  # "(kml, geojson, shapefile)" only explains
    # "everything that's only a PDF": the "only" qualifies the format, it is not a restriction of its own
    body = re.sub(r"\b(that|which) (is|are|come|comes|exists?) (?:only|just)\b", r"\1 \2", body)
    if not body.strip():
        return
    if match := _ALREADY_HAVE.search(body):
        out.scopes.append(Scope("exclude", match.group(1)))
        return
    if (match := _KNOWN_ALREADY.search(body)) and not _PRONOUN.match((match.group(1) or match.group(2) or "").strip()):
        known = (match.group(1) or match.group(2)).strip()
        cue = _EXCLUDE_PREFIX.match(known)  # "forget LibriSpeech, I know it well"
        known = known[cue.end() :] if cue else known
        if not re.match(r"(?:their|its|his|her|our|my|your|enough)\b", known):  # "I've got their stuff already"
            out.scopes.append(Scope("exclude", known))
            return
    if match := _SWITCH.search(body):
        out.scopes.append(Scope("exclude", match.group(1)))
        out.scopes.append(Scope("include", match.group(2), replace=True))
        return
    if match := _INSTEAD.match(body):
        wanted, unwanted = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        wanted = _INCLUDE_PREFIX.sub("", wanted).strip()
        wanted = re.sub(r"^(?:something|anything|stuff|datasets?|data|figures|the ones|ones)\s+(?:from|by)\s+", "", wanted)
        if not _is_generic(wanted) and not _is_generic(unwanted):
            out.scopes.append(Scope("include", wanted, replace=True))
            out.scopes.append(Scope("exclude", unwanted))
            return
    taken: list[tuple[int, int]] = []
    for match in _EVALUATIVE.finditer(body):
        subject = next((g for g in match.groups() if g), "").strip()
        subject = re.sub(r"^(?:(?:and|but|also|so|ok|okay|well|honestly|hmm+|tbh)\s+)+", "", subject)
        subject = re.sub(  # reported speech: "she says LibriSpeech is already familiar to her"
            r"^(?:(?:[a-z]+\s+){1,2}?(?:says|said|mentioned|tells me|told me|thinks)"
            r"|i (?:think|guess|believe|suspect))\s+(?:that\s+)?", "", subject)
        subject = re.sub(r"^(?:most|some|many|all|a lot|lots|several|half) of (?:these|those|them|the results)(?: (?:seem|seems|look|looks|appear|appears) to)?(?: be)?\s*", "", subject)
        personal = re.search(r"\b(?:i|we|you|me|us)\b", subject)
        if not personal and not _PRONOUN.match(subject) and not _is_generic(subject) and len(subject.split()) <= 8:
            out.scopes.append(Scope("exclude", subject))
        taken.append(match.span())  # "it is not what I need" only comments: no cue inside it counts
    for match in _EXCLUDE_SPLIT.finditer(body):
        if any(a <= match.start() < b for a, b in taken):
            continue
        phrase = match.group(1)
        if _PRONOUN.match(phrase):
            phrase = _antecedent(body[: match.start()]) or phrase
            if _PRONOUN.match(phrase):  # "take those out" after a count: resolved against it when applied
                out.scopes.append(Scope("exclude", phrase))
                taken.append(match.span())
                continue
        if not _is_generic(phrase) and len(phrase.split()) <= 8:
            out.scopes.append(Scope("exclude", phrase))
            taken.append(match.span())
    for match in _EXCLUDE_PREFIX.finditer(body):
        if any(a <= match.start() < b for a, b in taken):
            continue
        raw = _scope_after(body, match.end())
        phrase = re.sub(
            r"^(?:any(?:thing)?|everything|all)\s+(?:that (?:comes?|is) |coming |published |made )?(?:from|by|of|about|with)\s+",
            "",
            raw,
        )
        if _PRONOUN.match(phrase):
            phrase = _antecedent(body[: match.start()])
        if not _is_generic(phrase):
            out.scopes.append(Scope("exclude", phrase))
            taken.append((match.start(), match.end() + len(raw)))
    if not taken and (match := _EXCLUDE_POSTFIX.match(body)):
        out.scopes.append(Scope("exclude", match.group(1) or match.group(2)))
        return
    if match := re.match(r"^keep (?:only )?(.+?),?\s+(?:and )?(?:nothing|none) else$", body):
        out.scopes.append(Scope("include", match.group(1), replace=True))
        return
    remainder = body
    for a, b in sorted(taken, reverse=True):
        remainder = remainder[:a] + " , " + remainder[b:]
    if match := _FREQUENCY_ASK.search(remainder):
        out.scopes.append(Scope("include", match.group(1), replace=True))
        return
    words = re.findall(r"[a-z][a-z-]*", remainder)
    granularity = [w for w in words if w in _GRANULARITY_WORDS]
    if granularity and not taken and all(w in _GRANULARITY_WORDS or w in _GRANULARITY_FILLER for w in words):
        # "annual data instead", "do you have the monthly version?": a change of granularity.
        out.scopes.append(Scope("include", granularity[0], replace=True))
        return
    leftover = " ".join(w for w in words if w not in _GRANULARITY_FILLER)
    if not taken and leftover in _FREQUENCY_PHRASES and " " in leftover:
        # "do you have it per quarter?", "I need it month by month"
        out.scopes.append(Scope("include", leftover, replace=True))
        return
    for match in _INCLUDE_PREFIX.finditer(remainder):
        phrase = _scope_after(remainder, match.end())
        phrase = re.sub(
            r"^(?:(?:give|show|find|get|list|send)\s+(?:me|us)\s+|(?:give|show|find|get|list)\s+)", "", phrase
        )
        phrase = re.sub(r"^(?:want|wants|need|needs|see|have)\s+", "", phrase)
        phrase = re.sub(
            r"^(?:the )?(?:ones |those |stuff |things |datasets |data |figures |tables |records |releases )?"
            r"(?:from|by|published by|made by|on|in|with|covering|that (?:have|offer|come as|come in|are in))\s+",
            "",
            phrase,
        )
        phrase = re.sub(r"^(?:an?|the)\s+", "", phrase)
        if not _is_generic(phrase) or _PRONOUN.match(phrase):  # "just those": a count's results, when applied
            out.scopes.append(Scope("include", phrase, replace=True))
    if not any(s.mode == "include" for s in out.scopes):
        for match in _WISH.finditer(remainder):
            phrase = _scope_after(remainder, match.end())
            if not _is_generic(phrase) and len(phrase.split()) <= 4:
                out.scopes.append(Scope("include", phrase, replace=True, soft=True, wish=True))
    if not any(s.mode == "include" for s in out.scopes):
        for clause in re.split(r"[,;]|\bbut\b", remainder):
            clause = clause.strip()
            if match := _INCLUDE_POSTFIX.match(clause):
                phrase = re.sub(r"^(?:the ones |those |ones |stuff )?(?:from|by|on|in)\s+", "", match.group(1))
                if not _is_generic(phrase):
                    out.scopes.append(Scope("include", phrase, replace=True))
            elif taken and clause and len(clause.split()) <= 4 and not _is_generic(clause):
                out.scopes.append(Scope("include", clause, replace=True, soft=True))
    if not out.scopes and (match := _CONTINUE.match(body)):
        phrase = (match.group(1) or match.group(2) or "").strip(" ,")
        if not _is_generic(phrase) and len(phrase.split()) <= 5:
            out.scopes.append(Scope("continue", phrase))  # "and IAM as well": the same change as the last one
