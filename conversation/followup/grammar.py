"""The grammar of follow-up messages: the cue patterns and word lists ``parse`` reads them with.

Pure text, no database: negation and inclusion cues with their scope ("leave X out", "anything but X",
"X is way too generic"), undo, clearing and facet removal, bringing back, topic switches and "the same
for X", where a target sits around it ("the second one from the list", "X in the name"), granularity
words and chat shorthand. ``parse`` applies them in order; ``targets`` resolves what they capture.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from conversation.lexicon import CARDINAL_WORDS, FOLLOWUP_ABBREVIATIONS, table

CONTRACTIONS = {
    r"\bdon'?t\b": "do not",
    r"\bdoesn'?t\b": "does not",
    r"\bdidn'?t\b": "did not",
    r"\bcan'?t\b": "cannot",
    r"\bwon'?t\b": "will not",
    r"\bisn'?t\b": "is not",
    r"\baren'?t\b": "are not",
    r"\bshouldn'?t\b": "should not",
    r"\bwouldn'?t\b": "would not",
    r"\bcouldn'?t\b": "could not",
    r"\bmustn'?t\b": "must not",
    r"\bi'?d\b": "i would",
    r"\bi'?m\b": "i am",
    r"\bi'?ve\b": "i have",
    r"\bwhat'?s\b": "what is",
    r"\bwho'?s\b": "who is",
    r"\bthat'?s\b": "that is",
    r"\bit's\b": "it is",
    # "its" without the apostrophe is "it is" too, unless a noun of the record follows ("MNIST in its name")
    r"\bits\b(?! (?:own |full |official |original )?(?:names?|titles?|licen[cs]es?|formats?|coverage|publishers?|frequency|sources?|"
    r"links?|url|page|size|description|summary|metadata|history|start|end|paper|homepage|website|files?|fields?|columns?|"
    r"data|years?|dates?|period|owner|terms)\b)": "it is",
    r"\blet'?s\b": "let us",
    r"\bthey'?re\b": "they are",
    r"\bwe're\b": "we are",
    r"\byou'?re\b": "you are",
}


CLAUSE_BREAK = r"(?:[,;!?:]|\.(?=\s|$)|\(|\s[-\u2013\u2014]+\s|\s+(?:but|because|since|(?<!available )(?<!offered )(?<!provided )(?<!published )(?<!downloadable )as|so|then|and (?:only|just|show|give|keep|i|see|let|tell|what|find|then|check|without|w/o|no|minus|excluding|exclude|drop|remove|skip)|i (?:need|want|am|would|only|just|prefer)|only|just|instead|thanks|thank you|please|pls|either|too|as well|anymore|any more)\b|$)"


# "<verb> X" — X is excluded.
EXCLUDE_PREFIX = re.compile(
    r"\b(?:exclude|excluding|without|w/o|minus|omit|omitting|drop|dropping|remove|removing|skip|skipping|hide|"
    r"hiding|ignore|ignoring|disregard|disregarding|filter out|filtering out|leave out|leaving out|take out|taking out|cut out|cut|scratch|nix|axe|nuke|yeet|chuck out|kick out|"
    r"zap|bin|trash|kill|take away|delete|erase|forget(?! (?:it|that|this|about it|about that|all that|everything)\b)|"
    r"no need (?:to|for me to) (?:show|see|include|list|keep)(?: me)?|(?:i|we) do not need to see|"
    r"get rid of|lose|rule out|strip out|weed out|throw out|toss|ditch|eliminate|discard|block|mute|"
    r"(?:set|put|leave|lay|push) aside|"
    r"no more|nothing (?:at all )?(?:from|by|about|on|in)|none (?:from|by|of)|not (?:from|by|published by|made by)|"
    r"anything (?:but|except|other than|besides)|everything (?:but|except|other than|besides)|all but|"
    r"except(?: for)?|other than|apart from|aside from|but not|and not|nothing with|"
    r"(?:i|we|he|she|they|(?:my|our) [a-z]+) (?:do not|does not|would rather not|would prefer not to|do not really|does not really) (?:want|need|care for|like|have|see|use)(?: to see| to have)?(?: any(?:thing)?(?: that comes?| coming)?)?(?: from| of| by)?|"
    # hedged: "I don't think we need X", "we probably won't need X", "I doubt we need X"
    r"(?:(?:i|we) do not think|(?:i|we) doubt) (?:i|we|she|he|they|you) (?:really |will |would |actually )?(?:need|want|use|require|care about)"
    r"(?: to see)?(?: any(?:thing)?)?(?: from| of| by)?|"
    r"(?:i|we) (?:probably|likely) (?:do not|will not|would not|cannot) (?:need|want|use)(?: any(?:thing)?)?(?: from| of| by)?|"
    r"(?:i|we) (?:cannot|can not|could not|am unable to|are unable to|am not able to|are not able to) (?:use|open|read|handle|"
    r"work with|process|deal with|do anything with|load)(?: any)?|(?:i|we) have no use for|"
    r"(?:i|we) am not interested in|(?:i|we) (?:can|could) do without|spare me|not interested in|not keen on|no need for|do not (?:show|give|include|list|want|need)(?: me| us)?(?: any(?:thing)?)?(?: from| of| by)?|"
    r"not|no)\s+"  # the bare cues last: "not interested in X" is about X
)


# "I already know SQuAD, show me the others": what the user has is what they do not need.
ALREADY_HAVE = re.compile(
    r"\b(?:i|we) (?:already |have already )?(?:know|have|used|have used|have seen|saw|use|tried|have tried)\s+(.+?)\s*"
    r"(?:,|;|\.|\band\b|\bso\b)\s*(?:so\s+)?(?:show|give|find|list|what|anything|are there|any)\b.*\b(?:others?|else|different|new|alternatives?)\b"
)


# "I know CoNLL-2003 inside out already", "LibriSpeech, I know it well": not needed again.
KNOWN_ALREADY = re.compile(
    r"\b(?:i|we) (?:already |have already )?(?:have used|have seen|have got|have tried|have worked with|worked with|"
    r"am familiar with|are familiar with|am done with|know|have|use|used)\s+(.+?)\s+(?:very well|well|already|inside out|by heart|"
    r"thoroughly|too well)\b|^(.+?),\s*(?:i|we) (?:already )?(?:know|have|use|used|have seen)\s+(?:it|that|them|this one)"
    r"(?: very well| well| already| inside out| by heart)?\b"
)


# "something that updates in real time", "data refreshed every week"
FREQUENCY_ASK = re.compile(
    r"\b(?:updat\w*|refresh\w*|publish\w*|releas\w*|report\w*|comes? out|collected|recorded|measured)\s+"
    r"((?:in |on an? |every |each |per |at |a )?(?:real[- ]?time|live|daily|weekly|monthly|quarterly|annually|yearly|"
    r"half[- ]yearly|day|week|month|quarter|year))\b"
)


# "leave X out", "take X out", "keep X out of it", "cut X" — X between verb and particle.
EXCLUDE_SPLIT = re.compile(
    r"\b(?:leave|take|keep|cut|filter|strip|weed|throw|rule|knock|count|cross|lose|pull|get)\s+(.+?)\s+(?:out|off)\b"
)


# "X not needed", "X are not relevant", "X, no thanks"
EXCLUDE_POSTFIX = re.compile(
    r"^((?:\S+\s+){0,3}?\S+)\s+out(?:\s+(?:too|as well|also|please|pls))?$|"  # "STB out", "the maps out", "GovTech out too"
    # "put the ICA tables aside", "leave the location layers to one side"
    r"^(?:.*?\b)?(?:put|set|leave|lay|move|push)\s+(.+?)\s+(?:aside|to (?:one|the) side|on (?:one|the) side|out of (?:it|this|the list))\b|"
    # "the maps I not need, remove please"
    r"^(.+?)(?:\s+(?:i|we)\s+(?:do\s+)?(?:not|no)\s+(?:need|want|use))?[,;]?\s+(?:please\s+)?(?:remove|drop|delete|exclude|omit|skip|hide)"
    r"(?:\s+(?:them|it|those|these))?(?:\s+(?:please|pls))?$|"
    # "the map type of files please take out": the object first
    r"^(.+?)\s+(?:please\s+|pls\s+|you can\s+|can you\s+)?(?:take|leave|cut|throw|filter|strip|weed|keep|put)\s+(?:them\s+|it\s+)?out(?:\s+(?:please|pls|too|as well))?$|"
    r"^(.+?)\s+(?:(?:is|are)\s+)?(?:not (?:needed|wanted|relevant|useful|helpful|welcome|required)|"
    r"(?:are|is) (?:useless|irrelevant|of no use)|can go|(?:,\s*)?no thanks?)\b"
)


# "MNIST is way too easy", "the HPB stuff is not relevant for me", "X is not what I need": the subject goes.
EVALUATIVE = re.compile(
    # "I find the 'per household member' tables quite confusing": what the user finds hard to use
    r"(?:^|(?<=[,;.!?])\s*)(?:i|we) (?:find|found|consider) (?:the |those |these |all the )?([^,;.!?]+?)(?:\s+(?:tables?|ones|datasets?|figures|"
    r"series|files|reports|numbers))?\s+(?:(?:a bit|a little|quite|very|rather|too|really|pretty|somewhat|rather)\s+)*(?:confusing|hard|"
    r"difficult|unhelpful|useless|irrelevant|messy|annoying|cluttered|noisy|complicated|distracting|misleading|unclear|hard to [a-z]+|"
    r"tricky|awkward)\b[^,;.!?]*|"
    r"(?:^|(?<=[,;.!?])\s*)([^,;.!?]+?)\s+(?:is|are|was|were|seems?|looks?|feels?)\s+(?:(?:way|far|much|a bit|a little|kind of|"
    r"sort of|rather|just|also|too)\s+)*(?:too\s+[a-z-]+|not (?:really |very |that )?(?:relevant|useful|needed|wanted|helpful|"
    r"interesting|important|necessary|applicable|suitable|what (?:i|we) (?:need|want|am after|are after|asked for|am looking for|"
    r"are looking for))|irrelevant|useless|unhelpful|off[- ]topic|unrelated|outdated|out of date|of no use|no use|no good|"
    r"not for (?:me|us)|out of scope|beyond (?:the|our|my) scope)(?=[\s,;.!?]|$)[^,;.!?]*|"
    # "Visual question answering datasets fall outside the scope of this review"
    r"(?:^|(?<=[,;.!?])\s*)([^,;.!?]+?)\s+(?:falls?|lies?|sits?|are|is)\s+(?:well\s+|rather\s+|clearly\s+)?(?:outside|beyond)\s+"
    r"(?:the|our|my|this)\s+(?:scope|remit|focus|brief)[^,;.!?]*|"
    r"(?:^|(?<=[,;.!?])\s*)([^,;.!?]+?)\s+(?:is|are)\s+(?:already\s+)?(?:familiar|known)\s+to\s+(?:me|us|her|him|them)[^,;.!?]*|"
    r"(?:^|(?<=[,;.!?])\s*)([^,;.!?]+?),?\s+(?:which|that|they|these|those|and they)\s+(?:will not|would not|do not|does not|"
    r"cannot|can not|are not going to|is not going to)\s+(?:work|help|be (?:useful|of use|any good))\s+for\s+(?:me|us)[^,;.!?]*"
)


_LIST_OBJECT = r"(?: it| this| that| them| these| those| results| the (?:list|results|datasets|search|ones))?"
INCLUDE_PREFIX = re.compile(
    r"\b(?:only|just|solely|exclusively|purely|nothing but|strictly|"
    rf"(?:restrict|limit|confine)(?:ed)?{_LIST_OBJECT} to|stick to|stick with|keep (?:only|just)|only keep|"
    rf"keep{_LIST_OBJECT} to|keep(?: things| the list)? to|stay with|keep (?:it |this |these |them )?(?:confined|limited|restricted) to|"
    rf"narrow{_LIST_OBJECT}(?: down)? to|filter (?:to|by|for)|(?:i|we) only (?:want|need|care about)|"
    r"(?:he|she|they) only (?:wants?|needs?|cares? about)|(?:he|she) (?:wants|needs) (?:only|just)|"
    r"show (?:me )?only|give (?:me )?only|only show(?: me)?|only give(?: me)?|switch to|switch (?:from \S+ )?to|"
    r"(?:i|we) (?:want|need|would like|prefer) (?:only|just))\s+"
)


# "I need numbers", "I'd like the monthly ones": a wish, not a restriction, unless it names a facet value.
WISH = re.compile(r"\b(?:i|we) (?:want|need|would like|would prefer|prefer|am after|are after)\s+")


GRANULARITY_WORDS = frozenset(
    w for spec in table("targets.json")["frequencies"].values() for w in spec["words"] if " " not in w
) - {"day", "days", "week", "weeks", "month", "months", "quarter", "quarters", "year", "years"}


# Every way of saying a frequency, multi-word ones too ("per quarter", "month by month").
FREQUENCY_PHRASES = frozenset(w for spec in table("targets.json")["frequencies"].values() for w in spec["words"])


FORMAT_WORDS = frozenset(
    w for w in (*table("formats.json")["formats"], *table("targets.json")["format_families"]) if " " not in w
)


GRANULARITY_FILLER = frozenset(
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


INCLUDE_POSTFIX = re.compile(r"^(.+?)\s+(?:only|alone|exclusively|and nothing else|please only)\b")


INSTEAD = re.compile(
    r"^(?:(?:i think|i guess|maybe|perhaps|i believe)\s+)?(?:(?:i|we|she|he|they)\s+(?:only\s+|just\s+)?(?:want|wants|need|needs|"
    r"would like|would prefer|prefer|prefers|would rather have|would rather see|would rather)\s+(?:only\s+|just\s+)?)?"
    # (a reason is no part of what is wanted: "exclude X, since I am after Y rather than Z")
    r"(?:the )?((?:(?![,;]\s*(?:since|because|for|as (?:i|we)|given that)\b).)+?)\s+(?:instead of|rather than|over|in place of)\s+(?:from\s+)?(?:the )?(.+?)$|"
    r"^(?:.*?\b)?rather\s+(?:have|see|get|use|keep)?\s*(?:the )?(.+?)\s+than\s+(?:from\s+)?(?:the )?(.+?)$|"  # "rather X than Y"
    # "they'd much prefer monthly series to anything real-time"
    r"^(?:.*?\b)?prefer(?:s|red)?\s+(?!not\b|to\b|it\b|that\b|if\b)(?:the )?(.+?)\s+to\s+"
    r"(?!(?:be|see|have|get|use|keep|do|work|look|know|go|show|read|open|start|stick)\b)(?:the |anything |any )?(.+?)(?:,.*)?$"
)


SWITCH = re.compile(r"\b(?:switch|change|go|move)\s+from\s+(.+?)\s+to\s+(.+)$")


_KIND_OF = r"(?:(?:kind|sort|type)(?: of)?|kinda|sorta)"
_SAME_WHAT = (
    rf"(?: (?:[a-z-]+ ){{0,2}}(?:view|selection|cut|slice|lens|breakdown)(?=\s*,?\s*but\b)"
    rf"|(?: (?:idea|thing|stuff|deal|approach|again|data|figures|numbers|series|datasets?|info|information|statistics|stats|vibes?|style|flavou?r|setup"
    rf"|{_KIND_OF}(?: (?:data(?:sets?)?|things?|stuff|figures|numbers|series|datasets?|info|information|statistics|stats)|(?: [a-z-]+){{1,2}}(?=\s*,?\s*but\b))?)))?"
)
SAME_BUT = re.compile(
    r"^(?:(?:ok|okay|now|and|so|alright|right|thanks|thank you|i suppose|i guess|i reckon|i think|perhaps|maybe|hmm+|well|good|great"
    r"|fine|perfect|excellent|cool|nice|lovely)[,.!]?\s+)*"
    r"(?:(?:i|we) (?:would |)(?:now )?(?:like|want|need)\s+|"
    r"(?:locate|find|get|fetch|pull up|look for|search for|give me|show me)(?: me| us)?\s+|"
    r"(?:is there|are there|do you have|have you got|got)(?: also)?\s+)?"
    rf"(?:(?:the )?same{_SAME_WHAT}|"
    r"similar (?:kind|sort|type) of (?:data(?:sets)?|figures|things?|numbers)|similar (?:data(?:sets)?|figures|numbers)|"
    r"(?:the )?(?:equivalent|counterpart)(?: [a-z-]+){0,3}?|"

    r"(?:do|run|try|repeat|redo)(?: the| that)? same(?: (?:search|query|thing|again|one))?|(?:do|run|repeat|redo) (?:that|this|it|the search)(?: again)?)"
    r"\s*,?\s*(?:(?:but\s+)?(?:for|on|about|in)\s+(.+)$|"
    # "same idea, but I'd like death rates rather than life expectancy", "same kinda thing but births instead": not
    # a refinement ("the same but only CSV", "... but without URA")
    r"but\s+(?:(?:i would like|i want|i need|i am after|give me|show me|now|with|looking at)\s+)?"
    r"(?!(?:only|just|no|not|without|excluding|except|from|drop|minus|remove|keep|exclude|include|any|all|the same|as|in)\b)(.+)$)"
)
# "now the sea side of the same thing - ships calling at the port": the other side of the same task
SAME_SIDE = re.compile(
    r"^(?:(?:ok|okay|now|and|so|alright|right)[, ]+)*(?:the )?[a-z-]+ (?:side|version|equivalent|counterpart|angle) of "
    r"(?:the )?same(?: thing| data| figures| story| question)?\s*[-\u2013\u2014:,]+\s*(.+)$"
)
# What a domain change names after its subject: "births instead", "ships, not airplanes", "X rather than Y".
SAME_BUT_TAIL = re.compile(
    r"\s*[,.;]?\s*(?:[-\u2013\u2014]\s*)?(?:instead(?: of .+)?|rather than .+|not .+|as opposed to .+|this time|"
    r"(?:for |with |over )?(?:the )?same (?:years|period|dates|time ?frame|filters|settings|exclusions?)(?: as before)?.*|"
    r"subject to .+|keeping .+|with the same .+|"
    # who it is for, said after it: "cycling paths my son cycles to work"
    r"(?:my|our|his|her) (?:\w+ ){1,2}?(?:is|are|was|were|go|goes|likes?|loves?|wants?|needs?|cycles?|walks?|drives?|uses?|works?"
    r"|lives?|study|studies|teach|teaches|runs?|attends?|visits?)\b.*|"
    # a reason after a comma: "annual, quarterly too many rows for my slides"
    r"[,;]\s*(?:[\w-]+\s+){0,5}?(?:is |are |has |have )?(?:too|not)\b.*)$"
)
# "of this sort", "like this data", "the same sort of": the request keeps the task, the rest names a new domain.
SAME_MARK = re.compile(
    r"\b(?:(?:the )?same (?:sort|kind|type)|(?:of|like) this (?:sort|kind|type)|like this (?:data|one|dataset|series)|"
    r"(?:data|figures|numbers|series|datasets?) (?:like|of) (?:this|these)|(?:the )?equivalent)\b"
)


# "same rule applies, now look for X", "same yrs, coe quota premiums": the filters stay, the subject changes.
SAME_FILTERS = re.compile(
    r"^(?:(?:ok|okay|now|and|so|alright|right)[, ]+)*(?:(?:keep|with|using) )?(?:the )?same (?:rules?|filters?|settings|"
    r"constraints?|conditions?|restrictions?|years|period|time ?frame|dates|criteria|limits?)"
    r"(?: (?:applies|apply|as before|still|please|again|too))*\s*[,;:.\-\u2013\u2014]*\s*"
    r"(?:(?:and |but )?(?:now |then )?(?:look|search|find|show me|show|do|try|get me|get)(?: up)?(?: for| on| about)?\s+)?"
    r"(?:for |on |about |but for |with )?(.{3,})$"
)


UNDO = re.compile(
    r"^(?:(?:ok|okay|hmm|actually|no|oops|wait|sorry|hmm+|ah|oh)[, ]+)*(?:(?:can|could) (?:we|you)(?: please)? |please |let us )?"
    r"(?:undo(?: that| this| the last(?: change| step)?)?|go back(?: to (?:the )?(?:previous|last|earlier|before)(?: results| list| one)?"
    r"| to (?:how|what) it was(?: before)?| to the way it was(?: before)?)?|"
    r"revert(?: that| it)?|take (?:that|it) back|never ?mind(?: that)?|scratch that|cancel that|back to (?:the )?(?:previous|last|earlier)(?: results| list)?|"
    r"(?:come|go|get) back to (?:before|how it was|the way it was|the previous)|back to before|"
    r"previous results|as (?:it was )?before|restore (?:that|it|the previous(?: results)?)|put it back(?: the way it was)?|"
    r"(?:lift|remove|drop|cancel|undo|clear|reverse|take off|get rid of|loosen|relax)\s+(?:that|this|the last|the latest|"
    r"the previous|my last|your last|the)(?: \w+)? (?:restriction|filter|condition|constraint|limit|limitation|change|step)"
    r"(?: again| please| now)?$)\b"
)


CLEAR = re.compile(
    r"\b(?:clear|remove|drop|reset|lift|forget|cancel|delete|get rid of|no|chuck|ditch|bin|scrap|kill|lose|nuke|wipe|zap)\s+(?:out )?"
    r"(?:all|every|any)(?: of)?(?: the| my)? (?:filters?|restrictions?|constraints?|limits?)|"
    r"\b(?:(?:go |take (?:me|us|it) )?back to (?:the )?(?:start|beginning|square one|the original (?:list|search))|start (?:over|again|afresh|from scratch)|reset(?: everything| it| the search)?$|show (?:me )?everything(?: again)?|"
    r"no (?:more )?filters?|without (?:any )?filters?|unfiltered|remove the filters|clear the filters|clear filters|"
    r"(?:bring|put) (?:everything|it all|them all|all of (?:it|them)) back|(?:remove|drop|reset) filters?(?=\s*(?:[,;.!?]|$))|"
    r"(?:(?:i would like to|i want to|let me) )?(?:show (?:me )?|see )(?:the )?(?:full|whole|entire|complete|original|unfiltered) "
    r"(?:list|range|set|lot|selection)(?: again)?)\b"
)


FACET_WORDS = {
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


FACET_WORD = "|".join(sorted((re.escape(w) for w in FACET_WORDS), key=len, reverse=True))


# "remove the annual filter", "lift the URA restriction": one value's filter goes (not the last change, not a facet).
VALUE_FILTER_OFF = re.compile(
    r"^(?:(?:ok|okay|now|and|so|please|pls|actually)[, ]+)*(?:(?:can|could) (?:we|you)(?: please)? |please )?"
    r"(?:lift|remove|drop|cancel|clear|take off|get rid of|loosen|relax|turn off|disable)\s+(?:please\s+)?(?:the|that|this|my)\s+"
    rf"(?!(?:last|latest|previous|other|same|{FACET_WORD})\b)([\w.&'-]+(?: [\w.&'-]+){{0,3}}?)\s+(?:restriction|filter|condition|constraint|limit|limitation)s?"
    r"(?: again| please| now| too)?[.!]?$"
)


# "could we go back to seeing every publisher": the facet's filter goes (a request, not a question about publishers)
BACK_TO_ALL = re.compile(rf"\b(?:go back to|back to|return to|revert to)\s+(?:seeing|showing|having|getting)?\s*(?:all|every|any)\s+"
                         rf"(?:the |of the )?(?:{FACET_WORD})\b")  # fmt: skip


REMOVE_FACET = re.compile(
    rf"{BACK_TO_ALL.pattern}|"
    rf"\b(?:clear|remove|drop|reset|lift|forget|cancel|delete|get rid of|undo|ignore|turn off|take off|take away|disable|"
    rf"no more|without|forget about|never mind|scrap|ditch|chuck(?: out)?|lose|kill|toss|bin|nix|axe|dump|yeet)\s+(?:the |that |this |my |any )?(?:{FACET_WORD})(?!\s+(?:of|for)\s)(?:\s+(?:filters?|restrictions?|"
    rf"constraints?|limits?|limitation|exclusions?|inclusions?|choice|preference|condition|window|range|requirement|thing|things|bit|part|setting|settings))?\b|"
    # ("any datasets on diabetes" asks for data: datasets are not a facet here)
    rf"\b(?:any|all|every|whatever|whichever|other|different)\s+(?:(?:the|reporting|update|updating|release|publishing|data|file|time)\s+)?"
    rf"(?!datasets?\b)(?:{FACET_WORD})\b(?:\s+(?:is|are|will do|works|is fine|are fine|again))?|"
    rf"\b(?:{FACET_WORD})\s+(?:does not matter|do not matter|is not important|is irrelevant|no longer matters)|"
    rf"\b(?:{FACET_WORD})\s+(?:filters?|restrictions?|exclusions?|limits?)\s+(?:off|gone|removed)|"
    rf"\bno (?:{FACET_WORD}) (?:restriction|filter|limit|constraint)s?\b|"
    rf"\b(?:stop|quit|no longer|do not keep) (?:filtering|restricting|limiting|narrowing)(?: it| them| this)? (?:by|on|to) (?:the )?(?:{FACET_WORD})\b|"
    rf"\b(?:show|give|include)(?: me)? all (?:the )?(?:{FACET_WORD})(?: again)?\b"
)


BRING_BACK = re.compile(
    r"\b(?:bring|put|add|let|allow|get|have|give(?! (?:me|us) back))\s+(?:back\s+)?((?:(?!\s[-\u2013\u2014]\s)(?:[^.;!?,\u2013\u2014]|\.(?=\w)))+?)\s+back(?:\s+in(?:to)?)?\b|"
    r"\b(?:bring|put|add|let|give(?: me| us)?)\s+back(?:\s+in)?\s+(.+?)" + CLAUSE_BREAK + "|"
    r"\b(?:include|allow|show|see|re-?include|readd|re-add|restore|reinstate)\s+((?:[^.;!?]|\.(?=\w))+?)\s+(?:again|back|too|as well|after all)\b|"
    r"\b(?:restore|reinstate|re-?include|unhide|unexclude|un-exclude)\s+(.+?)" + CLAUSE_BREAK + "|"
    r"\b(.+?)\s+(?:is|are)\s+(?:fine|ok|okay|allowed|back)\s+(?:again|after all)\b|"
    r"\b(?:could|can|may|might|should|will|would)\s+(?!(?:you|we|i)\b)(.+?)\s+come\s+back\b|\blet\s+(.+?)\s+come\s+back\b|"
    r"\b(?:want|need|have|like)\s+([^.;!?]+?)\s+(?:in there|in|on the list|included)\s+(?:again|back)\b"
)


TOPIC_SWITCH = re.compile(
    r"^(?:(?:ok|okay|right|alright|now|so|actually|hmm+|well|and|also|sorry|fine|anyway|btw)[, ]+)*(?:new (?:topic|question|search|subject)|"
    # "separate q, ...", "changing the subject to ...", "and now for something else: ...", "for my other project I need
    # ...", "forget the transport stuff. ..."
    r"separate (?:q|qn|question|request|thing|topic|search)|changing (?:the )?(?:topic|subject)(?: to)?|"
    r"(?:(?:scrap|ditch|drop|forget|bin) (?:all )?(?:that|this|everything)[, ]+)?(?:a |do a |start a )?(?:fresh|new|clean) (?:search|start|query)(?: for| on)?|"
    r"(?:scrap|ditch|bin) (?:all )?(?:that|this|everything)\s*[.:;!]+\s*(?=\w)|"
    r"(?:let us |can we |could we )?start (?:over|again|afresh|from scratch)\s*[.,!;:]+\s*"
    r"(?!(?:with )?(?:all|every|any) (?:the )?(?:agencies|publishers|sources|formats|filters|years|frequencies)\b|everything\b|"
    r"(?:(?:and|please|pls|just) )*(?:clear|remove|drop|reset|no) (?:all |any |the |my )?(?:filters?|restrictions?)\b)"
    r"(?:(?:can|could|would) you |please )?"
    r"(?:(?:find|search|look|get|show|give)(?: me| us)?(?: for| up)? )?(?:(?:some |any )?(?:data|datasets|information|info|stats)"
    r" (?:on|about|for) )?(?=\w)|"
    r"switch(?:ing)? (?:topics?|subjects?)(?: to)?|(?:and )?now for something (?:else|(?:completely |totally |entirely )?different)|"
    r"for (?:(?:my|our) (?:other|different|second|next)|another|a (?:different|second|new)) (?:project|study|paper|thesis|assignment|task|report"
    r"|article|piece)[, ]+(?:i|we) (?:also )?(?:need|want|am looking for|are looking for|would like)|"
    r"forget (?:the|about the|all the) (?:\w+ ){0,2}(?:stuff|ones|data|datasets|results|search|topic|one|things)|"
    # "forget the schools, now I'm looking for parks", "forget private property. let's look at HDB rentals now"
    r"forget (?:about )?(?:the |all the )?(?:[\w-]+ ){0,3}?[\w-]+\s*(?:[,.;:!]+|\s[-\u2013\u2014]+)\s*(?:and )?(?:now )?"
    r"(?=(?:i am|i'm|we are|let us|let's|lets|show|find|give|get|search|look|can you|could you|i need|i want)\b)|"
    # "and now something unrelated - hawker centre closures", "another thing entirely: ..", "now another one please: X"
    r"(?:and )?(?:now )?(?:something|anything) (?:unrelated|different|else)(?: entirely| altogether)?\s*(?:[-\u2013\u2014:,.;]+)\s*|"
    r"(?:and )?(?:now )?another (?:thing|topic|subject|question|one)(?: entirely| altogether| now)?(?: please| pls)?"
    r"\s*(?:[-\u2013\u2014:,.;]+)\s*(?=\w)|"
    r"separately|on a separate note|(?:also |now |next )?(?:search|look) (?:for|up)|(?:and )?now (?:something|anything|some data|data|datasets?) (?:on|about|for)|"
    r"(?:i (?:also )?have|another|a second|one more) (?:question|request|search)(?: about| on| for)?|"
    r"(?:something|a) (?:else|different)(?: entirely| altogether)?|(?:totally|completely|entirely) (?:different|new)(?: topic| question| thing| subject)?|"
    r"forget (?:that|this|it|all that|about that)|change of (?:topic|subject|plan)|different (?:topic|question|subject)|"
    r"switching (?:topics|gears)|moving on|next topic|on another (?:note|topic)|unrelated|different thing(?: now)?|"
    r"(?:something|a thing) (?:totally|completely|entirely|quite) (?:different|else|new|unrelated)|"
    r"next (?:one|topic|question|search|request|thing)(?: (?:pls|please|then))?\s*:\s*|"
    # "let's switch to imaging: retinal fundus photographs", "yr 2 topic: land reclamation"
    r"(?:let us |can we |could we )?switch(?:ing)? (?:over )?to [^:,.;]{1,40}:\s*|(?:[a-z0-9]+ ){0,3}topic\s*\d*\s*:\s*|"
    # "now switch to datasets on hospital waiting times", "also searching for: sea level data", "I also need something on
    # foreign domestic workers", "could you also locate the list of licensed pharmacies?"
    r"(?:now )?switch(?:ing)? (?:over )?to (?:datasets?|data|statistics|stats|figures|something|anything) (?:on|about|for)|"
    r"(?:also )?(?:searching|looking|hunting) for\s*:\s*|(?:i|we) also need (?:something|anything|data|datasets|figures|info|information"
    r"|numbers|stats|statistics) (?:on|about|for|covering)|(?:also,? )?(?:could|can) you (?:also )?(?:locate|find|get|pull up) (?:the |a )?list of|"
    # "also can find the list of petrol stations?", "also need ev charging data"
    r"(?:also|and) (?:can (?:you |u )?)?(?:find|search for|look for|get|need|want)(?: me)?(?= (?:the list of|a list of|list of|"
    r"stuff on|data on|datasets? on|info on|information on|[a-z0-9-]+(?: [a-z0-9-]+)? (?:data|datasets|statistics|stats|figures))\b))\b[ ,:;.!-]*"
)


# "what about road accident data instead", "how about energy consumption by sector": a topic of its own (a measured
# quantity, data on something), not a filter ("what about 2020?", "how about monthly", "what about the NEA ones")
WHAT_ABOUT_TOPIC = re.compile(
    r"^(?:(?:and|ok|okay|so|hmm+|now)[, ]+)*(?:what|how) about (?:the )?(?P<topic>(?:number of |numbers? on |data on |datasets? on |figures on )?"
    r"[a-z][a-z-]+(?: [a-z][a-z-]+){0,5} (?:data|datasets|statistics|stats|figures|numbers|rates|counts|attendance|consumption"
    r"|population|cases|prices|usage|levels|emissions|arrivals|enrolment|production|sales|spending|expenditure)"
    r"(?: (?:by|per|in|across|over|for) [a-z][a-z -]{2,30})?)(?: instead| too| as well)?[?.!]*$|"
    r"^(?:(?:and|ok|okay|so|hmm+|now)[, ]+)*(?:what|how) about (?:the )?(?P<count>number of [a-z][a-z -]{3,60}?)(?: instead| too)?[?.!]*$"
)


# "what about dengue?", "how about election results", "and for machine translation?", "and population by age group?":
# a subject of its own after the results; ``parse`` keeps it only when it names no filter value, result or field.
LOOSE_ABOUT = re.compile(
    r"^(?:(?:and|ok|okay|so|hmm+|now|then|alright|right)[, ]+)*(?:(?P<about>(?:what|how) about)|(?P<bare>and))\s+(?!(?:for|in|on|with|from|by|at)\b)"
    r"(?:(?:datasets?|data|stats|statistics|figures|numbers) (?:for|on|about) )?(?:the )?"
    r"(?P<topic>[a-z][\w'-]*(?: [\w'-]+){0,5}?)(?P<tail> (?:instead|too|as well|then|now|also))?\s*[?.!]*$"
)
# "let's switch to CO2 emissions per capita": a subject of its own ("switch to CSV" is a format, read elsewhere)
SWITCH_TO = re.compile(
    r"^(?:(?:ok|okay|so|now|and|right|alright)[, ]+)*(?:let us |lets |can we |could we |we will |i will |i want to )?"
    r"switch(?:ing)? (?:over )?to (?:datasets? (?:on|about) )?(?:the )?(?P<topic>[a-z][\w'-]*(?: [\w'-]+){0,5}?)(?: (?:now|instead|please|pls))?\s*[?.!]*$"
)
# Words that make such a subject a filter, a pointer at the results or a question about them ("and monthly?",
# "what about the second one?", "how about its licence?", "and 2019?").
NOT_A_SUBJECT = frozenset(
    ["one", "ones", "these", "those", "them", "it", "its", "that", "this", "they", "first", "second", "third",
     "fourth", "fifth", "last", "top", "bottom", "couple", "penultimate", "other", "others", "rest", "same", "previous", "next", "more", "less",
     "fewer", "all", "both", "each", "only", "just", "without", "except", "exclude", "excluding", "remove", "drop",
     "back", "undo", "equivalent", "equivalents", "counterpart", "counterparts", "version", "versions", "breakdown",
     "breakdowns", "split", "splits", "licence", "license", "licences", "licenses", "format", "formats", "coverage",
     "publisher", "publishers", "frequency", "link", "links", "url", "size", "source", "sources", "period", "years",
     "dates", "date", "updated", "update", "why", "how", "what", "which", "who", "when", "where", "then", "so",
     "else", "instead", "again", "filter", "filters", "list", "here", "there", "me", "you", "us"]
)  # fmt: skip


# Everyday ways of saying a change, rewritten to the forms the grammar reads (applied in order by ``normalise``).
# "(could) the live feeds be ...", "(if) the PUB entries were ...": the subject of a passive request, then its verb
_PASSIVE_SUBJECT = (
    r"^(?:.*?\b(?:if|that|whether)\s+|(?:(?:and|so|also|then)[, ]+)*(?:could|can|would|might|may|should)\s+)"
    r"((?:the |those |these |all |any )?[\w.&' -]+?)\s+(?:could |might |can |would )?(?:be|were|was|are|is|got|get)\s+"
)
EVERYDAY_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        # What the user means to do with the data is not a filter: "I just want to be sure I cite it properly", "I don't
        # want to double up", "so I only see the official data" (but "I only want to see CSV" restricts)
        (r"\b(?:(?:i|we) )?(?:just|only|simply) (?:want(?:ed)?|need(?:ed)?|wish(?:ed)?|hope|would like|(?:am |are )?trying|try) to "
         r"(?!(?:see|have|get|keep|view|look at|show|include|use)\b)[^,;.!?\u2013\u2014]*", " "),
        (r"\b(?:i|we) (?:do not|would not|did not) (?:want|need|wish|like) to (?!(?:see|have|get|keep|view|look at|show|include|use)\b)"
         r"[^,;.!?\u2013\u2014]*", " "),
        (r"\bso (?:that )?(?:i|we|he|she|they) (?:can |could |may |might |will )?(?:only |just |then )?(?:see(?! (?:every|all|everything|the whole|"
         r"the full|the rest|the others|other))|get|have|show|share|cite|"
         r"explain|present|use|send|tell|give|check|read|understand|plan|write|prepare|report|quote|reference)\b[^,;.!?\u2013\u2014]*", " "),
        # "leave those out and keep the ones about the whole household": what stays is what the exclusion leaves
        (r"(?<=\bout)\s*,?\s*(?:and|but|while) (?:keep|keeping|leave|leaving|retain|retaining) (?:the (?:others|other ones|rest)|the ones|"
         r"everything else|all the rest)\b[^,;.!?]*", " "),
        # A compliment on the list asks for nothing: "That's a good list, thank you."
        (r"(?:^|(?<=[.!?]))\s*(?:oh,? |well,? )?(?:that|this|it|these|those) (?:is|are|was|were|looks?|seems?) (?:a |an )?(?:really |very |most |"
         r"such a )?(?:good|great|nice|useful|helpful|lovely|wonderful|fantastic|excellent|brilliant|handy|solid|perfect)"
         r"(?: list| start| set| selection| results?| bunch| lot)?(?:,? (?:thank you|thanks)(?: (?:so|very) much)?)?\s*[.!]+", " "),
        # Where the user got something is not a publisher: "the Yellow Ribbon reports from a colleague"
        (r"\b(?:from|via|through) (?:a|my|our|the|one of my|one of our) (?:colleague|friend|boss|supervisor|manager|team|teammate|"
         r"co-?worker|client|lecturer|professor|teacher|tutor|mentor|contact|classmate|former colleague)s?\b", " "),
        # A remark on what the results look like asks for nothing: "a few of these look like they're from research"
        (r"(?:^|(?<=[.!?]))\s*(?:a few|some|many|most|several|half|a couple) of (?:these|them|those|the results) "
         r"(?:look|looks|seem|seems|appear|appears)\b[^.!?]*[.!?](?=\s*[^.!?]*\b(?:take|remove|drop|exclude|leave|hide|filter|skip|cut)\b)", " "),
        # "I only really need", "just actually the annual ones": the adverb says nothing
        (r"\b(only|just) (?:really|actually|truly|honestly|basically)\b", r"\1"),
        (r"^(?:(?:please|so|and|then)[, ]+)?(?:might|may|could|can) (?:i|we) (?:please )?(?:have|get|see)(?: instead)?\b", ""),
        # ", may I ask?", "if you don't mind": courtesy at the end
        (r"[,]?\s*\b(?:may i ask|if i may ask|if i may|if you do not mind|if you would not mind)\s*(?=[?.!]*$)", ""),
        # "how many got CSV ah?" (Singlish): how many have
        (r"\bhow many (of (?:these|them|those) )?got\b", r"how many \1have"),
        # "let's scope to CSV", "scope it down to NEA": only that
        (r"\b(?:let us |lets )?scope (?:it |this |them |the (?:list|results|search) )?(?:down )?to\b", "only"),
        # "may I kindly ask what licence X is under?": the courtesy before the question
        (r"^(?:(?:may|might|could|can) (?:i|we)|i would like to|i wanted to|i want to) (?:kindly |please |just )?(?:ask|enquire|inquire|check)"
         r"(?: you)?\b[, ]*", ""),
        # "the one just now, Public Transport Journeys": the one mentioned before, by its name
        (r"^(?:the one|that one) (?:just now|earlier|before|from before|you showed|you mentioned)\b[, ]*", ""),
        # "The one about number of stalls, tell me more": the thing first, then "tell me more"
        (r"^(?!(?:can|could|would|will|please|pls|kindly|ok|okay|so|and)\b)([^,;?]+?)[,;:]?\s+(?:tell me (?:a (?:bit|little) )?more|more info(?:rmation)?|"
         r"more details|details please|info please|more please)\s*[.!?]*$", r"tell me more about \1"),
        # "double-click on the second one", "drill into X", "deep dive on X": tell me more
        (r"\b(?:double[- ]?click|drill(?: down)?|deep[- ]?dive|zoom in|dig)(?: in)? (?:on|into|in)\b", "tell me more about"),
        # "got monthly one or not?": is there one, and only that one
        (r"^(?:so |eh |then )?got (?:the |any )?([\w.-]+(?: [\w.-]+)?) (?:one|ones|version|versions|kind) or not\b", r"only \1"),
        (r"^(?:so |eh |then )?got (?:any(?:thing)? )?(from [\w.&' -]+?) or not\b", r"only \1"),
        # "bring back the other ones", "put the others back": what the restriction left out comes back
        (r"\b(?:bring|put|let|add|have|get)(?:ting)? (?:back )?(?:all )?(?:the )?(?:others|other ones|rest)(?: of them)?(?: back)?(?: in)?\b",
         "clear all filters"),
        # "quarterly also can", "PDF also ok": that is fine too
        (r"\b([\w-]+(?: [\w-]+)?) (?:also|too) (?:can|ok|okay|fine|is fine|are fine|acceptable|no problem)(?=\s*(?:[,;.!?]|$))", r"bring back \1"),
        # Voice typing: "number to" is number two, "number for" number four
        (r"\b(number|#) (?:to|too)\b", r"\1 two"), (r"\b(number|#) (?:for|fore)\b", r"\1 four"), (r"\b(number|#) won\b", r"\1 one"),
        # "license? SQuAD", "formats: the second one": the field asked for, then what it is asked of
        (r"^(licen[cs]e|publisher|formats?|coverage|frequency|link|url|size)\s*[?:]+\s*(?:for |of |on )?(?=\S)(.+?)\s*\?*$",
         r"what is the \1 of \2?"),
        # "annual would suit better": the one wanted
        (r"(?:^|(?<=[,;\u2013\u2014-]))\s*(?:the |an? )?([\w.-]+(?: [\w.-]+)?) (?:ones? |versions? |series )?(?:would|will|might) "
         r"(?:suit (?:me |us )?(?:better|best)|be (?:better|preferable|ideal|more useful|more helpful)|work better|do (?:nicely|fine|better)|"
         r"suffice)\b", r" only \1"),
        # "rather less of the monthly series", "not terribly keen on the URA ones": said gently, it still goes
        (r"\b(?:(?:(?:rather|a (?:bit|little|lot)|somewhat|much|far) )?less of|(?:i am |we are )?not (?:terribly |very |overly |that |too |especially )?"
         r"(?:keen on|fussed about|bothered about|taken with|fond of))\b(?! (?:a|an|one|it|that)\b)", "exclude"),
        # "drop everything that isn't World Bank": what is not X goes, so only X stays
        (
            r"\b(?:drop|remove|exclude|hide|cut|lose|filter out|get rid of|take out|leave out) (?:everything|anything|all|any|"
            r"the ones|ones|those|whatever|datasets|results|stuff)(?: that| which)? (?:is|are) not (?:from |by )?",
            "only ",
        ),
        (r"\b(anything|something|ones|datasets|stuff|results) (?:outside(?: of)?|beyond) ", r"\1 other than "),
        # A negative question asks for the rest: "isn't there anything that's not from LTA or HDB?"
        (
            r"^(?:(?:is|are) (?:there )?not (?:there )?|(?:is|are) there )?(?:anything|any(?: ones| datasets| results| data)?|"
            r"something|ones|datasets)(?: (?:that|which))? (?:is|are) not (?:from|by|published by|made by|produced by|put out by) "
            r"([^?.!;]+?)\s*(?:[?.!;].*)?$",
            r"exclude \1",
        ),
        # "it would be helpful to keep only ...", "it'd be great if you could show me ...": the request
        (
            r"\bit would be (?:most |very |really |quite |more )?(?:helpful|useful|great|good|nice|ideal|better|preferable|best|"
            r"appreciated)(?:,? for (?:the time being|now),?)? (?:to|if (?:you|we) (?:could|can|would)) "
            r"(?:(?:have|see|get|show|keep|retain|be shown)(?: me| us)? (?=the |only |just |those |these ))?",
            "",
        ),
        # "monthly series only please, and ...": the courtesy ends the inclusion
        (r"\bonly,? (?:please|pls|thanks|thank you|thx)\b", "only"),
        (r"\b(?:just|only) (?:keep|retain|leave|show)(?: me| us)?\b", "only"),
        # Hedges around a request: "maybe take out X? not sure we need them"
        (r"[,;.?!-]?\s*\b(?:(?:i am |we are |i'm )?not (?:sure|certain)|unsure)(?: (?:if |whether |that )?(?:we|i) (?:need|want|use)"
         r"(?: (?:them|those|it|that|these))?)?(?: (?:tbh|honestly|really|though))?\s*[.?!]*$", " "),
        (r"^((?:(?:hmm+|ok|okay|so|um+|well|and|yeah)[, ]+)*)(?:maybe|perhaps|possibly|probably)[, ]+(?=(?:drop|remove|exclude|take|leave|hide|cut|get rid|lose|ditch|skip|only|just|"
         r"keep|bring|put|add|restore|show|limit|restrict|filter)\b)", r"\1"),
        # Courtesy around the request: "would you be so kind as to tell me ...", "I wonder if you'd be so good as to show me ..."
        (
            r"(?:\b(?:i|we) (?:wonder|wondered|was wondering|were wondering) if )?(?:\b(?:would|could|might) you |\byou (?:would|could|might) )?"
            r"(?:be )?\b(?:so kind as to|kind enough to|so good as to|good enough to)\s+",
            "",
        ),
        (r"\btell me (?:a (?:little|bit) |a little bit )(?:more )?about\b", "tell me more about"),
        # Singlish order: "the IMDb one tell me more, got link?"
        (r"^((?:the |that )?[\w .+-]+? one) (tell me more|more info|more details)\b", r"\2 about \1"),
        # "then HateXplain tell me more leh": the name, then the request, and nothing after it
        (
            r"^(?:(?:then|and|so|ok|okay|now|next)[, ]+)?(?!(?:tell|give|more|can|could|pls|please)\b)([\w.+-]+(?: [\w.+-]+){0,3}?),? "
            r"(tell me more|more info|more details)(?: (?:pls|please|also|too))?\s*[?!.]*\s*$",
            r"\2 about \1",
        ),
        (r"\bgot (link|url|website)\b", r"\1"),
        # "details and link for X": more about X (the answer carries its link)
        (r"\b(?:details|info|information|summary|description) and (?:the )?(?:(?:paper|download|source) )?(?:links?|urls?|homepage|paper)s?"
         r" (?:for|of|on|about)\b", "details on"),
        # "what is RESISC45? tell me more": more about it
        (r"^(?:so |and |ok )?what(?:'s| is| are)\s+(.+?)\s*\?+\s*(?:pls |please )?(?:tell me more|more info|more details|details)\b.*$",
         r"tell me more about \1"),
        # Singlish "no need the API one", "these ones no need PDF": that is not wanted ("no need to sort" is left alone)
        (r"(?:^|(?<=[,;.!?] )|(?<=these ones )|(?<=those ones )|(?<=these )|(?<=those ))no need (?:for |of )?"
         r"(?!to\b|lah\b|already\b|anymore\b)", "no "),
        (r"\bwhat (is|are) (.+?) exactly\b", r"what \1 \2"),
        # "only what the Ministry of Manpower has put out": that publisher
        (r"\b(?:what|whatever|the ones?|those|datasets|things) (?:that )?(.+?) (?:has|have|had) (?:put out|published|released|produced|issued)\b", r"\1"),
        # "those datasets whose coverage extends to at least 2021": a time window from that year
        (
            r"\b(?:(?:(?:retain|keep|show(?: me)?) )?only (?:those |the |these )?(?:datasets|ones|results|records|series) )?"
            r"(?:whose|with|that have|where the) (?:coverage|data|records|series) (?:extends?|goes|go|runs?|reach(?:es)?|continues?) "
            r"(?:to|into|until|up to|through|past) (?:at least )?((?:19|20)\d\d)\b",
            r"from \1",
        ),
        (r"\b([\w.&'-]+(?: [\w.&'-]+)?)-only (restriction|filter|limit|condition)\b", r"\1 \2"),  # "the OECD-only filter"
        # "KITTI and anything built on top of it": every title with the name
        (
            r"\b([\w.+-]+) and (?:anything|everything|all|any(?: of the)?|whatever(?: is)?) (?:built|based|derived|made) (?:on|from|off)"
            r"(?: top of)? (?:it|that|them)\b",
            r"\1 variants",
        ),
        # "remove the general-purpose ones: COCO, PASCAL VOC and KITTI", "drop text-only QA like SQuAD": the names listed go
        (
            r"^((?:(?:please|pls|also|and|now|then|ok|okay)[, ]+)*(?:remove|drop|exclude|hide|cut|lose|filter out|get rid of|take out|"
            r"leave out|skip|ditch|bin|lose|no))\s+(?:the |all |any |those )?(?:[\w-]+ ){0,4}?"
            r"(?:[\w-]+\s*:\s*|(?:ones|datasets|sets|benchmarks|stuff|things|kinds?|types?|collections|corpora|families|series|sources)"
            r"\s+[-\u2013\u2014]+\s+|"
            r"[\w-]+,? (?:like|such as|e\.?g\.?,?|for example|for instance|i\.?e\.?,?|namely) )(?=\S)"
            # ... not a second request after the dash: "no captioning stuff - drop anything with COCO in the name"
            r"(?!(?:drop|remove|exclude|hide|skip|cut|ditch|kill|leave|filter|take|get|only|just|and|but|please|pls|i|we|so)\b)",
            r"\1 ",
        ),
        # "drop the by-country breakdowns", "only the by-age tables": the titles that say "by country" / "by age"
        (r"(?<![\w-])(?:the |those |these |all )?(?<![\w-])by[- ]([a-z]+(?:[- ](?:and|&)[- ][a-z]+)?) (?:breakdowns?|splits?|tables?|versions?|ones|series|figures|cuts|views)\b",
         r"the ones with by \1 in the title"),
        # "now rural instead", "the GeoJSON ones instead": a value in place of the one kept
        (r"^(?:(?:now|ok|okay|and|then|so|hmm)[, ]+)*((?:the )?[a-z][\w.$-]*(?: [a-z][\w.$-]*)?) (?:ones? |figures |versions? |series |data )?instead[.!?]*$",
         r"only \1"),
        # "On reflection, I would prefer monthly ...": the lead-in says nothing
        (r"^(?:on (?:reflection|second thoughts?|further thought|balance)|thinking about it|come to think of it|having thought about it|"
         r"after some thought|actually|in fact|all things considered),?\s+(?=\S)", ""),
        # "only datasets that include 2005", "those which cover 2010 until 2020": a time window
        (r"\b(?:only )?(?:(?:the |those |these )?(?:datasets|ones|results|records|series|those|ones) )?(?:that|which) (?:include|includes|contain|contains|"
         r"span|spans|cover|covers|run through|runs through|overlap|overlaps)(?: the year)? (?=(?:from )?(?:19|20)\d\d\b)", "covering "),
        # "non-IMF alternatives please": anything but that
        (r"^(?:(?:show|give|find|get)(?: me| us)? )?(?:(?:only|just) )?(?:the )?non-([a-z][\w.&]{1,7}) (?:alternatives|ones|datasets|options|sources|"
         r"versions|data|results|stuff)(?: only)?(?: please| pls)?[.!]?$", r"exclude \1"),
        # "anything COCO-related", "the KITTI-based ones": every title with the name
        (r"\b(?:(?:anything|everything|all|any|the|those)\s+)?([\w.+]+)-(?:related|based|derived|specific|something|whatever|style|type|"
         r"flavou?red)(?: (?:ones|datasets|stuff|things|collections|sets|benchmarks|corpora))?\b", r"\1 variants"),
        # "MNIST is needed as a baseline after all, please add it again": what is needed comes back
        (r"^.*?\b([\w.+-]+) (?:is|are) (?:needed|required|necessary|wanted|essential)\b.*?\b(?:add|put|bring)"
         r"(?: (?:it|them|that|those))? (?:again|back)\b.*$", r"bring back \1"),
        # "what about for schools?", "how about in hospitals instead": the same kind of data for another subject
        (r"^(?:(?:and|ok|okay|so|now|hmm)[, ]+)*(?:what|how) about (?:for|in) ([a-z].+?)(?: instead)?\s*[?.!]*$", r"the same but for \1"),
        # "ok show the data.gov.sg ones as well": that value back beside what is kept
        (r"^(?:(?:ok|okay|and|also|now|then|hmm)[, ]+)*(?:show|include|add|give|let in|put in)(?: me| us)? (?:the )?([\w.&' -]+?)"
         r"(?: ones| datasets| results| stuff| data)? (?:as well|too)[.!]?$", r"bring back \1"),
        # "tbl 1 v 2": a table of #1 and #2
        (r"\btbl\b", "table"),
        (r"(?<=[\w#]) v (?=#?\w)", " vs "),
        (r"^(?:a )?table (?:of )?#?(\d{1,2}) (?:vs|and|&|with) #?(\d{1,2})\b", r"compare #\1 and #\2 in a table"),
        # A reason, then "take them out": "Cityscapes and PASCAL VOC aren't aerial, so please take them out",
        # "Music21 is more about notation, I think - please remove it", "we already train on KITTI and SemanticKITTI, so
        # take those two out": what the reason names goes.
        (
            r"^(?:(?:we|i) (?:already |currently )?(?:use|train on|trained on|have|tried|used|work with|evaluated on|know)\s+"
            r"|(?!(?:these|those|they|it|that|this|them|all|both|any|anything|everything|why|y|what|how|where|who|which|when|he|she|i|we|you)\b)"
            r"(?=[^,;.!?]+? (?:is|are|was|were|seems?|looks?) ))([^,;.!?]+?)(?: (?:is|are|was|were|seems?|looks?) [^;.!?]*?)?"
            r"(?:[,;.!?]|\s-+)+\s*(?:(?:so|and|then|i think|i guess|hence)[,\s-]+)*(?:(?:please|pls|kindly|can you|could you)\s+)*"
            r"(?:take|remove|drop|exclude|leave|get rid of|cut|lose|ditch|hide|yeet|bin|nuke|axe|skip)\s+(?:them|it|those|these|that|both)"
            r"(?:\s+(?:two|three|both))?(?:\s+(?:out|off|away))?(?:\s+(?:please|pls|too))?[.!]?$",
            r"remove \1",
        ),
        (r"\b(?:i|we) would not say no to\b", r"i would like"),
        # Hedges and reasons that name nothing to filter: "if there are any", "if that's not too fussy of me",
        # "I don't have an account"
        (r",?\s*\bif (?:there (?:are|is) (?:any|one|some)|any|that is not too [a-z]+(?: of me)?|it is not too [a-z]+(?: of me)?)\b", " "),
        (
            r"[,;.-]?\s*\b(?:i|we) (?:do not|cannot|can not) (?:have|get|afford|access) (?:an? |any )?(?:api )?"
            r"(?:account|login|access|key|subscription|permission|token|credentials)s?\b",
            " ",
        ),
        # "also need ev charging data, separate from this": a new request
        (r"^(.+?),?\s+(?:separate(?:ly)?|unrelated|apart) (?:from|to) (?:this|that|these|the (?:above|last one|previous(?: one)?))[.!]?$", r"separately, \1"),
        # "a fuller description of 'X'", "what share of the listed datasets ...": questions about the results
        (
            r"\b(?:i would like|give me|can i have|could i have|i want|i need)?\s*(?:a |the )?(?:fuller|full|longer|more detailed|"
            r"detailed|complete) (?:description|summary|account|overview) (?:of|for)\b",
            "tell me more about",
        ),
        (r"\bwhat (?:share|proportion|fraction|percentage|part) of (?:the )?(?:listed |shown |above )?(?:datasets|results|ones|these|them)\b", "how many of these"),
        (r"^(?:a )?table (?:comparing|of|for) ", "compare "),
        # "every publisher, not just the OECD" widens: the "not just" names no exclusion
        (r"\bnot (?:just|only|solely|merely) (.+?),? but (?:also )?", r"\1 and "),
        (r"[,;]?\s*\bnot (?:just|only|solely|merely) (?:the )?[^,;.!?]*", " "),
        # Courtesy that carries a "not": "nor, if you don't mind, anything from URA"
        (r",?\s*\bif you (?:do not|would not) mind\b,?", " "),
        (r"^(?:nor|neither|and not|also not)\b,?\s*", "exclude "),
        # Singlish "X can?": asks for X ("quarterly one can? the yearly ones not so useful")
        (r"^(?!(?:which|what|who|how|where|when|why|so|can|could|i|we|you)\b)([a-z][\w -]{1,40}?)\s+can\s*\?\s*", r"\1, "),
        # "the yearly ones not so useful for me": those go
        (
            r"\b((?:the |those |these )?[\w-]+(?: [\w-]+)? ones?) (?:are |is )?not (?:so |very |that |really |too |at all )?"
            r"(?:useful|relevant|needed|helpful|necessary|important|wanted)\b(?: (?:for|to) (?:me|us|my \w+|our \w+))?",
            r"exclude \1",
        ),
        (r"\b(?:i|we) (?:would|do|really do|really would) not (?:want|like|need|care) to (?:see|have|get|be shown)\b", "exclude"),
        # Passive requests: "could the live feeds be left out as well?", "I should be grateful if the PUB entries were
        # removed", "could those be brought back?"
        (
            _PASSIVE_SUBJECT +
            r"(?:left out|removed|dropped|excluded|taken out|hidden|filtered out|omitted|set aside|put aside)\b(?: (?:as well|too|also|for now))*",
            r"exclude \1",
        ),
        (
            _PASSIVE_SUBJECT +
            r"(?:brought back|put back|restored|added back|reinstated|let back in)\b",
            r"bring back \1",
        ),
        # A verdict on the results beside the request says why, it names nothing: "aiya like that not useful, bring back
        # URA", "remove the wage_ ones, they look weird"
        (r"(?:^(?=[^,;]*[,;]\s*\w)|(?<=[,;]))\s*(?:like that|that|this|it|these|those|they)(?:'s| is| are| was| were)?\s+(?:not (?:very |really |so )?"
         r"(?:useful|helpful|good|relevant|right)|useless|no use|not what (?:i|we) (?:want|need)(?:ed)?|looks? (?:weird|odd|strange|wrong|off)|"
         r"seems? (?:weird|odd|strange|wrong|off))\s*(?=[,;.!?]|$)", ""),
        # Why, not what: "remove the API ones, I can't use them on my computer"; "my web guy says KML and SHP he doesn't want"
        (r"(?<=\S)[,;]?\s*\b(?:i|we) (?:cannot|can not|could not|do not|don't) (?:use|open|read|need|handle) (?:them|it|those|these|that)\b[^,;.!?]*", ""),
        (r"\b(?:my|our) (?:[\w-]+ ){0,3}?(?:says?|said|told me|tells me)(?: that)?\s+", ""),
        (r"(?<=\w)\s+(?:he|she|they) (?:says?|said|told me|tells me)\b[^,;.!?]*", ""),  # "... ones he says their site needs a key"
        # "monthly too detailed for my report, quarterly instead": the verdict explains the "instead"
        (r"^[^,;]*?\b(?:too|so) (?:detailed|granular|fine|frequent|noisy|much|many \w+|big|long|short|slow|old|coarse|rough|sparse)\b"
         r"[^,;]*[,;]\s*(?=[^,;]*\binstead\b)", ""),
        # "the 2003 one so old, remove": the one, not what is said of it
        (r"\b(the [\w.-]+(?: [\w.-]+){0,3}? ones?)\s+(?:is |are )?(?:so|too|very|quite|damn|super)\s+[a-z]+(?=\s*[,;]\s*(?:remove|drop|exclude|delete|skip|kill|hide|take)\b)", r"\1"),
        # "annual only pls the monthly ones are too much": a new clause after the "please"
        (r"\b(only|just)\s+(?:pls|please|plz)\s+(?=\w)", r"\1, "),
        # three letters spelt out are an acronym: "the a p i ones"
        (r"\b([a-z]) ([a-z]) ([a-z])\b(?: ([a-z])\b)?", lambda m: "".join(g for g in m.groups() if g)),
        # "item six", "entry two": a position in the list
        (rf"\b(item|entry|option|result|number) ({'|'.join(CARDINAL_WORDS)})\b", lambda m: f"{m[1]} {CARDINAL_WORDS[m[2]]}"),
        # "that won", "the second won": dictation's "one"
        (r"\b(that|this|the|first|second|third|fourth|fifth|last|next|other|which|top) won\b", r"\1 one"),
        # "skip anything broken down by income quintile": the titles that say so
        (r"\b(?:anything|everything|ones|datasets|those|the ones|tables|stuff)(?: (?:that|which) (?:is|are))? (?:broken down|split|"
         r"disaggregated|tabulated|cross-tabulated) by ([a-z]+(?: [a-z]+){0,2}?)(?=\s*(?:[,;.!?]|$|\s(?:we|i|please|pls|as|since|because)\b))",
         r"the ones with \1 in the title"),
        # "drop anything that only comes as KML": that format
        (r"\b(?:(?:anything|everything|whatever)(?:\s+(?:that|which))?|(?:ones|datasets|those|the ones|stuff)\s+(?:that|which))\s+(?:only\s+)?"
         r"(?:comes?|is|are|exists?)\s+(?:only\s+)?(?:as|in)\s+(?:an?\s+)?(?=\w)", ""),
        # "is it possible to remove ...", "it is possible to have the half-yearly instead?": the request itself
        (r"^(?:(?:and|so|then|ok|okay)[, ]+)?(?:is it|it is) (?:possible|ok|okay) (?:for you )?to (?:(?:have|get|see) (?=the |only |just ))?", ""),
        # Courtesy before the request: "I wonder if you might restrict this to ...", "I was wondering whether you could ..."
        (r"^(?:(?:i|we) (?:wonder|wondered|was wondering|were wondering|would be grateful|should be grateful) (?:if|whether) )"
         r"(?:you |it |we |i )?(?:might|could|would|can|may|should|is possible to)?\s*(?:possibly |perhaps |kindly |please )?", ""),
        # "only those that are updated every year": that frequency
        (r"\b(?:that are |which are |that get |which get )?(?:updated|refreshed|published|released|revised) (?:every|each|once a|once per|"
         r"once every) (year|month|quarter|week)\b", r"\1ly"),
        (r"\b(?:that are |which are |that get |which get )?(?:updated|refreshed|published|released|revised) (?:every|each|once a) day\b", "daily"),
        # "remove all of those filters again": every filter goes
        (r"\b(?:remove|drop|clear|reset|lift|take off|get rid of|scrap|ditch|lose|kill) (?:all|every one|both|the two)(?: of)? (?:the |those |these |my |our )?(?:filters|restrictions|"
         r"conditions|limits|chips)\b", "clear all filters"),
        # "JSON isn't much use to me": that goes
        (r"(?:^|(?<=[,;.!?\u2013\u2014-]))\s*(?:(?:i am afraid|i fear|sadly|unfortunately|honestly|frankly)[, ]+)?"
         r"((?:the |those |these )?[^\s,;.!?\u2013\u2014-](?:(?! - )[^,;.!?\u2013\u2014])*?) (?:is|are) (?:not|of no) (?:much |of much |any |"
         r"of any |really of )?use\b(?: (?:to|for) (?:me|us|my \w+|our \w+))?", r" exclude \1"),
        # "give me the annual equivalents instead": that value in place of the one kept
        (r"^(?:(?:please|pls|ok|okay|so|and|now|then)[, ]+)*(?:give me|show me|i want|i would like|i need|can i have|could i have|"
         r"can i see|could i see) (?:the )?([a-z][\w.$-]*) (?:equiv[a-z]*|versions?|counterparts?|alternatives?) "
         r"(?:instead|please|instead please)\b", r"only \1"),
        # "only curious about the Energy Market Authority's figures": that publisher's
        (r"\b(?:only|just) (?:curious|interested|bothered) (?:about|in)\b", "only"),
        # "ImageNet shouldn't be in there - remove it": the subject goes
        (
            r"^(.+?) (?:should not|does not|do not|must not|need not) (?:be|belong|appear)(?: (?:in|on))? "
            r"(?:there|here|the list|this list|the results|these results)\b.*$",
            r"remove \1",
        ),
    )
)  # fmt: skip


# Malay follow-ups -> the English the grammar reads (applied in order, on folded text).
def _rewrites(pairs: tuple) -> tuple:
    """(pattern, replacement) pairs of a word table, the patterns compiled once."""
    return tuple((re.compile(pattern), repl) for pattern, repl in pairs)


MALAY_FOLLOWUP: tuple[tuple[re.Pattern[str], str], ...] = _rewrites(
    (
        (r"\b(?:tak|tidak|x) (?:payah|nak|mahu|mau|perlu|guna|pakai)\b|\btaknak\b|\btakmau\b|\bjangan(?: bagi| letak)?\b",
         "do not want"),
        # a doubled word is a plural ("map2", "lain-lain"); "yang lain" are the others
        (r"\b(map|file|fail|data|lain|benda|jenis|tahun|dataset|laporan|statistik)(?:2|-\1)\b", r"\1"),
        (r"\byang lain\b|\blain(?=\s*(?:buang|remove|,|$))", "the others"),
        (r"\b(?:yang |fail |file )?jenis peta\b|\bfail peta\b|\bfile map\b", "map files"),
        (r"\b(?:antara|dalam|daripada|dari) (?:ni|ini|semua ni|senarai ni)\b", "of these"),
        (r"\b(?:yang mana|mana satu|mana yang)\b", "which one"),
        (r"\bpaling (?:lama|panjang)\b", "longest history"), (r"\bpaling (?:awal|lama start|dulu)\b", "earliest"),
        (r"\bpaling (?:baru|terkini|latest|recent)\b|\bterbaru\b|\bterkini\b", "most recent"),
        (r"\b(?:ada )?berapa (?:banyak|ramai)\b|\bada berapa\b", "how many"),
        (r"\bcover tahun berapa(?: sampai| hingga| ke)? (?:tahun )?berapa\b|\bdari tahun berapa\b", "what coverage"),
        (r"\bsama (?:macam|seperti) (?:ni|ini|tadi|tu|itu)\b", "the same"),
        (r"\btapi\b", "but"), (r"\buntuk\b", "for"), (r"\bdengan\b", "and"), (r"\batau\b", "or"),
        (r"\bnombor (\d)\b", r"#\1"),
        (r"\bhow many (?:yang|yg)\b", "how many are"),
        (r"\b(?:bagi|beri|kasi|tunjuk)(?: (?:saya|aku|kami))?\b(?! link)", ""), (r"\bnak\b", "want"), (r"\bterus\b", ""),
        (r"\b(?:tak )?(?:boleh|bole|leh) tak\b|\bada tak\b|\bkan\b(?=\s*\?*$)|\b(?:ek|ke|ya|ye|yer)\b(?=\s*[?.!]*$)", ""),
        # "X je" (only X), unless it closes "that's all" ("tu je")
        (r"(?<!\btu )(?<!\bitu )(?<!\bni )\b((?:[\w.&+-]+ )?[\w.&+-]+) (?:je|jer|sahaja|saja)\b", r"\1 only"),
        (r"\bbuang(?: semua)?\b|\bbuangkan\b", "remove"),
        (r"\bbawa balik\b|\bkembalikan\b", "bring back"),
        (r"\b(?:siapa yang|siapa) (?:publish|terbitkan|keluarkan|buat)\b", "who publishes"),
        (r"\bnombor (satu|dua|tiga|empat|lima)\b", r"number \1"),
        (r"\bsatu\b", "one"), (r"\bdua\b", "two"), (r"\btiga\b", "three"), (r"\bempat\b", "four"), (r"\blima\b", "five"),
        (r"\byang pertama\b", "the first one"), (r"\byang kedua\b", "the second one"), (r"\byang ketiga\b", "the third one"),
        (r"\blesen\b", "licence"), (r"\bfail peta\b", "map files"), (r"\b(?:bagi|beri|kasi) link\b", "give me the link"),
        (r"^(.+?) (?:tu|itu) apa\b", r"what is \1"), (r"^(.+?),? apa\s*\?", r"what about \1?"),
        (r"\byang dari\b", "the ones from"), (r"\bdari(?:pada)?\b", "from"), (r"\b(\w[\w.-]*) punya semua\b", r"all the \1 ones"),
        (r"\byang ([\w.&-]+(?: [\w.&-]+){0,3}?) punya\b", r"the \1 ones"),  # "buang yang World Bank punya"
        (r"\bsemua ([\w.&-]+(?: [\w.&-]+){0,3}?) punya\b", r"all the \1 ones"),  # "semua World Bank punya, buang"
        (r"\b(?:tu|itu|tadi|saja|sahaja|je|pula|semua tu)\b", ""), (r"\bsemua\b", "all"),
        (r"\byang\b", "the"),  # what the rules above left of "yang": "tak nak yang API"
        (r"\bsaya (?:guna|pakai) [\w ]+$", ""),  # "saya guna Excel saja": why, not what
        # the verb last: "all map files remove", "X remove, Y remove"
        (r"^(?!remove\b)([^,;.]+?)\s+remove\s*(?=[,;.!?]|$)", r"remove \1"),
        (r"^(?!remove\b)(?!.*\b(?:that|this|last|it)\b)([^,;.]+?)\s+skip\s*(?=[,;.!?]|$)", r"remove \1"),  # "WMT 的都 skip lah"
        # "NEA je, yang lain2 buang": "only NEA" already says the others go
        (r"^(.*\bonly\b[^;]*?)\s*[,;]\s*(?:remove (?:all )?the others|(?:all )?the others (?:all )?remove)\s*[.!]*$", r"\1"),
    )
)


# Chinese words in an English follow-up (Singapore's mixed register) -> the English the grammar reads. Chinese has no
# spaces, so each replacement brings its own: "World Bank 那些不要, 我只要 Singapore 的", "ok 还是把 WMT 放回来吧".
_CN_ORDINALS = {"一": "first", "二": "second", "两": "second", "三": "third", "四": "fourth", "五": "fifth", "1": "first",
                "2": "second", "3": "third", "4": "fourth", "5": "fifth"}  # fmt: skip
CHINESE_FOLLOWUP: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = _rewrites(
    (
        # Spaces between Chinese characters carry nothing ("哪 个 最 早" is "哪个最早"): the table reads them away
        (r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", ""),
        (r"(?:还是)?把\s*(.+?)\s*(?:放回来|放回去|放回|加回来|加回去|加回)", r" bring back \1 "),
        (r"放回来|放回去|放回|加回来|加回", " put it back "),  # no object: what was taken out last
        (r"算了\s*[,，]?|其实|嗯+|了(?=\s*[,，.!?。！？]|\s*$)|那(?![些个])", " "),
        (r"全部|所有", " all "),
        (r"它们|他们", " they "), (r"它", " it "), (r"\b(it|they)\s*是\s*", r"\1 is "),
        (r"([A-Za-z][\w-]*)\s*还是\s*(?=[A-Za-z])", r"\1 or "),  # "weekly 还是 annual": or
        (r"\bhow many\s*是\s*", "how many are "),
        # "LibriSpeech 是 English 的, 拿掉": what the dataset is explains, the verb after the comma acts on it
        (r"^([^,，]*?[A-Za-z][^,，]*?)\s*(?<!还)是(?!谁|什么|哪)\s*[^,，]+?的?\s*(?=[,，])", r" \1 "),
        (r"(.+?)的?history最长|哪(?:一)?个(?:的)?\s*(.+?)\s*最长", lambda m: f" which has the longest {m.group(1) or m.group(2)} "),
        (r"哪(?:一)?个(?:是)?最早(?:开始)?(?:有)?", " which starts earliest "),
        (r"最新的?是哪(?:一)?个|哪(?:一)?个(?:是)?最新的?", " which is the most recent "),
        (r"比较", " compare "),
        (r"第\s*([一二两三四五1-5])\s*个", lambda m: f" the {_CN_ORDINALS[m.group(1)]} one "),
        (r"(?:现在)?(?:有)?几个是\s*(.+?)\s*的", r" how many are \1 "),
        (r"(.+?)\s*是谁\s*(?:publish|发布|出版|做|出)的?", r" who publishes \1 "),
        (r"(.+?)\s*是什么\s*(?:ah|啊|呢)?\s*[?？]+\s*(?:tell me more|more info|more details|details)\b", r" tell me more about \1 "),
        (r"(.+?)\s*是什么", r" what is \1 "),
        (r"跟\s*(.+?)\s*没(?:有)?关系", r", not \1 "),
        (r"(?:不要了?|不需要|别要|不用)(?=\s*(?!(?:leh|lah|lor|la|ah|meh|hor|liao|loh)\b)[A-Za-z0-9\u4e00-\u9fff])", " no "),  # "不要 PDF"
        (r"不要了?|不需要|别要|不用", " no need "),  # "PDF 不要": the object before it
        (r"我?只要|只看|只需要|我?只想要", " only "),
        # the verb last ("KML GeoJSON 那些都去掉"), else first ("去掉 PDF")
        (r"(^|[,;，])\s*([^,;，.!?]+?)\s*(?:那些|这些)?\s*都?\s*(?:去掉|删掉|拿掉|删除|去除|skip\s*掉)\s*(?:吧|啦)?\s*(?=[,;，.!?。！？]|$)",
         r"\1 remove \2 "),
        (r"去掉|删掉|拿掉|删除|去除|skip\s*掉", " remove "),
        (r"\s*一下", " "),
        (r"太多了?", " "),
        (r"和|跟|还有", " and "),
        (r"也", " also "),
        (r"那些|这些|那个|这个|都|掉|还是|的|吧|啊|呢|嘛|啦|我", " "),
    )
)


# Romanised Tamil words in an English follow-up: "rural vendaam, national and urban mattum", "mudhal rendu compare
# pannunga", "Dakshina pathi konjam sollunga, link irukka?"
TAMIL_FOLLOWUP: tuple[tuple[re.Pattern[str], str], ...] = _rewrites(
    (
        (r"\b(\d{4}) ?(?:kku|ku) munn?aa?di mudi(?:nja|ncha|ntha)\b", r"ending before \1"),
        (r"^(.+?) pathi (?:konjam )?(?:sollunga|sollu|solla mudiyuma|sollungal)\b", r"tell me more about \1"),
        (r"\b(?:konjam|ellam|ellaam|pothum)\b", ""),
        # "pa" / "ma" (a friendly tag) only after a Tamil word: "PA" alone is the People's Association
        (r"\b(sollunga|sollu|pannunga|pannu|vendaam|venaam|venam|mattum|irukka)\s+(?:pa|ma)\b", r"\1"),
        (r"\bv(?:e|ei)nd(?:aam|aa|am)\b|\bvenaam\b|\bvenam\b", "no need"),
        (r"\bmattum\b", "only"),
        (r"\bmudhal rendu\b|\bmuthal rendu\b", "first two"),
        (r"\bmudhal\b|\bmuthal\b", "first"),
        (r"\brendavathu\b|\brendaavathu\b", "second"),
        (r"\bmoonavathu\b", "third"),
        (r"\brendu\b", "two"),
        (r"\blink irukk?a\b", "link?"),
        (r"\b(?:pannunga|pannu|pannungal)\b", ""),
    )
)


# Romanised Hindi words in an English follow-up (Hinglish): "URA wale hatao, sirf NParks", "PDF wala hatao yaar",
# "pehle wale ka licence kya hai?", "sab wapas lao". The verb comes last, as in Malay; that table's verb-last rule
# (applied after this one) puts "remove" first.
_HINDI_ONES = r"(?:wala|wale|wali|waala|waale)"
HINDI_FOLLOWUP: tuple[tuple[re.Pattern[str], str], ...] = _rewrites(
    (
        # "X hatao, woh nahi chahiye": the second clause says the first again
        (r"^(.+?\b(?:hatao|hata do|nikalo|nikaal do|nikal do))\s*[,;.]\s*(?:(?:woh|wo|voh|ye|yeh|mujhe)\s+)?"
         r"(?:nahi|nahin|nai) (?:chahiye|chaiye|chahie)\b", r"\1"),
        (r"\b(?:nahi|nahin|nai|mat) (?:chahiye|chaiye|chahie|dikhao|dikhaiye|dikha do|dikhana)\b", "do not want"),
        (r"\bsab (?:kuch )?(?:wapas|wapis|vapas) (?:lao|laao|le aao|karo|do|kar do)\b", "bring everything back"),
        (r"\b(?:wapas|wapis|vapas) (?:lao|laao|le aao|karo|do|kar do)\b", "bring back"),
        (r"\b(?:hatao|hata do|hatado|hataiye|hata dijiye|hata dena|nikalo|nikaal do|nikal do|nikaalo)\b", "remove"),
        (r"\bkoi bhi\b", "any"),
        (rf"\b(?:pehla|pehle|pehli|pahla|pahle) {_HINDI_ONES}\b", "the first one"),
        (rf"\b(?:doosra|dusra|doosre|dusre|doosri|dusri) {_HINDI_ONES}\b", "the second one"),
        (rf"\b(?:teesra|tisra|teesre|tisre|teesri) {_HINDI_ONES}\b", "the third one"),
        (rf"\b(?:aakhri|akhri|aakhiri) {_HINDI_ONES}\b", "the last one"),
        (r"^(.+?) (?:ko )?(?:kaun|kon) publish kar(?:ta|ti|te) (?:hai|hain|h)\b", r"who publishes \1"),
        (r"^(.+?) (?:kisne|kis ne) publish (?:kiya|kia|ki)\b", r"who published \1"),
        (r"^(.+?) (?:ka|ki|ke) ([a-z-]+(?: [a-z-]+)?) (?:kya|kaisa|kitna) (?:hai|hain|h|tha)\b", r"what is the \2 of \1"),
        (r"\bsabse (?:purana|purane|purani)\b", "the oldest"), (r"\bsabse (?:naya|naye|nayi|latest|recent)\b", "the most recent"),
        (r"^(.+?) kis(?: ek)? ?(?:me|mein|ke paas) (?:hai|h|he)\b", r"which one has \1"),
        (r"\b(?:ismein|isme|inme|inmein|unme|unmein)(?: se)? kitne (.+?) (?:hain|hai|h|he)\b", r"how many of these are \1"),
        (r"^(.+?) kis (?:agency|publisher|ministry|department|organisation|organization|sanstha)?\s?(?:ka|ki|ke) (?:hai|h|he)\b",
         r"who publishes \1"),
        (r"\b(?:inme|inmein|unme|unmein) se kitne\b", "how many of these"),
        (r"\bkitne\b", "how many"),
        (rf"\b([\w.&-]+) {_HINDI_ONES} sab\b", r"all the \1 ones"),
        (rf"\b{_HINDI_ONES}\b(?= (?:datasets?|data|files?|records?|tables?)\b)", ""),
        (rf"\b{_HINDI_ONES}\b", "ones"),
        (r"\b(?:sirf|keval|kewal)\b", "only"),
        (r"\b(?:dikhao|dikha do|dikhaiye|dikhana|batao|bata do|bataiye)\b", "show"),
        (r"^(?!show\b)([^,;.?!]+?) show\s*(?=[,;.!?]|$)", r"show \1"),
        (r"\b(?:chahiye|chaiye|chahie|chalega|chalegi)\b", ""),
        (r"\baur\b", "and"), (r"\bbhi\b", "also"), (r"\bsab\b", "all"), (r"\bkya hai\b", "what is"),
        (r"\b(?:yaar|yar|bhai|toh|ab|abhi|accha|acha|achha|theek hai|thik hai|haan|ji|zara|thoda|woh|wo|voh|yeh|ye)\b", ""),
    )
)


# Every mixed-language table, Chinese first (it brings its own spaces), in the order a follow-up is read with them.
MIXED_LANGUAGE_FOLLOWUP = (*CHINESE_FOLLOWUP, *TAMIL_FOLLOWUP, *HINDI_FOLLOWUP, *MALAY_FOLLOWUP)


# A new request inside what reads as more of the same: "can u find stuff on smoking prevalence too"
NEW_REQUEST = re.compile(
    r"^(?:(?:can|could) (?:you|u) |pls |please )?(?:also )?(?:find|get|search(?: for)?|look(?: for| up)?|show(?: me)?|give(?: me)?)"
    r"(?: me)? (?:(?:some |any )?(?:stuff|data|datasets|anything|something|info|information|statistics|stats|figures) (?:on|about|for) "
    r"|the list of |a list of )(.{3,})$"
)


SIMILAR_OR_NAVIGATE = re.compile(
    r"\b(?:like|similar|related|resembl\w*|sort|order|page|next|previous|more of|why|translate|plot|chart|graph|convert)\b"
)


def names_facet_word(phrase: str) -> bool:
    words = set(re.findall(r"[a-z][a-z-]*", phrase))
    return bool(words & (GRANULARITY_WORDS | FORMAT_WORDS))


HOW_TO = re.compile(r"^how (?:do|can|could|should|would) (?:i|we)\b")


SHORTHAND = re.compile(
    r"(?<![\w/'-])(" + "|".join(sorted(map(re.escape, FOLLOWUP_ABBREVIATIONS), key=len, reverse=True)) + r")(?![\w/'-])"
)


PRONOUN = re.compile(
    r"^(?:those|these|them|that|this|it|they|such|those ones|these ones|those files|that stuff|that lot|those datasets"
    r"|these datasets)$"
)


ANTECEDENT_LEAD = re.compile(
    r"^.*?\b(?:i|we)\s+(?:cannot|can not|do not|am not able to|are not able to|never|hardly|rarely|will not)\s+"
    r"(?:use|need|want|like|read|open|handle|work with|process|deal with|stand|parse)\s+"
)


COURTESY = re.compile(r"^(?:(?:please|pls|kindly|ok|okay|so|and|then|now|thanks|thank you|(?:could|can|would|will) you)\s*)+$")


# A clause that only says the topic changes, wherever it stands: "what about X? totally separate thing",
# "not what i need. let me ask about something else: X".
SWITCH_CLAUSE = re.compile(
    r"^(?:(?:but|ok|okay|so|and|hmm+|anyway|also|btw|this is|that's|that is|it's|it is)[, ]+)*(?:a |an )?"
    r"(?:(?:totally|completely|entirely|quite) )?(?:separate|unrelated|different|new|other|another)"
    r"(?: (?:thing|question|topic|subject|one|search|request|matter|note))?(?: (?:entirely|altogether|now))?|"
    r"^(?:(?:but|ok|okay|so|and|also|now)[, ]+)*(?:(?:i|we) )?(?:also )?(?:need|want|have) something (?:totally |completely |entirely |quite )?"
    r"(?:different|else|new|unrelated)(?: (?:now|too|as well))?|"
    r"^(?:(?:but|ok|okay|so|now|anyway)[, ]+)*(?:let me|let us|can i|could i|i want to|i'd like to|i would like to|i'll"
    r"|i will|lets|let's) (?:try|ask|search|look|talk|do|move on to)(?: (?:about|for|at|into|on))? (?:something (?:else"
    r"|different)|(?:a |an )?(?:different|new|another|other) (?:topic|subject|search|question|thing|area|angle|direction))"
    r"(?: (?:entirely|now))?|"
    r"^(?:(?:but|ok|okay|so|now|anyway)[, ]+)*try (?:something (?:else|different)|(?:a |an )?(?:different|new|another"
    r"|other) (?:topic|subject|search|question|thing|area|angle|direction))(?: (?:entirely|now))?$|"
    r"^(?:on a different note|changing (?:the )?(?:topic|subject)|something (?:else|different) (?:entirely|now))$"
)


# "and IAM as well", "plus the realtime API ones", "PUB too": more of the last change (exclude or include).
CONTINUE = re.compile(
    r"^(?:and|also|plus|and also|oh and|same for|same with|ditto for|ditto)\s+(?:the\s+)?(.+?)(?:\s+(?:too|as well|also))?(?:\s*[,;].*)?$|"
    r"^(?:the\s+)?(.+?)\s+(?:too|as well)(?:\s*[,;].*)?$"
)


# Where a target sits, said around it: "the second one from the list", "anything with CoNLL in the name".
TARGET_PLACE = re.compile(
    r"\s+(?:(?:from|in|on|off|out of)\s+(?:the|my|this|your|these|our)\s+(?:list|results?|page|screen|selection|table|"
    r"search(?: results)?)|in (?:the|its|their|the dataset'?s?) (?:names?|titles?))$"
)


TARGET_LEAD = re.compile(
    r"^(?:(?:interested|keen) in\s+)?(?:the\s+|those\s+|any\s+)?(?:any(?:thing)?|everything|all|stuff|ones?|titles?|datasets?|whatever)?\s*"
    r"(?:with|w/?|has|have|(?:that|which) (?:has|have|contains?|mentions?|says?)|named|called|titled|containing|mentioning|"
    r"saying|(?:(?:that|which) (?:are|is) )?(?:available|offered|provided|distributed|downloadable|published) (?:in|as))\s+"
)


TARGET_TAIL = re.compile(
    r"\s+(?:for (?:now|the moment|the time being|a (?:bit|while|moment|second|sec)|this (?:search|one|project))|right now|(?:if|when) possible|"
    r"if you can|as well|too|please|thanks|then|entries|ones|own (?:datasets?|data|ones|stuff)|at all|altogether|whatsoever|entirely|"
    r"after all|actually|"
    r"(?:from|in|on|of) (?:what|the (?:ones|datasets|results)) you (?:showed|gave|listed|found|sent)(?: me| us)?(?: earlier| before| above)?)$"
)


TARGET_WHICH = re.compile(
    r"^(?:(?:any(?:thing)?|everything|all|the ones|ones|stuff|those|these|datasets?|results?|things?)\s+)?(?:that|which)\s+"
    r"(?:is|are|come|comes|came)\s+(?:only\s+|just\s+)?(?:(?:in|as|from|by|on)\s+)?(?:an?\s+)?|^what is (?:on|in|from|by)\s+|"
    r"^(?:the\s+)?(?:ones?|those|anything|stuff|datasets?|things?)\s+(?:about|on|regarding|concerning|covering|related to|to do with)\s+|"
    r"^(?:the\s+)?(?:plain|original|vanilla|basic)\s+(?=\S)"
)


LEAD_CONNECTIVES = re.compile(r"^(?:(?:but|and|now|so|ok|okay|anyway)[, ]+)*(?:(?:what|how) about\s+)?")


CLAUSE_SPLIT = re.compile(r"\s*(?:[.?!;:]+|\s[-\u2013\u2014]+)\s*")


GENERIC_ONLY = re.compile(
    r"^(?:(?:the|a|an|any|all|some|those|these|them|ones?|datasets?|data|files?|results?|entries|records?|stuff|things?|it|this|that|one|others?)\s*)+$"
)
