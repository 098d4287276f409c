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
import sys
from dataclasses import dataclass, field

from catalog.vocabulary import agency_aliases
from conversation.gist import followup_request
from conversation.lexicon import FOLLOWUP_ABBREVIATIONS
from conversation.nlu import correct_words, english_words, register_module_words
from search.text import STOPWORDS, fold

from . import grammar, questions_parse, time_parse
from .code_syntax import read_code
from .grammar import (
    ALREADY_HAVE,
    ANTECEDENT_LEAD,
    BACK_TO_ALL,
    BRING_BACK,
    CLAUSE_BREAK,
    CLAUSE_SPLIT,
    CLEAR,
    CONTINUE,
    CONTRACTIONS,
    COURTESY,
    EVALUATIVE,
    EVERYDAY_REWRITES,
    EXCLUDE_POSTFIX,
    EXCLUDE_PREFIX,
    EXCLUDE_SPLIT,
    FACET_WORD,
    FACET_WORDS,
    FREQUENCY_ASK,
    FREQUENCY_PHRASES,
    GENERIC_ONLY,
    GRANULARITY_FILLER,
    GRANULARITY_WORDS,
    HOW_TO,
    INCLUDE_POSTFIX,
    INCLUDE_PREFIX,
    INSTEAD,
    KNOWN_ALREADY,
    LEAD_CONNECTIVES,
    LOOSE_ABOUT,
    MIXED_LANGUAGE_FOLLOWUP,
    NEW_REQUEST,
    NOT_A_SUBJECT,
    PRONOUN,
    REMOVE_FACET,
    SAME_BUT,
    SAME_BUT_TAIL,
    SAME_FILTERS,
    SAME_MARK,
    SAME_SIDE,
    SHORTHAND,
    SIMILAR_OR_NAVIGATE,
    SWITCH,
    SWITCH_CLAUSE,
    SWITCH_TO,
    TARGET_LEAD,
    TARGET_PLACE,
    TARGET_TAIL,
    TARGET_WHICH,
    TOPIC_SWITCH,
    UNDO,
    VALUE_FILTER_OFF,
    WHAT_ABOUT_TOPIC,
    WISH,
    names_facet_word,
)
from .questions_parse import FIELD_KINDS, Question, parse_question, rank_refs
from .time_parse import TimeWindow, parse_time


@dataclass
class Scope:
    """A phrase governed by a cue: what to exclude, include or bring back."""

    mode: str  # exclude | include | restore
    phrase: str
    replace: bool = False  # an inclusion that replaces the facet's current values ("only X")
    soft: bool = False  # no cue of its own ("annual ones, not quarterly"): kept only if it names a facet value
    wish: bool = False  # "I need X": a restriction only if X is a publisher, source, format or frequency
    term: bool = False  # said to be in the titles: "anything with CoNLL in the name"
    plural: bool = False  # said of several ("the KITTI ones"): a name means every title with it, not one dataset


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
    corrections: dict[str, str] = field(default_factory=dict)  # spelling corrections: the word read -> as typed
    # A question asked after the change, about the results the change leaves ("drop the KML files and tell me who
    # publishes the first one")
    then_question: Question | None = None

    def as_typed(self, phrase: str) -> str:
        """``phrase`` in the user's own spelling (an unknown name is reported as written: "Globex", not "globe")."""
        return re.sub(r"[a-z]+", lambda m: self.corrections.get(m.group(), m.group()), phrase)

    @property
    def changes_state(self) -> bool:
        # A wish ("now I need population data") is a new search unless it names a granularity or a format.
        scopes = [s for s in self.scopes if not s.wish or names_facet_word(s.phrase)]
        return bool(scopes or self.remove_facets or self.clear or self.undo or self.time or self.sort)

    @property
    def changes_beyond_undo(self) -> bool:
        """A change besides taking the last one back ("scratch that - only 2021")."""
        return bool(self.scopes or self.remove_facets or self.clear or self.time or self.sort)

    @property
    def names_facet_value(self) -> bool:
        """A granularity or a format is named: "do you have it per quarter?" asks for data, not for a feature."""
        return any(names_facet_word(s.phrase) or s.phrase in FREQUENCY_PHRASES for s in self.scopes)

    @property
    def is_followup(self) -> bool:
        return (
            self.changes_state
            or self.question is not None
            or self.same_but is not None
            or self.bare is not None
            or self.topic_switch is not None
        )


def normalise(message: str) -> str:
    return _normalised(message)[0]


# Names listed in brackets after what they exemplify: "no human pose stuff (MPII etc)", "(COCO, ImageNet)"
_BRACKETED_LIST = re.compile(
    r"\s*\(((?=[^()]*(?:,|/|\betc\b|\be\.?g\b|\bsuch as\b|\blike\b))[^()]{2,120})\)|"
    r"(?:(?<=\bone)|(?<=\bones)|(?<=\bstuff)|(?<=\bsets))\s*\(([\w.+-]{2,30})\)"  # "the traffic sign one (gtsrb)"
)
_NUMBERED_RUN = re.compile(r"\b([a-z][a-z-]*?)(\d+)((?:/\d+)+)\b")  # "mot15/16/17/20"


def _names_listed(match: re.Match) -> str:
    inner = re.sub(r"\b(?:etc|e\.?g|i\.?e|such as|like|incl(?:uding|\.)?)\b\.?,?", " ", match.group(1) or match.group(2))
    inner = _NUMBERED_RUN.sub(lambda m: ", ".join(m[1] + n for n in [m[2], *m[3].strip("/").split("/")]), inner)
    names = [n.strip() for n in re.split(r"[,/]|\band\b", inner) if n.strip()]
    if names and all(n in english_words() for n in names):
        return ""  # "imagenet variants (tiny, mini etc)": what sets the variants apart, not names of their own
    return " and " + " and ".join(names) if names else ""  # in the same scope as what they exemplify


# A clause that says its object first, then what to do with it: "IMF punya no need", "PUB one only give", "monthly only
# ya", "the map type ones, that one no need" (the object in the clause before).
_CLAUSE_SPLIT = re.compile(r"\s*(?:[,;?!]|\.\s|\s[-\u2013\u2014]+\s)\s*")
_OBJECT_NOUN = r"(?P<noun>\s+(?:one|ones|punya|type|kind|stuff|thing|things))?"
_POSTPOSED_NOT = re.compile(
    rf"^(?:and |but |also |then )?(?P<x>(?!(?:i|we|you|they|he|she|it|please|pls|just|so|if)\b).+?){_OBJECT_NOUN}\s+"
    r"(?:(?:i|we|he|she|they)\s+)?(?:no need|not needed|(?:do|does) not (?:want|need)|cannot use|can not use|no use)"
    r"(?:\s+(?:already|one|ya|la|please|pls))*[.!]?$"
)
_POSTPOSED_ONLY = re.compile(
    rf"^(?:and |but |also |then )?(?P<x>(?!(?:i|we|you|they|he|she|please|pls|just|so|if)\b).+?){_OBJECT_NOUN}\s+only"
    r"(?P<tail>(?:\s+(?:give|show|give me|show me|ya|yah|la|can|pls|please|ok|okay|got or not|or not|got|is enough))*)[.!?]?$"
)
_TRAILING_NOUNS = re.compile(r"(?:\s+(?:type|kind|one|punya))+(?=\s+ones$|$)")  # "ones" stays: said of several
_POINTING = frozenset(["that", "this", "those", "these", "it", "them"])
# A clause that is only the "no": "departure one and cargo one also, tidak perlu", "the PDF ones, no need"
_BARE_NOT = re.compile(r"^(?:also |too |both |all )?(?:no need|not needed|(?:do|does) not (?:want|need)|no use)(?: (?:also|too|both))?[.!]?$")
_TRAILING_ALSO = re.compile(r"(?:\s+(?:also|too|as well|both))+$")


def _postposed_clauses(text: str) -> str:
    clauses = _CLAUSE_SPLIT.split(text)
    if not any(_POSTPOSED_NOT.match(c) or _POSTPOSED_ONLY.match(c) or _BARE_NOT.match(c) for c in clauses):
        return text
    out: list[str] = []
    for clause in clauses:
        if _BARE_NOT.match(clause) and out and len(out[-1].split()) <= 8 and not out[-1].startswith(("exclude ", "only ")):
            # the clause before named what is not needed ("departure one and cargo one also")
            target = _TRAILING_ALSO.sub("", out.pop())
            out.append(f"exclude {' and '.join(_TRAILING_NOUNS.sub('', p.strip()) for p in target.split(' and '))}")
        elif match := _POSTPOSED_NOT.match(clause):
            target = match["x"].strip()
            several = " ones" if (match["noun"] or "").strip() == "ones" else ""  # "the Muslim Law ones no need": every such title
            if target in _POINTING and out and len(out[-1].split()) <= 5:
                target, several = out.pop(), ""  # "the map type ones, that one no need"
            out.append(f"exclude {_TRAILING_NOUNS.sub('', target)}{several}")
        elif (match := _POSTPOSED_ONLY.match(clause)) and (match["noun"] or match["tail"]):
            if match["x"].strip() not in _POINTING:  # "that one only show": what the clause before named
                several = " ones" if (match["noun"] or "").strip() in ("ones", "type", "kind") else ""  # "Libri type"
                out.append(f"only {_TRAILING_NOUNS.sub('', match['x'].strip())}{several}")
        elif clause:
            out.append(clause)
    return ", ".join(out)


_ENUMERATION = re.compile(r"(?:^|(?<=\s))(?:\(\d{1,2}\)|\d{1,2}\)|\d{1,2}\.(?=\s)|[\u2022*](?=\s))\s*")


_FROM_NOW_ON = re.compile(
    r"\s*\b(?:from (?:here|now)(?: on(?:wards)?| onwards)?(?=\s*(?:[,.;!?]|$))|from (?:here|now) on(?:wards)?\b|going forward\b"
    r"|henceforth\b|for the rest of (?:this|the) (?:chat|conversation|session)\b)"
)


_PICTOGRAPHS = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]+")


def _normalised(message: str) -> tuple[str, dict[str, str]]:
    """The message as the grammar reads it, and the spelling corrections made on the way (read -> as typed)."""
    text = fold(message or "").replace("\u2019", "'").replace("`", "'")
    text = read_code(text) or text  # "publisher != 'URA'", "compare(SQuAD, TriviaQA)", "--exclude LTA"
    # A quoted title word before what it names: "anything w/ 'Tanker' in title", "the 'per household member' tables"
    text = re.sub(r"(?<![\w'])'([^'\n]{1,60}?)'(?=\s+(?:in (?:the |its |their )?(?:titles?|names?)|tables?)\b)",
                  r"\1", text)  # fmt: skip
    text = re.sub(r"\b(show|tell|give|send|get|find) us\b", r"\1 me", text)  # "show us everything again"
    text = re.sub(r"\bin (?:its |their )?(titles?|names?)\b", r"in the \1", text)  # "anything w/ Tanker in title"
    text = _PICTOGRAPHS.sub(" ", text)  # "skip IMDb 🎬 we're doing e-commerce": an emoji says nothing to the grammar
    # "1) URA only 2) quarterly only 3) nothing that ends before 2020": numbered requests, each a clause of its own
    text = _ENUMERATION.sub("; ", text).lstrip("; ")
    text = re.sub(r"^\s*[-\u2013\u2014>]+\s+", "", text)  # "- separate request: ...": a bullet opening the message
    text = re.sub(r"(?<=[a-z])-(type|kind|style)\b", r" \1", text)  # "the spreadsheet-type ones"
    text = _FROM_NOW_ON.sub("", text)  # "IMF only from here on": every change lasts until it is undone
    text = re.sub(r"\b(only|instead|please|pls)\s+then\s*(?=[.!?]*$)", r"\1", text)  # "geojson only then"
    text = re.sub(r"\b([a-z][\w.]*?)-?\*(?=\s|$|[,.;!?])", r"\1 variants", text)  # "w/o IJB-*": every IJB title
    text = SHORTHAND.sub(lambda m: FOLLOWUP_ABBREVIATIONS[m.group(1)], text)  # "lic for #2?", "excl cpf board"
    text, corrections = correct_words(text)  # "only monthyl ones", "the Departmnet of Statistcs"
    text = re.sub(r"(?:(?<=\s)|^)-(?=[a-z])", ", exclude ", text).lstrip(" ,")  # "-NEA -SingStat": as in a search box
    text = re.sub(r"\b(\d{4})\s?\+(?!\w)", r"from \1", text)  # "2015+"
    text = re.sub(r"\s\+\s", " and ", text)  # "COCO + PASCAL VOC"
    text = _BRACKETED_LIST.sub(_names_listed, text)  # "the generic MOT benchmarks (MOT15/16/17/20, MOTChallenge)"
    for pattern, repl in CONTRACTIONS.items():
        text = re.sub(pattern, repl, text)
    text = re.sub(r"\b(he|she|they|we|you)'d\b", r"\1 would", text)
    text = re.sub(r"\bdont\b", "do not", text)
    text = re.sub(r"\bdoesnt\b", "does not", text)
    text = re.sub(r"\bid\b(?= (?:rather|prefer|like))", "i would", text)
    text = re.sub(r"\bim\b", "i am", text)
    text = _run_on_split(text)  # "drop JTC those are not hotels": two sentences said as one
    # ... and "those are not hotels" says what the dropped ones are not, it does not drop hotels ("those are not
    # needed" still judges)
    text = re.sub(r"(?:;|\.|\s[-\u2013\u2014])\s*(?:(?:lol|haha+|lmao|tbh)\s+)?(?:those|these|they|it|that) (?:are|is|were|was) not (?:really |even |at all )?(?:a |an |the )?"
                  r"(?!needed|necessary|useful|relevant|wanted|helpful|required|good|right|what|ones?\b|any\b|for\b|about\b|"
                  r"related\b|in\b|on\b)[a-z][^;.!?]*", "", text)  # fmt: skip
    # A reason given after the request describes, it does not ask: "drop the school ones; those are education
    # statistics, not health" (but "those are not needed" / "they are too old" still judge).
    text = re.sub(r"(?:;|\.|\s[-\u2013\u2014])\s*(?:those|these|they|that|it) (?:are|is|were|was) (?!not\b|too\b|useless|irrelevant)[^;.!?]*?(?=,\s*(?:so|and|but|then|please|pls)\b|[;.!?]|$)",
                  "", text)  # fmt: skip
    # Pleasantries that carry a "no": "if it's no trouble", "no worries"
    text = re.sub(r"\b(?:if (?:it is|that is|it's|that's) no (?:trouble|bother|problem)|no (?:worries|problem|rush|hurry)|"
                  r"if (?:it is|that is) not too much (?:trouble|bother))\b[,]?", " ", text)  # fmt: skip
    text = re.sub(r"\b(i|we) not (need|want|use|like)\b", r"\1 do not \2", text)  # "the maps I not need"
    # Chinese, Tamil, Hindi and Malay words, read as the English the grammar knows: "yang dari ICA tak payah, buang
    # semua", "URA wale hatao, sirf NParks", "nombor tiga tu apa? bagi link"
    for pattern, repl in MIXED_LANGUAGE_FOLLOWUP:  # "ImageNet 和 Tiny Images 不要", "rural vendaam"
        text = pattern.sub(repl, text)
    # Singlish particles and a leading "eh" carry no request: "dun want the world bank one lah"
    text = re.sub(r"\b(?:lah|leh|lor|meh|hor|sia|liao|loh)\b|\bah\b(?=\s*(?:[,.?!]|$))|\bla\b(?=\s*(?:[,.?!]|$))|^(?:eh|oi|hmm+|hm+|umm*|uh+|erm+|ngl|tbh|imo|lowkey|honestly|bruh|aiya+|aiyo+|alamak)\b,?", " ", text)
    # ... nor a closing "can?" after a filter: "only LTA can?", "remove the PDF ones can or not"
    text = re.sub(r"^(\s*(?:only|just|remove|exclude|drop|no|without)\b.+?)\s+(?:can|boleh)(?: or not| anot| not)?\s*\?*\s*$", r"\1", text)
    text = re.sub(r"(?<=\w)\s+(?:can|boleh)(?: or not| anot)?\s*\?+", ",", text)  # "only geojson can? my web guy ..."
    # The object first: "the maps I do not need, remove please" -> "remove the maps"
    text = re.sub(r"^(.+?)\s+(?:that |which )?(?:i|we) do not (?:need|want|use)\b[\s,;]*(?:(?:please|pls)\s+)?"
                  r"(?:remove|drop|delete|exclude|take (?:them |it )?out)?(?:\s+(?:them|it|please|pls))*[.!]?$", r"remove \1", text)  # fmt: skip
    # The object first with no subject: "singstat one dun want, show others", "the API kind do not want"
    text = re.sub(r"^(?!(?:i|we|you|they|please|pls|just|so|and|but|if)\b)([^,;.?!]+?)(?:\s+(?:i|we|he|she|they))?\s+do not (?:want|need)\b(?:\s+(?:them|it|please|pls))*"
                  r"\s*(?:[,;.!]+\s*|$)", r"remove \1, ", text).rstrip(" ,")  # fmt: skip
    text = re.sub(r"^(remove [^,;]+?)\s*[,;]\s*remove\s*[.!]?$", r"\1", text)  # "X do not want, remove" said twice
    text = _postposed_clauses(text)  # "OECD one only, IMF punya tidak perlu": each clause with its object first
    # What the user is doing explains, it asks for nothing: "skip IMDb, we're doing e-commerce not movies"
    text = re.sub(r"[,;]\s*(?:we|i) (?:are|am) (?:doing|working on|building|focusing on|focused on|looking at)\b[^,;.!?]*", " ", text)
    # What the user is not doing explains, it does not exclude: "I'm not doing transfer this time"
    text = re.sub(r"[,;]?\s*\b(?:i am|we are) not (?:doing|working on|running|planning|studying|trying|focusing on|going to do)\b[^,;.!?]*",
                  " ", text)  # fmt: skip
    # Two negations make an "only": "I'd prefer not to see anything that isn't a plain CSV table"
    text = re.sub(
        r"\b(?:(?:i|we) (?:would prefer not to|would rather not|do not want to|do not) (?:see|get|have|be shown)|"
        r"(?:please )?do not show(?: me| us)?|(?:show|give)(?: me| us)? nothing) (?:anything|any|stuff|any ones|ones|results|datasets)? ?"
        r"(?:that|which) (?:is|are) not\b",
        "only",
        text,
    )
    text = _retracted(text)  # "only quarterly - no wait, annual": the correction counts
    for pattern, repl in EVERYDAY_REWRITES:  # what is not X goes, courtesy, reasons, shorthand (grammar.py)
        text = pattern.sub(repl, text)
    # "the last 1", "which 1", "that 1": chat's "one"
    text = re.sub(r"\b(that|this|which|last|first|other|next|previous|latest|newest|oldest|same|another|each) 1\b(?!\s*(?:and|,|-|to|or)\s*\d)",
                  r"\1 one", text)  # fmt: skip
    return " ".join(text.split()), corrections


# A request taken back in the same message: "only quarterly - no wait, annual", "exclude HDB.. sorry i meant URA",
# "annual please... actually no, monthly", "drop NEA, or rather LTA"
_RETRACTION = re.compile(
    r"^(?P<first>.+?)\s*(?:[,;:.!\u2013\u2014-]+\s*)+(?:(?:oh|er|um|hmm)[,]?\s+)?"
    r"(?:no,? wait|wait,? no|actually,? no|no,? actually|(?:sorry,? )?i meant?|sorry,? (?:make (?:that|it)|not that)|or rather|"
    r"scratch that|make that|correction|my bad)[,:.!]*\s+(?P<second>.+)$"
)
# The verb of the request taken back, for a correction that only names the new value ("sorry i meant URA")
_RETRACTED_LEAD = re.compile(
    r"^(?:(?:please|pls|ok|okay|so|and|hmm|then)[, ]+)*(?P<lead>(?:keep |show |give me |show me )?(?:only|just)|exclude|drop|remove|"
    r"leave out|hide|no|without|switch to|change to|make it|filter to|restrict to)\b"
)
# What a message may go on with after taking the last change back: a request of its own ("anything that ...")
_REPLACING_REQUEST = re.compile(
    r"^(?:(?:ok|okay|so|and|then|instead)[, ]+)*(?:anything|everything|nothing|something|ones?)\b"
)
_REQUEST_VERB = re.compile(
    r"^(?:(?:please|pls|ok|okay|so|and|then)[, ]+)*(?:only|just|exclude|drop|remove|leave|hide|no|without|keep|show|give|include|"
    r"switch|change|go|bring|put|add|restore|undo|filter|restrict|limit|make|sort|what|which|who|how|can|could|tell)\b"
)
# "quarterly works better for our model, switch to that": the value that works better
_WORKS_BETTER = re.compile(
    r"\b(?P<value>[\w.-]+) (?:works|would work|is|would be|seems|looks) (?:much |a lot |way |far )?(?:better|best|more useful|"
    r"preferable)\b[^,;.]*[,;.]?\s*(?:so |please |pls |can you |could you |just )*(?:switch|change|go|move) (?:over )?(?:to|with) "
    r"(?:that|it|those|them)\b"
)
# "rather than quarterly let's go with annual figures": the new value instead of the old
_RATHER_THAN = re.compile(
    r"\b(?:rather than|instead of) (?P<old>[\w.-]+(?: [\w.-]+)??),? (?:(?:let us|we will|i will|i would|we would|can we|could we|"
    r"please|maybe|just) )*(?:go with|use|take|have|switch to|get|see|show(?: me)?|do) (?P<new>[\w.-]+(?: (?!figures\b|data\b|ones\b|"
    r"series\b|numbers\b|tables\b)[\w.-]+)?)"
)


# Where a request said without punctuation goes on with a reason or a second wish: "drop the departures ones we
# only care about arrivals", "just the monthly series please the annual ones are useless", "drop JTC those are not
# hotels". Only after a command, and only before a new subject with an adverb, a negation or a copula.
_COMMAND_START = re.compile(
    r"(?:^|[,;.!?]\s+)(?:(?:ok|okay|so|and|then|hmm|um|yeah|please|pls|also)[, ]+)*(?:(?:can|could) (?:you|u) (?:like |just |please )?)?(?:drop|remove|"
    r"exclude|skip|only|just|keep|leave|hide|lose|ditch|cut|filter|get rid of|take out|no)\b"
)
_RUN_ON_BREAK = re.compile(
    r"(?<=[a-z0-9])\s+(?:(?:please|pls)\s+)?(?="
    r"(?:we|i)\s+(?:do not|only|just|really|already|mainly|mostly|have no|never|cannot|can not|could not|hate)\b|"
    r"(?:those|they)\s+(?:are|were|do not)\b|(?:(?:lol|haha+|lmao|tbh)\s+)?(?:that|it) is not\b|"
    r"we are (?:doing|working|building|focusing|focused|looking)\b|"  # "skip IMDb we're doing e-commerce not movies"
    r"the [\w-]+ (?:ones|files|series|datasets|tables|layers|feeds) (?:are|were)\b)"
)


def _run_on_split(text: str) -> str:
    """``text`` with a "; " where a run-on request goes on with a reason or a second wish."""
    if not (command := _COMMAND_START.search(text)):
        return text
    out, last = [], 0
    for match in _RUN_ON_BREAK.finditer(text, command.end()):  # after the command: what comes before it is no reason
        before = text[last : match.start()]
        if re.search(r"\b(?:of|which|what|that|think|if|when|because|as)$", before) or (
            re.match(r"(?:that|it)\b", text[match.end() :])
            and re.search(r"\b(?:everything|anything|all|ones|stuff|whatever|nothing|something|datasets|results)$", before)
        ):
            continue  # "which of those are", "I don't think we need", "drop everything that is not World Bank"
        out.append(text[last : match.start()] + "; ")
        last = match.end()
    return "".join(out) + text[last:]


def _retracted(text: str) -> str:
    """What a message asks for once its own corrections count: the request after a retraction, with the verb of the
    one it replaces when it only names the new value."""
    text = _WORKS_BETTER.sub(r"switch to \g<value>", text)
    text = _RATHER_THAN.sub(r"\g<new> instead of \g<old>", text)
    text = re.sub(r"^(?:(?:oh|no|hmm),? )?wait(?:,? no)?[,.!]*\s+", "", text)  # "no wait, put NEA back"
    match = _RETRACTION.match(text)
    if match is None:
        return text
    second = re.sub(
        r"^([\w.&'-]+(?: [\w.&'-]+)?) (?:is|are) (?:what|the one|the ones) (?:i|we|my|our)\b.*$", r"\1", match["second"]
    )
    # "... actually no, monthly, I need the seasonality": the value, not the reason after it
    second = re.sub(r"^([\w.&'-]+(?: [\w.&'-]+)?)\s*[,;]\s*(?:i|we|my|our|because|since|as|for)\b.*$", r"\1", second)
    if _REQUEST_VERB.match(second) or not (lead := _RETRACTED_LEAD.match(match["first"])):
        return second
    return f"{lead['lead']} {second}"


def _antecedent(before: str) -> str:
    """What "those" refers to in "I can't use PDFs, leave those out": the object of the clause before."""
    clauses = [c.strip() for c in re.split(r"[,;]|\bbut\b|\band\b", before.strip(" ,;"))] if before.strip(" ,;") else []
    while clauses and (not clauses[-1] or COURTESY.match(clauses[-1])):  # "..., please remove them"
        clauses.pop()
    clause = clauses[-1] if clauses else ""
    evaluative = EVALUATIVE.search(clause.strip())
    if evaluative and not PRONOUN.match(subject := next((g for g in evaluative.groups() if g), "").strip()):
        return subject
    clause = ANTECEDENT_LEAD.sub("", clause).strip()
    clause = TARGET_LEAD.sub("", TARGET_PLACE.sub("", clause)).strip()  # "anything with MNIST in its name": MNIST
    words = clause.split()
    return " ".join(words[-3:]) if words else ""


_POINTER = re.compile(r"^(?:those|these|them|that|this|it|both)(?: (?:two|three|four|ones?|datasets?|of them))?(?: out)?$")
_SUBJECT_SENTENCE = re.compile(
    r"^(?:(?:i|we) (?:gather|think|guess|suppose|believe|reckon|see)(?: that)? )?(?:the )?(?P<x>[^,;]+?(?:,[^,;]+?)*?)\s+"
    r"(?:are|is|were|was|seem|seems|look|looks)(?: not| surely not)?\b"
)


def _named_subject(before: str) -> str:
    """What an earlier sentence of the message was about, for "those two" / "that one" in a later one: its subject
    ("I gather MUSDB18 and MedleyDB are for separating instruments."), or a sentence that only names it ("Hate
    Speech?"); "" when no earlier sentence does."""
    sentences = [x.strip() for x in re.split(r"(?<=[.?!])\s+", before.strip()) if x.strip()]
    if sentences and not re.search(r"[.?!]$", sentences[-1]):
        # the sentence the pointer is in: a clause before it that says what something is ("the F&B index ones are
        # economists' business, take those out"); any other ("I can't use PDFs, leave those out") is _antecedent's
        clauses = [c.strip() for c in sentences.pop().split(",") if c.strip()]
        if clauses and (subject := _subject_of(clauses[-1])):
            return subject
    for sentence in reversed(sentences):
        asked = sentence.endswith("?")
        sentence = re.sub(r"^(?:(?:ha|haha+|lol|ok|okay|hmm+|oh|well|right|so)\b[\s,]*)+", "", sentence.rstrip(".?! "))
        if not sentence:
            continue
        if asked and len(sentence.split()) <= 4 and not PRONOUN.match(sentence):
            return sentence
        if subject := _subject_of(sentence):
            return subject
    return ""


def _excluded_subject(phrase: str, before: str, out: FollowUpParse) -> bool:
    """A pointer ("those two", "it") to what an earlier sentence named: "MUSDB18 and MedleyDB are for separating
    instruments. Leave those two out." excludes that subject (what came before only says why); False otherwise."""
    if not _POINTER.match(phrase) or not (subject := _named_subject(before)):
        return False
    out.scopes.append(Scope("exclude", subject))
    return True


def _subject_of(clause: str) -> str:
    """The subject of a clause that says what something is ("MUSDB18 and MedleyDB are for ..."), or ""."""
    m = _SUBJECT_SENTENCE.match(clause)
    if not m or PRONOUN.match(m["x"]) or len(m["x"].split()) > 8:
        return ""
    if re.match(r"(?:lol|haha+|ok|okay|so|well|hmm+|why|what|who|how|which|where|when|is|are|do|does|can)\b", m["x"]):
        return ""  # "lol why is SQuAD here, remove it": a question, not a statement about a subject
    return m["x"]


_PLURAL_TAIL = re.compile(r"\b(?:ones|series|sets|versions|editions|releases|benchmarks)$")


def _trim_target(phrase: str) -> tuple[str, bool]:
    """The target without where it sits; True when it is said to be in the titles ("X in the name")."""
    text, *meant = re.split(r"\s+i mean(?:t)?\s+", phrase.strip(), maxsplit=1)
    if meant and len(meant[0].split()) <= 3 and not re.match(r"(?:like|that|the ones|as in|for|those|these)\b", meant[0]):
        text = meant[0]  # "drop LTA i mean URA": the correction; "polytechnic in the name i mean like ..." explains
    for _ in range(3):
        text = TARGET_TAIL.sub("", text)
    text = TARGET_WHICH.sub("", text)
    # "ImageNet variants", "the Kinetics family": every dataset with the name in its title
    variants = re.match(
        r"^(?:the\s+|any\s+|all\s+)?(.+?)\s+(?:variants?|family|families|derivatives?|spin-?offs?|offshoots?)$", text
    )
    if variants:
        text = variants.group(1)
    text = re.sub(r"(?<=[a-z])-(?:style|type|like|based|ish)\b", "", text)  # "spreadsheet-style tables"
    text = re.sub(r"(?<=[a-z0-9])-only\b", "", text)  # "no JSON-only datasets": those whose one format is JSON
    # "whatever the Urban Redevelopment Authority publishes", "anything NEA puts out": the publisher
    text = re.sub(r"^(?:whatever|anything|everything|all|what)\s+(?:that\s+)?(.+?)\s+(?:publishes|puts out|releases|produces|"
                  r"issues|provides|put out|published|released|produced)$", r"\1", text)  # fmt: skip
    place = TARGET_PLACE.search(text)
    term = bool(variants) or bool(place and re.search(r"\b(?:names?|titles?)$", place.group(0)))
    text = TARGET_PLACE.sub("", text)
    text = re.sub(
        r"^(?:(?:really|very|that|particularly|especially|too|so|all that)\s+)*(?:interested|keen) in\s+"
        r"(?:(?:any(?:thing)?|everything|all)\s+(?:from|by|of|about)\s+)?", "", text
    )
    lead = TARGET_LEAD.match(text)
    term = term or bool(lead and re.search(r"named|called|titled|contain|mention", lead.group(0)))
    return TARGET_LEAD.sub("", text).strip().strip("'\"\u2018\u2019\u201c\u201d").strip(), term


def _is_subject(phrase: str, *, bare: bool) -> bool:
    """Whether "what about <phrase>" names a subject of its own: no filter value (a format, a granularity, a year, an
    agency), no pointer at the results and no field of theirs. After a bare "and", two words at least."""
    words = re.findall(r"[a-z0-9][\w'-]*", phrase)
    if (
        not words
        or words == ["results"]
        or names_facet_word(phrase)
        or any(w in NOT_A_SUBJECT or w.isdigit() for w in words)
    ):
        return False
    aliases = agency_aliases()
    if phrase in aliases or any(w in aliases for w in words):
        return False
    content = [w for w in words if len(w) >= 3 and w not in STOPWORDS]
    return len(content) >= (2 if bare else 1)


def _topic_beside_marker(body: str) -> str | None:
    """The topic of a message with a topic-change clause anywhere in it: the clause after the marker, else
    the one before it (``None`` without a marker or without a topic)."""
    clauses = [c.strip(" ,") for c in CLAUSE_SPLIT.split(body) if c.strip(" ,")]
    if len(clauses) < 2:
        return None
    for i, clause in enumerate(clauses):
        if SWITCH_CLAUSE.fullmatch(clause) or (SWITCH_CLAUSE.match(clause) and clause.endswith(("else", "different"))):
            after, before = clauses[i + 1 :], clauses[:i]
            topic = " ".join(after) if after else (before[-1] if before else "")
            topic = LEAD_CONNECTIVES.sub("", topic).strip(" ,")
            return topic or None
    return None


# A new request that opens by saying so: "also need X", "also: X", "now - X", "new one pls: X", "now find X",
# "then can u find X"; its subject is judged by ``_is_subject`` (a format or a pointer at the results is no subject).
_NEW_SUBJECT = re.compile(
    r"^(?:(?:ok|okay|right|so|hmm)[, ]+)*(?:(?:also|now|next|then|and)\s*[:\-\u2013\u2014]\s*|new (?:one|search|query|request|topic)(?: pls| please)?\s*[:\-\u2013\u2014]\s*|"
    r"(?:(?:also|now|then|next|and)[, ]+)+(?:(?:can|could) (?:you|u) )?(?:find|get|look up|search(?: for)?|fetch|pull up|need|want)"
    r"(?: me| us)?\s+(?:(?:some|any|a|an)\s+)?(?:(?:data(?:sets?)?|stuff|info(?:rmation)?|figures|statistics|stats) (?:on|about|for)\s+)?)"
    r"(?P<topic>.{3,})$"
)


def _new_subject(topic: str) -> bool:
    """A subject of its own once its format and granularity words are set aside ("flood-prone area maps"): two
    content words at least, none pointing at the results ("the CSV ones", "them in CSV", "the second one")."""
    if rank_refs(topic) or PRONOUN.match(topic) or re.search(r"\b(?:ones?|them|those|these|it)\b", topic):
        return False
    words = [w for w in re.findall(r"[a-z][\w'-]*", topic) if not names_facet_word(w) and w not in _GENERIC_NOUNS]
    return _is_subject(" ".join(words), bare=True) and not _FREQUENCY_WORDS.search(topic)


# Nouns that name no subject: "the annual figures", "monthly data"
_GENERIC_NOUNS = frozenset(["data", "dataset", "datasets", "figures", "numbers", "stats", "statistics", "tables", "table",
                            "series", "version", "versions", "ones", "one", "records", "files", "info", "information"])  # fmt: skip
# (the everyday frequencies, narrower than GRANULARITY_WORDS: "live bus arrivals" is a subject of its own)
_FREQUENCY_WORDS = re.compile(r"\b(?:annual|annually|yearly|monthly|quarterly|weekly|daily|half-yearly|hourly)\b")


# "lol no not that, put them back", "no no - bring them back": a correction's interjection, before what it asks for
_NO_INTERJECTION = re.compile(
    r"^(?:(?:lol|haha|lmao|oops|argh|ugh)[,!.\s]+)*(?:no+|nah|nope)(?:[,\s]+(?:no+|nope|not (?:that|this|those|these)|wait|sorry|my bad))*"
    r"\s*(?:[,;!.]+|\s-+)\s*(?=\w)"
)


def _strip(text: str) -> str:
    text = _NO_INTERJECTION.sub("", text)
    text = re.sub(
        r"^(?:(?:ok|okay|hmm+|well|so|and|also|actually|now|right|alright|great|thanks|thank you|cool|o+h+|a+h+|u+m+|u+h+|"
        r"wow|nice|hey|nah|yeah|yes|sure|lol|haha|btw|by the way|quick q(?:uestion|n)?|one more (?:thing|q(?:uestion|n)?)|"
        r"lov(?:e|ing) (?:this|it|these)|perfect|excellent|brilliant|awesome|amazing|good stuff|great stuff|nice one|sweet|legend|"
        r"righto|cheers|ta|lovely|wonderful|splendid|superb|fab|ace|noice)(?:[,:;!.]|\s-+|\s)+"
        r"|(?:noted|understood|got it|i see)(?:[,:;!.]|\s-+)+\s*)+",
        "",
        text,
    )
    text = re.sub(r"^(?:(?:can|could|would|will) you(?: please)?|please|pls|kindly|let us|lets)\s+(?:(?:advise|tell me|let me know)\s+(?=(?:which|what|who|whose|how|where|when|whether|if)\b))?", "", text)
    text = re.sub(r"[\s,.!?;:]+(?:please|pls|thanks|thank you|thx|cheers)?[\s,.!?]*$", "", text)
    return text.strip(" ,.!?;:")


# "drop the KML files and tell me who publishes the first one": a change, then a question about what it leaves
_THEN_ASK = re.compile(
    r"^(?P<change>.+?)(?:(?:,\s*|\s+)(?:and|then|,)\s+(?:then\s+|also\s+)?|(?P<comma>[,;.])\s+(?=(?:what|who|which|how|where|when)\b))"
    r"(?P<ask>(?:tell me|let me know|show me|give me|what|who|which|how|where|when|is|are|does|do)\b.+)$"
)


# A message that opens with a command to change the list is a change, whatever it goes on to say ("put the GeoJSON
# ones back, any format is OK"); a change then a question was read before (``_change_then_question``).
_CHANGE_COMMAND = re.compile(
    r"^(?:(?:put|bring|add)\b(?!\s+up\b)(?:(?!\bside by side\b)[^?])*\bback\b|"
    r"(?:drop|exclude|hide|restore|leave out|take out|get rid of|filter out|ditch|lose)\b(?![^?]*\?))"
)


# A change said before a comma and a question ("bring back the rural one, what years does it cover?")
_CHANGE_LEAD = re.compile(
    r"^(?:(?:ok|okay|so|and|then|now|please|pls|actually)[, ]+)*(?:drop|remove|exclude|hide|bring|put|add|restore|only|keep|"
    r"leave out|take out|get rid of|filter|limit|restrict|no)\b"
)


def _change_then_question(body: str) -> FollowUpParse | None:
    """A state change followed by a question about the results it leaves, both read; else None."""
    match = _THEN_ASK.match(body)
    if match is None:
        return None
    if match["comma"] and not _CHANGE_LEAD.match(match["change"]):
        return None  # "and, just so I cite it properly, what licence ...": an aside, then the question
    question = parse_question(match["ask"])
    if question is None or question.kind == "compare":
        return None
    change = parse_followup(match["change"])
    if not (change.scopes or change.remove_facets or change.time) or change.question or change.topic_switch:
        return None
    change.then_question = question
    return change


def _scope_after(text: str, start: int) -> str:
    rest = text[start:]
    match = re.search(CLAUSE_BREAK, rest)
    phrase = rest[: match.start()] if match else rest
    if match and phrase.strip() and rest[match.start() : match.start() + 1] == ",":
        phrase += _listed_on(rest[match.start() :])
    return phrase.strip(" ,.!?;:")


# Between a request and a "not" that only says why: punctuation, a courtesy, "they are" / "those are"
_REASON_GAP = re.compile(
    r"[\s,;:.\-\u2013\u2014]*(?:(?:please|pls)[\s,;:.\-\u2013\u2014]*)?"
    r"(?:(?:they|those|these|it|that|them)(?: are| is|'re|'s| were| was)?\s*)?"
)


# A clause left over after a change that says nothing of its own: "-", "please - they're", "either"
_FILLER_CLAUSE = re.compile(
    r"[\W_]*(?:(?:please|pls|thanks|either|too|also|as well|they're|they are|those are|it is|it's|like|um|uh|so|ok|okay)[\W_]*)*"
)


# The items of a list after its first one: up to the end of the sentence, each short, the last joined by "and"/"or"
_LIST_ITEM_MAX_WORDS = 4
_LIST_JOIN = re.compile(r"^(?:.+\s)?(?:and|or|nor|&)\s+\S")
_ITEM_VERB = re.compile(
    r"(?:keep|show|give|leave|bring|add|put|make|include|sort|find|get|list|tell|let|drop|remove|exclude|only|just)\b"
)
_NOT_AN_ITEM = re.compile(
    r"^(?:please|pls|thanks|thank you|i|we|you|it|they|those|these|them|that|this|which|who|so|but)\b"
)


def _listed_on(tail: str) -> str:
    """ ", PASCAL VOC and ImageNet" after "exclude Cityscapes": the rest of a list of names, or "" when ``tail`` goes on
    with something else (", please", ", I only need CSVs", ", the rest is fine")."""
    sentence = re.split(r"[;.!?:(]|\s[-\u2013\u2014]+\s", tail, maxsplit=1)[0]
    items = [item.strip() for item in sentence.split(",")[1:]]
    for k, item in enumerate(items[:5]):
        if not item or len(item.split()) > 2 * _LIST_ITEM_MAX_WORDS + 1 or _NOT_AN_ITEM.match(item):
            return ""
        if EXCLUDE_PREFIX.match(item) or INCLUDE_PREFIX.match(item):
            return ""
        if _LIST_JOIN.match(item):  # the last item: "and ImageNet", "PASCAL VOC and ImageNet"
            last = re.split(CLAUSE_BREAK.replace("[,;!?:]", "[;!?:]", 1), item, maxsplit=1)[0]
            if re.match(r"\s*(?:only|alone|exclusively|instead)\b", item[len(last) :]):
                return ""  # "exclude rural, national and urban only": the last clause wants its own
            joined = re.split(r"\s?\b(?:and|or|nor|&)\s", last)[-1].strip()
            if not joined or _NOT_AN_ITEM.match(joined) or _ITEM_VERB.match(joined):
                return ""  # ", and keep the rest", ", or show me the CSVs"
            if any(len(p.split()) > _LIST_ITEM_MAX_WORDS for p in re.split(r"\s(?:and|or|nor|&)\s", last)):
                return ""
            return ", " + ", ".join([*items[:k], last])
        if len(item.split()) > _LIST_ITEM_MAX_WORDS:
            return ""
    return ""


def _is_generic(phrase: str) -> bool:
    return not phrase or bool(GENERIC_ONLY.match(phrase))


_KEEP_THE_REST = re.compile(
    r"\b(?:keep|keeping|leave|leaving|retain|retaining)\s+(?:everything|all|the rest|anything)\s*(?:else|of the filters|other)?"
    r"(?:\s+(?:as it is|as is|the same|unchanged))?\b|\b(?:but|and) otherwise the same\b"
)


def _questions_in_turn(asked: str) -> Question | None:
    """Two or more questions of different kinds, one a sentence ("Which has the longest history? And who publishes
    #1?"): the first, carrying the others in ``more``; None when the message is one question."""
    parts = [p for p in re.split(r"(?<=\?)\s+", asked) if p.strip()]
    if len(parts) < 2:
        return None
    questions = [parse_question(LEAD_CONNECTIVES.sub("", p)) for p in parts]
    if any(q is None for q in questions) or len({q.kind for q in questions}) < 2:
        return None
    if all(q.kind in FIELD_KINDS for q in questions):
        return None  # "what licence is #2? and what formats?": fields of one result, read whole (``Question.also``)
    first, *rest = questions
    first.more = rest
    return first


def parse_followup(message: str, *, has_previous_search: bool = True) -> FollowUpParse:
    """Everything a follow-up says about the search; ``is_followup`` is False when it says nothing. A long message is
    read by the sentence that asks for the change (``conversation.gist.followup_request``), not the story around it."""
    text, corrections = _normalised(followup_request(message) or message)
    out = FollowUpParse(text=text, corrections=corrections)
    body = _strip(text)
    if not body or HOW_TO.match(body):
        return out  # "how do I exclude a publisher?" asks about the assistant, it does not exclude anything
    short = len(body.split()) <= 30
    asked = body + "?" if text.rstrip().endswith("?") else body  # _strip took the question mark
    if has_previous_search and short and (both := _change_then_question(asked)) is not None:
        both.corrections = corrections  # the halves were read from the corrected text: the user's spelling is here
        return both
    if (
        has_previous_search
        and short
        and not REMOVE_FACET.match(body)
        and not BACK_TO_ALL.search(body)
        and not _CHANGE_COMMAND.match(body)
        and (question := parse_question(asked)) is not None
    ):
        out.question = _questions_in_turn(asked) or question
        return out
    if match := (TOPIC_SWITCH.match(body) or TOPIC_SWITCH.match(text)):  # "and now something on X": before _strip
        rest = (body if match.string == body else text)[match.end() :].strip(" ,:;.-")
        rest = re.sub(r"^(?:i am|i'm|we are) (?:after|looking for|interested in)\s+", "", rest)
        rest = re.sub(r"^(?:let us|let's|lets) (?:look at|see|find|get|try|do)\s+|^(?:show|find|give|get) (?:me|us)\s+", "", rest)
        rest = re.sub(r"\s+now$", "", LEAD_CONNECTIVES.sub("", rest))
        out.topic_switch = rest or None
        return out
    if (about := WHAT_ABOUT_TOPIC.match(body)) and not names_facet_word(about.group("topic") or about.group("count")):
        out.topic_switch = about.group("topic") or about.group("count")  # "what about road accident data instead"
        return out
    if (
        (loose := LOOSE_ABOUT.match(body) or LOOSE_ABOUT.match(text.strip()))
        and not (loose.group("bare") and loose.group("tail"))  # "and Statistics Norway as well": the same change again
        and _is_subject(loose.group("topic"), bare=bool(loose.group("bare")))
    ):
        out.topic_switch = loose.group("topic")  # "what about dengue?", "and population by age group?"
        return out
    if (switch := SWITCH_TO.match(text.strip())) and _is_subject(switch.group("topic"), bare=True):
        out.topic_switch = switch.group("topic")  # "let's switch to CO2 emissions per capita"
        return out
    if (topic := _topic_beside_marker(body)) is not None:
        out.topic_switch = topic
        return out
    if (lead := _NEW_SUBJECT.match(text.strip())) and _new_subject(topic := lead["topic"].strip(" ,.?!")):
        out.topic_switch = topic  # "also need flood-prone area maps", "now: QA over tables", "new one pls: X"
        return out
    # "lift the OECD restriction and instead exclude SingStat": the first clause is read alone, then the rest
    head, *rest = re.split(
        r",?\s+and (?:instead |then |also )?(?=(?:exclude|drop|remove|only|just|show|hide|leave out|keep)\b)",
        body,
        maxsplit=1,
    )
    if (named := VALUE_FILTER_OFF.match(head)) and not PRONOUN.match(named.group(1)):
        out.scopes.append(Scope("restore", named.group(1)))  # "remove the annual filter": that value's filter only
        if not rest:
            return out
        body = rest[0]
    # "undo", or "reverse that last step - the Finance ones may be useful after all"
    first = re.split(r"\s[-\u2013\u2014]+\s|[;:.!?](?:\s|$)|,\s(?=(?:the|those|these|they|it|i|we|that)\b)", body)[0]
    if (
        UNDO.match(first) and len(first.split()) <= 10 and not REMOVE_FACET.search(first)
    ):  # "remove the publisher filter"
        out.undo = True
        # "scratch that - anything that runs into 2021?": the last change goes, and the new request replaces it
        after = body[UNDO.match(first).end() :].strip(" -\u2013\u2014;:.!?,")
        if not after or not (_REQUEST_VERB.match(after) or _REPLACING_REQUEST.match(after) or parse_time(after)[0]):
            return out
        body = after
    if CLEAR.search(body):
        # "start over with all publishers, keeping everything else": only what it names goes
        out.clear = not _KEEP_THE_REST.search(body)
        body = CLEAR.sub(" ", body)
    for match in REMOVE_FACET.finditer(body):
        facet_words = re.findall(FACET_WORD, match.group(0))
        for word in facet_words:
            facet = FACET_WORDS[word]
            if facet not in out.remove_facets:
                out.remove_facets.append(facet)
    body = REMOVE_FACET.sub(" ", body)
    for match in BRING_BACK.finditer(body):
        phrase = next(g for g in match.groups() if g)
        if not _is_generic(phrase) or PRONOUN.match(phrase.strip()):  # "put them back": the last exclusion
            out.scopes.append(Scope("restore", phrase))
    body = BRING_BACK.sub(" ", body)
    window, body = parse_time(body)
    out.time = window
    body = " ".join(body.split())
    if match := (SAME_BUT.match(body) or SAME_SIDE.match(body) or SAME_FILTERS.match(body)):
        target = SAME_BUT_TAIL.sub("", next((g for g in match.groups() if g), "").strip(" ,.?!")).strip(" ,.?!")
        if target:
            out.same_but = target
            return out
    _read_scopes(body, out)
    for scope in out.scopes:
        if scope.mode in ("continue", "include") and (request := NEW_REQUEST.match(scope.phrase)):
            out.scopes, out.topic_switch = [], request.group(1).strip(" ,.?!")  # a search of its own
            return out
    for scope in out.scopes:
        trimmed, term = _trim_target(scope.phrase)
        scope.plural = bool(_PLURAL_TAIL.search(scope.phrase)) and trimmed != scope.phrase
        scope.phrase, scope.term = trimmed or scope.phrase, term
    seen: set[tuple[str, str]] = set()  # "I find the X tables confusing, so leave those out": X once
    out.scopes = [s for s in out.scopes if not ((s.mode, s.phrase) in seen or seen.add((s.mode, s.phrase)))]
    if (
        not out.changes_state
        and has_previous_search
        and short
        and len(body.split()) <= 6  # "#5?", "and the second one?": nothing but the pointer
        and not SIMILAR_OR_NAVIGATE.search(body)  # "more like the first one", "page 2" are the router's
        and (refs := rank_refs(body))
    ):
        # "#3?", "and the second one" with nothing else understood: a question about that result.
        out.question = Question("more", refs=refs, text=body)
        return out
    if not out.changes_state and has_previous_search and (question := _question_sentence(text)) is not None:
        out.question = question  # a long, warm message with one question in it: "... could you remind me who publishes #3? ..."
        return out
    if not out.changes_state and has_previous_search:
        bare = body.strip(" ,.?!")
        if bare and len(bare.split()) <= 5:
            out.bare = bare
    return out


def _question_sentence(text: str) -> Question | None:
    """The question a long message asks about the results, read from its own sentence (the last that asks one)."""
    sentences = [s.strip(" ,;\u2013\u2014-") for s in re.split(r"(?<=[.!?])\s+|\s[\u2013\u2014-]+\s", text) if s.strip()]
    for sentence in reversed(sentences):
        if len(sentence.split()) <= 30 and sentence.endswith("?") and (question := parse_question(sentence)) is not None:
            return question
    return None


def _domain_topic(wanted: str) -> str:
    """The new domain in "X of this sort drawn from Twitter", "the same sort of figures - only for travellers"."""
    parts = re.split(r"\b(?:but |only |just )*(?:for|about|on|from|drawn from|covering|with)\s+", wanted)
    topic = parts[-1] if len(parts) > 1 else SAME_MARK.sub(" ", wanted)
    return SAME_BUT_TAIL.sub("", " ".join(topic.split())).strip(" ,.-\u2013\u2014")


def _read_scopes(body: str, out: FollowUpParse) -> None:
    body = " ".join(re.sub(r"\([^)]*\)", " ", body).split())  # "(kml, geojson, shapefile)" only explains
    # "everything that's only a PDF": the "only" qualifies the format, it is not a restriction of its own
    body = re.sub(r"\b(that|which) (is|are|come|comes|exists?) (?:only|just)\b", r"\1 \2", body)
    if not body.strip():
        return
    if match := ALREADY_HAVE.search(body):
        out.scopes.append(Scope("exclude", match.group(1)))
        return
    if (match := KNOWN_ALREADY.search(body)) and not PRONOUN.match((match.group(1) or match.group(2) or "").strip()):
        known = (match.group(1) or match.group(2)).strip()
        cue = EXCLUDE_PREFIX.match(known)  # "forget LibriSpeech, I know it well"
        known = known[cue.end() :] if cue else known
        if not re.match(r"(?:their|its|his|her|our|my|your|enough)\b", known):  # "I've got their stuff already"
            out.scopes.append(Scope("exclude", known))
            return
    if match := SWITCH.search(body):
        out.scopes.append(Scope("exclude", match.group(1)))
        out.scopes.append(Scope("include", match.group(2), replace=True))
        return
    if match := INSTEAD.match(body):
        groups = match.groups()
        wanted, unwanted = next((groups[i], groups[i + 1]) for i in range(0, len(groups), 2) if groups[i])
        if SAME_MARK.search(wanted) and (topic := _domain_topic(wanted)):
            # "like this data, but about airline passengers instead of tourists": a new domain, the task kept
            out.same_but = topic
            return
        wanted = INCLUDE_PREFIX.sub("", wanted).strip()
        unwanted = re.split(r"[.;!?]\s", unwanted)[0].strip()  # "... rather than maps. Could we leave them out?"
        wanted = re.sub(
            r"^(?:something|anything|stuff|datasets?|data|figures|the ones|ones)\s+(?:from|by)\s+", "", wanted
        )
        if not _is_generic(wanted) and not _is_generic(unwanted):
            out.scopes.append(Scope("include", wanted, replace=True))
            out.scopes.append(Scope("exclude", unwanted))
            return
    taken: list[tuple[int, int]] = []
    for match in EVALUATIVE.finditer(body):
        subject = next((g for g in match.groups() if g), "").strip()
        subject = re.sub(r"^(?:(?:and|but|also|so|ok|okay|well|honestly|hmm+|tbh)\s+)+", "", subject)
        subject = re.sub(  # reported speech: "she says LibriSpeech is already familiar to her"
            r"^(?:(?:[a-z]+\s+){1,2}?(?:says|said|mentioned|tells me|told me|thinks)"
            r"|i (?:think|guess|believe|suspect))\s+(?:that\s+)?",
            "",
            subject,
        )
        subject = re.sub(
            r"^(?:most|some|many|all|a lot|lots|several|half) of (?:these|those|them|the results)(?: (?:seem|seems|look|looks|appear|appears) to)?(?: be)?\s*",
            "",
            subject,
        )
        personal = re.search(r"\b(?:i|we|you|me|us)\b", subject)
        if not personal and not PRONOUN.match(subject) and not _is_generic(subject) and len(subject.split()) <= 8:
            out.scopes.append(Scope("exclude", subject))
        taken.append(match.span())  # "it is not what I need" only comments: no cue inside it counts
    for match in EXCLUDE_SPLIT.finditer(body):
        if any(a <= match.start() < b for a, b in taken):
            continue
        phrase = match.group(1)
        if _excluded_subject(phrase, body[: match.start()], out):
            taken.append((0, match.end()))
            continue
        if PRONOUN.match(phrase):
            phrase = _antecedent(body[: match.start()]) or phrase
            if PRONOUN.match(phrase):  # "take those out" after a count: resolved against it when applied
                out.scopes.append(Scope("exclude", phrase))
                taken.append(match.span())
                continue
        if not _is_generic(phrase) and len(phrase.split()) <= 8:
            out.scopes.append(Scope("exclude", phrase))
            taken.append(match.span())
    for match in EXCLUDE_PREFIX.finditer(body):
        if any(a <= match.start() < b for a, b in taken):
            continue
        raw = _scope_after(body, match.end())
        if _excluded_subject(raw, body[: match.start()], out):
            taken.append((0, match.end() + len(raw)))
            continue
        phrase = re.sub(
            r"^(?:any(?:thing)?|everything|all)\s+(?:that (?:comes?|is) |coming |published |made )?(?:from|by|of|about|with)\s+",
            "",
            raw,
        )
        if PRONOUN.match(phrase):
            phrase = _antecedent(body[: match.start()])
        if taken and match.group(0).strip() in ("not", "no") and re.match(r"(?:our|my|your|their|his|her)\b", phrase):
            continue  # "nuke the moneylender stuff, not our vertical": a reason after the request, not a second one
        if (
            taken
            and match.group(0).strip() == "not"
            and _REASON_GAP.fullmatch(body[max(b for _a, b in taken) : match.start()])
            and not re.match(r"\s*(?:either|too|also|as well|neither)\b", body[match.end() + len(raw) :])
        ):  # "exclude Cityscapes and ImageNet - not remote sensing", "no COCO, they're not medical": why, not what
            taken.append((match.start(), match.end() + len(raw)))
            continue
        if not _is_generic(phrase):
            out.scopes.append(Scope("exclude", phrase))
            taken.append((match.start(), match.end() + len(raw)))
    if not taken and (match := EXCLUDE_POSTFIX.match(body)):
        out.scopes.append(Scope("exclude", next(g for g in match.groups() if g)))
        return
    if match := re.match(r"^keep (?:only )?(.+?),?\s+(?:and )?(?:nothing|none) else$", body):
        out.scopes.append(Scope("include", match.group(1), replace=True))
        return
    remainder = body
    for a, b in sorted(taken, reverse=True):
        remainder = remainder[:a] + " , " + remainder[b:]
    if match := FREQUENCY_ASK.search(remainder):
        out.scopes.append(Scope("include", match.group(1), replace=True))
        return
    words = re.findall(r"[a-z][a-z-]*", remainder)
    granularity = [w for w in words if w in GRANULARITY_WORDS]
    if granularity and not taken and all(w in GRANULARITY_WORDS or w in GRANULARITY_FILLER for w in words):
        # "annual data instead", "do you have the monthly version?": a change of granularity.
        out.scopes.append(Scope("include", granularity[0], replace=True))
        return
    leftover = " ".join(w for w in words if w not in GRANULARITY_FILLER)
    if not taken and leftover in FREQUENCY_PHRASES and " " in leftover:
        # "do you have it per quarter?", "I need it month by month"
        out.scopes.append(Scope("include", leftover, replace=True))
        return
    for match in INCLUDE_PREFIX.finditer(remainder):
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
        if not _is_generic(phrase) or PRONOUN.match(phrase):  # "just those": a count's results, when applied
            out.scopes.append(Scope("include", phrase, replace=True))
    if not any(s.mode == "include" for s in out.scopes):
        for match in WISH.finditer(remainder):
            phrase = _scope_after(remainder, match.end())
            if not _is_generic(phrase) and len(phrase.split()) <= 4:
                out.scopes.append(Scope("include", phrase, replace=True, soft=True, wish=True))
    if not any(s.mode == "include" for s in out.scopes):
        for clause in re.split(r"[,;]|\bbut\b", remainder):
            clause = clause.strip()
            if (match := INCLUDE_POSTFIX.match(clause)) and not re.match(
                r"(?:thanks?|thank you|thx|cheers|appreciate|grateful|(?:so )?much for|for (?:the|your|all))\b", match.group(1)
            ):  # "thank you so much for the prompt help only": thanks, not a filter
                phrase = re.sub(r"^(?:the ones |those |ones |stuff )?(?:from|by|on|in)\s+", "", match.group(1))
                # "NEA alone", not "data on elderly living alone"
                if not _is_generic(phrase) and (len(phrase.split()) <= 4 or not clause.endswith("alone")):
                    out.scopes.append(Scope("include", phrase, replace=True))
            elif (
                taken
                and len(clause.split()) <= 4
                and not _is_generic(clause)
                and not _FILLER_CLAUSE.fullmatch(clause)
                and not COURTESY.match(clause)  # "..., so could you kindly leave those out"
                and clause not in {s.phrase for s in out.scopes}  # "MNIST, leave those out": what goes, not stays
            ):
                out.scopes.append(Scope("include", clause, replace=True, soft=True))
    if not out.scopes and (match := CONTINUE.match(body)):
        phrase = (match.group(1) or match.group(2) or "").strip(" ,")
        if not _is_generic(phrase) and len(phrase.split()) <= 5:
            out.scopes.append(Scope("continue", phrase))  # "and IAM as well": the same change as the last one


# The typo corrector (conversation.nlu) must never "correct" a word this parser looks for ("buang", "nombor").
register_module_words(grammar, questions_parse, time_parse, sys.modules[__name__])
