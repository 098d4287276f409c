"""Questions about the results on screen: which one goes back furthest, who publishes the second,
compare A and B, how many are CSV... Parsed from text only; ``questions`` answers them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from conversation.lexicon import CARDINAL_WORDS

_ORDINALS = {
    "first": 1, "1st": 1, "top": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8, "ninth": 9,
    "9th": 9, "tenth": 10, "10th": 10, "last": -1, "final": -1, "bottom": -1,
}  # fmt: skip
_CARDINALS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5, "couple": 2, "pair": 2}
_ORD_WORD = "|".join(sorted(map(re.escape, _ORDINALS), key=len, reverse=True))
_ITEM = r"(?:one|result|dataset|data ?set|item|entry|hit|option|link|record|listing)s?"
_ORDINAL_RE = re.compile(rf"\b(?:the\s+)?({_ORD_WORD})(?:\s+{_ITEM})?\b(?!\s+(?:two|three|four|five|\d))")
_NUMBER_WORD = "|".join(CARDINAL_WORDS)
_NUMBERED_RE = re.compile(
    rf"(?:#\s?(\d{{1,2}})\b|\b(?:number|no\.?|num|{_ITEM})\s*#?\s*(\d{{1,2}})\b|\b(?:number|no\.?|num)\s+({_NUMBER_WORD})\b)"
)
_GROUP_RE = re.compile(
    r"\b(?:the\s+)?(first|1st|top|last|bottom|final)\s+(?:(two|three|four|five|[2-5])|(?:couple|pair)(?:\s+of)?)\b"
)
# "the second-to-last one", "the penultimate result", "second last": one before the last
_PENULTIMATE_RE = re.compile(r"\b(?:second[- ](?:to[- ])?(?:last|bottom)|penultimate|next[- ]to[- ]last|one before (?:the )?last)\b")
_FOCUS_RE = re.compile(
    rf"\b(?:that|this|the same|said)\s+(?:one|{_ITEM})\b|\b(?:it|its)\b(?!\s+(?:is|was) (?:a|an|the|good|great|fine))"
)
_PLURAL_RE = re.compile(
    r"\b(?:these|those|them|they|the results|the datasets|the list|here|of the \d+|above|shown|on (?:the|this) list|"
    r"of (?:the|these) (?:results|datasets)|you (?:found|showed|listed))\b"
)

# "of these", "in this list", "on the list", "among the results", "you showed"
_AMONG = (
    r"(?:\s+(?:of|in|on|among|from)\s+(?:these|them|those|this list|the list|that list|the results|these results|"
    r"the datasets|these datasets|the ones (?:here|shown|listed)|the ones|what you (?:found|showed|listed)|"
    # "how many of the remaining ones are csv?", "how many of the rest are from NEA?"
    r"the (?:remaining|rest|ones left|ones remaining)(?: ones| datasets| results)?|those (?:left|remaining)|what remains|"
    r"what(?: is| are|'s) (?:shown|listed|here|left|on (?:the |this )?(?:list|screen)))|\s+here|\s+listed|\s+shown)"
)
_LEAD = r"(?:^|(?<=[,;:.!?\u2013\u2014-])\s*)"  # at the start of the message or of a clause
_FILLERS = (
    r"(?:(?:and|so|ok|okay|k|kk|then|now|also|but|alright|right|thanks|thank you|"
    r"(?:out )?of (?:these|them|those|the results)|among (?:these|them|those|the results))[,]?\s+)*"
)  # "of these, how many are from MOH?"
_SIZE_NOUNS = (
    r"(?:images|pictures|photos|rows|records|samples|examples|instances|entries|hours|videos|clips|classes|categories|files|"
    r"sentences|documents|questions|people|frames|scans|utterances|speakers|tokens|words|annotations|labels)"
)
_KINDS: list[tuple[str, re.Pattern]] = [
    (
        "compare",
        re.compile(
            r"\b(?:compare|comparing|comparison (?:of|between|for|table)|(?:a|in|as a|the) comparison|contrast|side[ -]by[ -]side|next to each other|vs\.?|versus|"
            r"stack(?:s)? up (?:against|to)|put .+ (?:in|into) (?:a |one |the same )?(?:comparison )?table|tabulate|"
            r"differences? between|difference of|how (?:do|does) .+ compare|what is the difference|what are the differences|"
            r"which (?:is|one is) better|pros and cons|how (?:does|do|is|are) .+ (?:differ|different) (?:from|to)|differs? from)\b"
        ),
    ),
    (
        "count",
        re.compile(
            rf"{_LEAD}{_FILLERS}how many{_AMONG}?(?: results| datasets| ones)?{_AMONG}?\s+(?:are|is|have|has|come|came|offer|were|get|use|can|do|"
            r"did|does|cover|from)\b|"
            rf"{_LEAD}(?:and\s+)?how many (?:of (?:these|them|those)|here)\b|\bcount (?:the|how many)\b|"
            # "how many geojson?", "how many csvs?": a value on its own (not "how many images?", a size)
            rf"{_LEAD}{_FILLERS}how many (?!{_SIZE_NOUNS}\b)[\w.-]+(?: ones| files| datasets| of them)?(?: (?:are|is) (?:there|left|shown))?"
            r"(?: now| still| left)?\s*\??\s*$|"
            r"\bwhat is the [\w.-]+(?: [\w.-]+)? (?:tally|count)\b"
        ),
    ),
    (
        "size",
        re.compile(
            rf"\bhow (?:many|much) (?:{_SIZE_NOUNS}|images are|pictures are)\b|\bhow (?:big|large|huge)\b|\bsize of\b|\bwhat size\b|\bhow many .+ (?:does|do|in) \S+"
        ),
    ),
    (
        "longest_history",
        re.compile(
            r"\b(?:longest(?:[- ]running)?|(?<!back )(?<!back the )(?:furthest|farthest)(?! back)|most (?:many |much )?(?:years|long)|"
            r"widest (?:time )?(?:range|coverage|span)|goes? back (?:the )?(?:longest|most)|covers? (?:the )?most (?:years|time)|"
            r"longest (?:time[- ]series|history|span|coverage|record|run|period)|most history|largest (?:time )?span|"
            r"(?:deepest|richest|most extensive|biggest|longest) (?:history|record|archive|back ?catalog(?:ue)?|time[- ]series)|"
            r"(?:covers?|spans?|has|have) (?:more|the most) (?:years|time|history)|"
            r"longer (?:history|series|time[- ]series|coverage|span|record))\b"
        ),
    ),
    (
        "earliest_start",
        re.compile(
            r"\b(?:oldest|earliest|(?:which|what)(?: one| dataset)? (?:is|starts?|begins?) (?:older|more old|earlier)|more old|"
            r"starts? (?:the )?(?:earliest|first)|begins? (?:the )?earliest|goes? back earliest|"
            r"(?:goes?|going|reach(?:es)?|stretch(?:es)?|dates?) back (?:the )?(?:furthest|farthest|further|farther)|"
            r"(?:furthest|farthest) back|"
            r"(?:starts?|begins?) (?:the )?most early|most early|first to (?:start|begin))\b"
        ),
    ),
    (
        "most_recent",
        re.compile(
            r"\b(?:most recent|most up[- ]to[- ]date|latest|newest|freshest|most current|updated most recently|most (?:new|fresh|updated)|"
            r"(?:which|what)(?: one| dataset)? is (?:newer|more recent|more up[- ]to[- ]date|fresher)|"
            r"most recently (?:updated|published|released)|last updated|up to date|recent(?:ly)? updated|"
            r"(?:ends?|finish(?:es)?|stops?|runs?|goes?|reach(?:es)?) (?:the )?(?:most recently|latest|furthest forward|up to the latest))\b"
        ),
    ),
    (
        "publisher",
        re.compile(
            r"\b(?:who|which (?:agency|organi[sz]ation|body|ministry|department|publisher|institution|group|lab|team))\b.*"
            r"\b(?:publish\w*|makes?|made|produces?|produced|owns?|maintains?|provides?|behind|responsible|releases?|"
            r"released|puts? out|created?|collected|compiled)\b|\bpublisher\b|\bwho (?:is|are) (?:the )?(?:author|owner|source|data owner|data custodian|custodian|data steward)\b|"
            r"\b(?:what|which) (?:is|are) (?:the )?(?:data owner|data custodian|owning agency)\b|"
            r"\bwhat (?:agency|organi[sz]ation)\b|\bwho (?:made|makes|publishes|owns|created|maintains|runs|curates|keeps)\b|"
            r"\bwhose (?:data(?:set)?s?|is|are|figures|numbers|work|release)\b|\bwho (?:is|are) (?:it|that|this|they) (?:from|by)\b|"
            r"\b(?:from|by) (?:which|what|whom) (?:agency|organi[sz]ation|publisher)\b"
        ),
    ),
    (
        "licence",
        re.compile(
            r"\blicen[cs](?:e|es|ing)\b|\blicen[cs]ed (?:under|as|for|to|by)\b|\bterms of use\b|\bfree(?:ly)? (?:to |for )?(?:use|reuse|re-use|download|commercial)\b|\bopen data\b|\bunder (?:what|which) terms\b|\bterms\b.*\buse\b|\bcopyright\b|"
            r"\bcan (?:i|we) use\b|\b(?:commercial|commercially)\b|\breuse\b"
        ),
    ),
    (
        "frequency",
        re.compile(
            r"\bhow (?:often|frequently|regularly)\b|\bupdate (?:frequency|schedule|cadence)\b|\brefresh(?:ed)? (?:rate|frequency|cadence|"
            r"schedule|cycle|interval)\b|\b(?:release|publication|update) cadence\b|"
            r"\bupdated how\b|\bhow (?:is|are) .+ updated\b|\bwhat frequency\b|\bwhen is .+ updated\b|"
            r"\b(?:updated|refreshed|maintained) (?:regularly|often|frequently|still)\b|\b(?:regularly|still) (?:updated|maintained)\b|"
            # "is the top one annual or what", "are they monthly?": asked of a result, yes or no
            # "the second one, is it weekly or annual update?"
            r"^(?:(?:and|so|ok|okay|then)[, ]+)*(?:(?:the \w+ one|#\d+|item \d+|that one|this one|no\.? ?\d+)[, ]+)?(?:(?:it|they) )?(?:is|are)\b(?! there\b)"
            r".{0,40}?\b(?:annual|annually|yearly|monthly|quarterly|weekly|"
            r"daily|half-yearly|real-?time|updated (?:every|each|once a) (?:year|month|quarter|week|day))"
            r"(?:\s+or (?:what|not|something|\w+ly|annual))?(?: updates?| updated)?\s*\??$|"
            # a literal translation: "it is updated each how much time?"
            r"\bupdated? (?:each|every) how (?:much|long|often)\b"
        ),
    ),
    (
        "coverage",
        re.compile(
            r"\b(?:what|which) (?:years?|period|time ?span|time range|time ?frame|dates?|range of years)\b|\bcoverage\b|"
            r"\bhow far back\b|\bwhen does .+ (?:start|begin|end)\b|\b(?:what|which) period\b|\bspan\??$|\bcover\??$|"
            r"\bfrom when\b|\bhow (?:recent|old) is\b|\bstart (?:and|or) end\b|\b(?:time ?span|time range|time ?frame|date range|"
            r"years covered|period covered|range of dates|temporal (?:coverage|range|extent))\b|\bwhich years\b|\bwhat dates\b|"
            r"\b(?:the )?years? (?:it|that|this|they|that one|this one) (?:covers?|spans?|runs?)\b|"
            r"\b(?:span|range|stretch) of (?:years|dates|time)\b"
        ),
    ),
    (
        "formats",
        re.compile(
            r"\b(?:formats?|file ?types?|file formats?|kind of files?|type of files?|seriali[sz]ations?|encodings?)\b|"
            r"\bdownload(?:able)? (?:it )?(?:as|in)\b|\bavailable (?:as|in)\b|\bcomes? (?:in|as)\b|\bserved (?:in|as)\b"
        ),
    ),
    (
        "link",
        re.compile(
            r"\b(?:link|url|website|web ?page|homepage|home page)\b|\bwhere (?:can|do|could|should) (?:i|we) (?:get|download|find|access|grab|"
            r"fetch|pull|obtain)\b|"
            r"\bpaper (?:i|we) (?:can|could|should) cite\b|\bwhat (?:should|do|can) (?:i|we) cite\b|"
            # "where can I read the original paper for the first result?", "where's the paper?"
            r"\bwhere (?:can|do|could|would) (?:i|we) (?:read|see|view|open|find|get) (?:the |its |their )?(?:original |source |underlying )?"
            r"papers?\b|\bwhere(?:'s| is| are) (?:the |its |their )(?:original |source )?papers?\b|\bpaper link\b"
        ),
    ),
    (
        "more",
        re.compile(
            r"(?:^|(?<=[,;:.!?\u2013\u2014-])\s*)(?:(?:so|ok|okay|and|but)\s+)?(?:can you |could you |would you |please |kindly |pls )?"
            r"(?:tell me (?:more |a bit more |a little more |something )?about|more on\b|(?:give me |share )?(?:a bit |a little |some )?more "
            r"(?:info|information|details?) (?:on|about|of|for)|"
            r"(?:give me |show me |what are |provide |send me |share |get me )?(?:the |some |more |full |further )?details? (?:on|of|about|for)|"
            r"^(?:more )?details?(?= [a-z0-9][\w.+-]*(?: [\w.+-]+){0,3}\s*[?.!]*$)|what(?: is| are)? .+ about|describe|explain|"
            r"what is in|what does .+ (?:contain|include|have|cover|measure|track)|what kind of data is in|summar(?:ise|ize))\b|"
            r"\bwhere (?:was|is|were|are) .+ (?:recorded|collected|from|taken|captured|gathered|filmed|measured)\b|"
            r"^info on\b|\b(?:a |the )?(?:short |brief |quick )?(?:summary|overview|rundown|synopsis) (?:of|for|on)\b|"
            # "what's the last one on the list?", "which one is at the bottom?", "what was number 4 again": that result
            rf"^(?:(?:and|so|ok|okay|then|now)[,]?\s+)*(?:what|which)(?: one| dataset)?(?: is|'s| was)\s+(?:at\s+)?(?:the\s+)?"
            rf"(?:{_ORD_WORD}|#\s?\d{{1,2}}|number\s+\d{{1,2}})\b(?:\s+{_ITEM})?(?:\s+(?:one|on|in|of)\s+(?:the|this|that|your)\s+(?:list|results|page))?"
            r"(?:\s+again)?\s*\??$|"
            # "number four, which indicator is it exactly?", "the last couple, what are they?": what those results are
            r"\b(?:which|what) (?:indicator|dataset|data ?set|table|series|one|benchmark|corpus|thing)s? (?:is|are) (?:it|that|this|they|those)\b|"
            r"(?:^|(?<=[,;:.!?\u2013\u2014-])\s*)(?:(?:and|so|ok|okay)\s+)?what (?:is|are) (?:it|they|those|these|them)(?: exactly| again)?\s*\??$|"
            rf"^(?:(?:and|so|ok|okay)\s+)?what (?:is|are) (?:the )?(?:first|top|last|bottom)\s+(?:two|three|four|five|couple|pair)\b"
        ),
    ),
]
_QUESTION_START = re.compile(
    r"^(?:and |so |ok |okay |also |then |now |hmm )*(?:which|what|who|whose|how|where|when|is|are|does|do|can|could|tell|give|show|"
    r"indicate|advise|confirm|let me know|"
    r"compare|put|list|any|between|of|among|out of|from|among|describe|explain|more|info|details?)\b"
)
# A later sentence that asks: "For nowcasting freshness matters. Which of these runs up to the latest date"
_QUESTION_CLAUSE = re.compile(r"[.!?;:]\s+(?:which|what|who|whose|how|where|when)\b")
_NAME_STRIP = re.compile(
    r"^(?:(?:and|so|ok|okay|also|then|now|hmm|please|kindly|pls|just|can you|could you|tell me|give me|show me|provide|send me|"
    r"i want|i would like)\s+)*"
    r"(?:(?:more|a bit more|a little more|something|some more|the|full|further)\s+)?(?:(?:info|information|details?)\s+)?"
    r"(?:about|on|of|for|regarding|re)?\s*"
)
_NAME_TAIL = re.compile(r"\s+(?:about|like|in more detail|in detail|please|for me|dataset|data ?set|one|again)\s*$")


_NAMED_ONE = re.compile(r"\bthe ([a-z0-9][\w.+-]*(?: [\w.+-]+){0,3}) (?:one|dataset)\b")
_ABOUT_NAME = re.compile(
    r"\b(?:more|details?|info(?:rmation)?) (?:about|on) (?!(?:it|this|that|them|these|those|the|a|an|each|both)\b)"
    r"([a-z0-9][\w.+-]*(?: [\w.+-]+){0,3}?)\s*(?:$|[\u2013\u2014,;:?.!]|\s-\s)"
)
# "is LIAR in there? tell me about it", "the one on co-curricular activities - tell me more": the name, not the focus
_IN_CATALOG_NAME = re.compile(
    r"\b(?:is|are|do you have|have you got|got)\s+([a-z0-9][\w.+-]*(?: [\w.+-]+){0,3}?)\s+"
    r"(?:in there|in (?:the|your) (?:catalog(?:ue)?|list|results)|on (?:the|your) list|available|listed)\b"
)
_ONE_ON_NAME = re.compile(
    r"\bthe (?:one|dataset|table) (?:on|about|for|covering)\s+([a-z0-9][\w.+-]*(?: [\w.+-]+){0,3}?)"
    r"(?=\s+(?:has|have|is|does|do|got|looks?|seems?|sounds?)\b|\s*[?,;:.!]|\s+-\s|$)"
)
# "add TriviaQA to that comparison", "can you include WikiQA in the table too?"
_ADD_TO_COMPARISON = re.compile(
    r"^(?:(?:and|also|now|ok|okay|please|pls|can you|could you|would you)[,]?\s+)*(?:add|include|put|throw|bring|stick)\s+"
    r"(?P<names>.+?)\s+(?:in|into|to|onto|on)\s+(?:the|that|this|your|the same)\s+(?:comparison|table|side[- ]by[- ]side)"
    r"(?:\s+(?:too|as well|also|please|pls))*\s*[?.!]*$"
)
_NOT_A_NAME = frozenset(["same", "other", "right", "wrong", "last", "next", "previous", "new", "old", "best", "only", "big",
                         "small", "first", "second", "third", "top", "above", "latest", "newest", "oldest", "main", "that",
                         "this", "these", "those", "it", "on", "of", "for", "about", "in", "licence", "license", "format"])  # fmt: skip


# Words that qualify one name shared by the parts of a list: "the monthly, quarterly and annual CPI tables".
_MODIFIERS = frozenset(
    ["daily", "weekly", "monthly", "quarterly", "annual", "yearly", "half-yearly", "realtime", "rural", "urban", "male",
     "female", "total", "resident", "citizen", "nominal", "real", "seasonally", "adjusted", "sa", "current", "constant",
     "national", "regional", "historical", "latest", "old", "new"]
)  # fmt: skip


_DESCRIPTOR = re.compile(
    r"\b(?:datasets?|data|tables?|figures|series|indicators?|statistics|stats|files|records|numbers|rates?|ind(?:ex|ices))$"
)


_ASKS_FOR_ONLY = re.compile(
    r"^(?:(?:please|pls|kindly|ok|okay|and|then|now)[, ]+)*(?:give|show|list|keep|leave)(?: me| us)?(?: the)? (?:only|just)\b(?!.*\?)"
)
_POINTS_AT_ALL = re.compile(
    r"(?:these|those|they|them|all|all of them|all of these|each|each of them|these ones|those ones|the results)"
)
_TELL_MORE = re.compile(r"\btell me (?:a (?:bit|little) |some )?more about\b|\bmore (?:info|information|details?) (?:on|about)\b")
FIELD_KINDS = frozenset(["publisher", "licence", "formats", "coverage", "frequency", "link"])  # one field of one result


@dataclass
class Ref:
    kind: str  # rank | name | focus | topic ("the one on co-curricular activities": by its words, else the focus)
    value: int | str | None = None


@dataclass
class Question:
    kind: str
    refs: list[Ref] = field(default_factory=list)
    plural: bool = False  # "these", "them": about the whole list
    target: str = ""  # for counts and "is it available as CSV": the facet phrase asked about
    text: str = ""
    also: list[str] = field(default_factory=list)  # more fields of the same result: "formats and licence of #2?"
    # Further questions in the same message, answered in turn: "Which has the longest history? And who publishes #1?"
    more: list[Question] = field(default_factory=list)
    extend: bool = False  # "add TriviaQA to that comparison": the last comparison's datasets and these


def _refs(text: str) -> list[Ref]:
    refs: list[Ref] = []
    for match in _GROUP_RE.finditer(text):
        n = _CARDINALS[match.group(2)] if match.group(2) else 2  # "the last couple (of)"
        ranks = range(1, n + 1) if match.group(1) in ("first", "1st", "top") else range(-n, 0)
        refs.extend(Ref("rank", r) for r in ranks)
    text = _GROUP_RE.sub(" ", text)
    refs.extend(Ref("rank", -2) for _ in _PENULTIMATE_RE.finditer(text))
    text = _PENULTIMATE_RE.sub(" ", text)
    for match in _NUMBERED_RE.finditer(text):
        refs.append(
            Ref("rank", int(match.group(1) or match.group(2)) if not match.group(3) else CARDINAL_WORDS[match.group(3)])
        )
    for match in _ORDINAL_RE.finditer(text):
        word = match.group(1)
        # "top" is an ordinal only as "the top one/result"; "latest"/"first" inside other phrases are not.
        if word == "top" and not re.search(rf"\btop\s+{_ITEM}\b", match.group(0)):
            continue
        if word == "first" and re.search(r"\bfirst (?:half|quarter|time|place|look)\b", text):
            continue
        refs.append(Ref("rank", _ORDINALS[word]))
    if not refs and _FOCUS_RE.search(text):
        refs.append(Ref("focus"))
    return refs


def rank_refs(text: str) -> list[Ref]:
    """The results a message points at by position ("#3", "the second one", "number four")."""
    return [ref for ref in _refs(text) if ref.kind == "rank"]


def _names(text: str, kind: str) -> list[str]:
    """Candidate dataset names in a question ("compare Cityscapes and Foggy Cityscapes" -> both)."""
    body = text
    body = re.sub(r"[?!.]+$", "", body).strip()
    if kind == "compare":
        # "compare A, B and C for me? I don't know the difference", "compare A and B - size in particular"
        sentences = re.split(r"[?!]\s+|\.\s+|\s[\u2013\u2014]+\s|\s--\s", body)  # (titles use " - ")
        # the sentence that asks ("whatever. compare LIAR and FakeNewsNet"), else the first
        body = next((x for x in sentences if re.search(r"\b(?:compare|vs\.?|versus|side[ -]by[ -]side|differences?)\b", x)), sentences[0])
        body = re.sub(
            r"^(?:(?:can you |could you |would you |please |ok |and |now |so )*)(?:compare|contrast|put|show|place|lay out|tabulate)\s+",
            "",
            body,
        )
        body = re.sub(
            r"\b(?:side[ -]by[ -]side|for me|please|(?:in|into|as) (?:a |one |the same )?(?:(?:little|small|quick|short|simple|nice|"
            r"neat|single) )?(?:comparison )?table|with each other|"
            r"against each other)\b", "", body)  # fmt: skip
        body = re.sub(r",?\s*\b(?:(?:as |in )?(?:a )?table|tbl)\s*$", "", body)  # "nuScenes vs Waymo, table"
        body = re.sub(
            r"^(?:what is|what are) the differences? between\s+|^differences? between\s+|^how does\s+", "", body
        )
        body = re.sub(r"\s*(?:-|,)?\s*(?:what is|what are) the differences?\s*$|\s+compare\s*$", "", body)
        body = re.sub(r"\s+compares?\s+(?=(?:with|to|against)\b)", " ", body)  # "how does A compare with B"
        parts = re.split(
            r"\s*(?:,|\band\b|\bvs\.?|\bversus\b|\bto\b|\bwith\b|\bagainst\b|\bstack(?:s)? up against\b|\bor\b)\s*",
            body,
        )
        parts = [re.sub(r"^(?:the|a|an)\s+", "", p.strip(" ,.")) for p in parts]
        parts = [p for p in parts if p and not re.fullmatch(r"(?:the|them|these|those|it|each other)", p)]
        # "the monthly, quarterly and annual CPI tables": the words after the last name describe them all.
        tail = " ".join(parts[-1].split()[1:]) if parts else ""
        shared = all(set(p.split()) <= _MODIFIERS for p in parts[:-1]) or (
            all(len(p.split()) <= 2 for p in parts[:-1]) and bool(_DESCRIPTOR.search(tail))
        )  # "PM2.5 and PM10 pollutant datasets" share the tail; "LibriSpeech, TIMIT and Speech Commands" do not
        if len(parts) >= 2 and len(parts[-1].split()) > 1 and shared:
            parts = [f"{p} {tail}" for p in parts[:-1]] + [parts[-1]]
        return parts
    body = re.split(
        r"\s*[,;\u2013\u2014]\s*(?=(?:ideally|if|and|with|please|preferably|so|because|as|is there|are there|i|we|thanks|got)\b)",
        body,
    )[0]
    clauses = [c for c in re.split(r"[?!.:]\s+|\s[-\u2013\u2014]+\s", body) if c.strip()]
    if (
        len(clauses) > 1
    ):  # the clause that asks: "Quick one: how many pairs are in SQuAD?", "... CoNLL-2003? Reviewers ..."
        pattern = dict(_KINDS)[kind]
        asking = [c for c in clauses if pattern.search(c)]
        body = (
            asking[0] if asking and kind not in ("link", "more") else clauses[0] if kind in ("link", "more") else body
        )
    body = _NAME_STRIP.sub("", body)
    # "what licence Cityscapes is under", "which formats COCO comes in": the name between the field and its verb
    body = re.sub(r"^(?:what|which) (?:licen[cs]e|formats?|publisher|frequency) (?!(?:is|are|does|do|of|for|on|has|have)\b)(.+?) "
                  r"(?:is|are|comes?|has|uses?|was|were)(?: (?:released |published |licensed |distributed |available )?(?:under|in|with|as))?$",
                  r"\1", body)  # fmt: skip
    body = re.sub(
        r"^(?:the |a )?(?:paper |source )?(?:links?|urls?|homepage|website|web ?page|page)\s+(?:for|of|to|on)\s+",
        "",
        body,
    )
    body = re.sub(r"\s+(?:paper |source |dataset )?(?:links?|urls?|homepage|website)$", "", body)
    body = re.sub(r"^(?:more|details?|info(?:rmation)?) (?:on|about)\s+", "", body)
    body = re.sub(
        r"^where (?:i|we) can (?:find|get|download|grab|fetch|obtain|access)\s+|"
        r"^where (?:can|do|could|should) (?:i|we) (?:find|get|download|grab|fetch|obtain|access)\s+",
        "",
        body,
    )
    body = re.sub(r"^(.+?) from$", r"\1", body) if re.match(r"^where\b", text.strip()) else body  # "where do I grab X from"
    body = re.sub(
        r"^(?:the |a )?(?:original )?(?:paper|publication|article|citation)\s+(?:for|of|on|behind|about|introducing)\s+",
        "",
        body,
    )
    for pattern in (
        r"^(?:(?:under|in|with|by|from|on|for|at)\s+)?(?:what|which|who|whose|how|where|when)\b.*?\b(?:is|are|does|do|was|were|has|have)\s+(?:the\s+)?(?:licen[cs]e|publisher|formats?|coverage|period|frequency|link|url|homepage|website|page|paper)?\s*(?:of|on|for|to)?\s*",
        r"^(?:who|what agency|which agency|which organi[sz]ation)\s+(?:publishes|published|makes|made|produces|produced|owns|maintains|is behind|"
        r"provides|puts out|put out|releases|released|collects|compiles|is responsible for)\s+",
        r"^(?:what(?:'s| is)? the\s+)?(?:licen[cs]e|publisher|formats?|coverage|period|frequency)\s+(?:of|on|for)\s+",
        r"^how (?:often|frequently) (?:is|are|does|do)\s+",
        r"^what (?:format|formats|years|period|licen[cs]e) (?:is|are|does|do)\s+",
        r"^where (?:was|is|were|are)\s+",
        r"^how (?:many|much) [\w -]+? (?:does|do|did|are there in|is there in|are in|is in|in|has|have)\s+",
        r"^(?:what is |what are )?(?:the )?(?:licen[cs]e|licensing) (?:situation|status|terms|position|details) (?:for|of|on)\s+",
        r"^what is\s+",
    ):
        body = re.sub(pattern, "", body)
    body = re.sub(
        r"\s+(?:about|under|in|span|cover|covers|updated|refreshed|come in|available|recorded|collected|from|"
        r"have|has|contain|contains|hold|include|get updated|licensed|published)\s*$",
        "",
        body,
    )
    body = re.sub(r"\s+(?:itself|themselves|on its own|come|comes|fall|falls)$", "", body)
    body = re.sub(r"^(?:situation|status|terms|position|details|question) (?:for|of|on|with)\s+", "", body)
    body = _NAME_TAIL.sub("", body).strip(" ,.'\"")
    body = re.sub(r"^(?:(?:the|a|an|in|of|on|for|about)\s+)+", "", body)
    return [body] if body and len(body) <= 120 else []


# "licence?", "formats?": one field word on its own asks it of the result in focus (else the first)
_BARE_FIELD = re.compile(
    r"^(?:(?:and|so|ok|okay|then|also|hmm)[,]?\s+)*(?:the\s+|its\s+)?(?:(?P<licence>licen[cs]es?|licensing|terms of use)|"
    r"(?P<formats>formats?|file ?types?)|(?P<coverage>coverage|time ?span|years covered|period)|(?P<publisher>publisher|source agency)|"
    r"(?P<frequency>frequency|update frequency)|(?P<link>link|url|homepage))\s*\?+$"
)
# "which of these is the quarterly one?", "which ones are CSV?": the results on screen that are X, named
_WHICH_ARE = re.compile(
    rf"{_LEAD}{_FILLERS}which(?: ones?| datasets?)?(?:{_AMONG})?\s+(?:is|are)\s+(?:the\s+|in\s+|from\s+|by\s+|published by\s+|"
    r"available (?:as|in)\s+)?(?!(?:the|most|least|oldest|earliest|latest|newest|longest|shortest|best|biggest|largest|smallest|"
    r"furthest|farthest|older|newer|earlier|later|more|less|bigger|larger|smaller|longer|shorter|"
    rf"{_ORD_WORD}|at|on|about|for|better|worse|different)\b)(?P<target>[\w.$-]+(?: [\w.$-]+){{0,2}}?)"
    r"(?:\s+(?:ones?|files?|datasets?|series|versions?))?\s*(?:\?|$)"
)


def parse_question(text: str) -> Question | None:
    """A question about the results on screen, or None (a new search, small talk, a state change...)."""
    body = text.strip()
    if not body:
        return None
    if added := _ADD_TO_COMPARISON.match(body):
        names = [n.strip() for n in re.split(r",|\band\b|&", added["names"]) if n.strip()]
        refs = [Ref("name", re.sub(r"^(?:the|a|an)\s+", "", n)) for n in names]
        return Question(kind="compare", refs=refs, text=body, extend=True)
    if bare := _BARE_FIELD.match(body):
        return Question(kind=bare.lastgroup or "more", refs=[Ref("focus")], text=body)
    first = re.split(r"(?<=[?!])\s+|\.\s+", body, maxsplit=1)[0]
    if which := _WHICH_ARE.search(first):
        return Question(kind="count", plural=True, target=which.group("target"), text=body)
    kind = next((name for name, pattern in _KINDS if pattern.search(body)), None)
    if kind in FIELD_KINDS and _TELL_MORE.search(body):
        kind = "more"  # "tell me more about the first one - what it counts, the years it covers, where to download it"
    if kind is None or _ASKS_FOR_ONLY.match(body):  # "please give only JSON format ones" restricts, it does not ask
        return None
    refs = _refs(body)
    is_question = (
        body.endswith("?")
        or bool(_QUESTION_START.match(body))
        or bool(_QUESTION_CLAUSE.search(body))
        or kind in ("compare", "more", "count", "size", "link")
        or bool(refs)
    )
    if not is_question:
        return None
    if (
        [r.kind for r in refs] == ["focus"]
        and (named := _NAMED_ONE.search(body) or _ABOUT_NAME.search(body) or _IN_CATALOG_NAME.search(body))
        and not set(named.group(1).split()) & _NOT_A_NAME
    ):
        # "what is the IAM one? tell me more about it", "tell me more about nuScenes - where was it recorded?": the
        # name, not the last focus
        refs = [Ref("name", named.group(1))]
    elif [r.kind for r in refs] == ["focus"] and (about := _ONE_ON_NAME.search(body)):
        refs = [Ref("topic", about.group(1))]
    plural = bool(_PLURAL_RE.search(body))
    question = Question(kind=kind, refs=refs, plural=plural, text=body)
    if kind in FIELD_KINDS:
        question.also = [
            name for name, pattern in _KINDS if name != kind and name in FIELD_KINDS and pattern.search(body)
        ]
    if kind == "count":
        if tally := re.search(
            r"\bwhat is the ([\w.-]+(?: [\w.-]+)?) (?:tally|count)\b", body
        ):  # "what's the CSV tally?"
            question.target, question.plural = tally.group(1), True
            return question
        target = re.sub(  # everything up to what is counted, after any lead-in ("before I pick, how many ...")
            rf"^.*?\bhow many{_AMONG}?(?: results| datasets| ones)?{_AMONG}?\s*"
            r"(?:are|is|have|has|come|offer|were|get|use|can|did|does|do|cover)?\s*"
            r"(?:(?:available|offered|provided|published|updated|released)\s+)?(?:(?:as|in)\s+)?",
            "",
            body,
        )
        target = re.sub(r"^(?:(?:as|in|from|by|published by|did|does|do)\s+)+", "", target)
        target = re.sub(
            r"\s+(?:publish|published|make|made|release|released|produce|produced|put out|provide|provided)\s*[?.!]*$",
            "",
            target,
        )
        target = re.sub(
            r"\s+(?:(?:are|is)\s+(?:there|left|shown|here)\b.*|now|still|left)\s*[?.!]*$", "", target
        )  # "geojson are there now"
        target = re.sub(r"\s*[?!]\s.*$", "", target)  # "csv? i don't have GIS software": the aside goes
        question.target = target.strip(" ?.!")
        question.plural = True
        return question
    if kind == "formats":
        asked = re.search(r"\b(?:as|in)\s+(?:a |an )?([a-z0-9-]+)\s*(?:format|files?)?\s*\??$", body)
        if asked:
            question.target = asked.group(1)
    if kind in ("longest_history", "earliest_start", "most_recent"):
        # "show the most recent first" is a sort, not a question; extremes need "which/what/who" or a list reference.
        # A terse "longest series?" asks too.
        if not (re.search(r"\b(?:which|what|who|whose)\b|\bones?\b", body) or plural or refs or body.endswith("?")):
            return None
        if refs and all(r.kind == "rank" for r in refs) and len(refs) >= 2:
            return question  # "between the first two, which covers more years?"
        return question
    if not refs:
        names = _names(body, kind)
        if names and all(_POINTS_AT_ALL.fullmatch(name) for name in names):  # "what format are they in?": all of them
            names, question.plural = [], True
        # "cmp 1 and 3": bare positions
        refs = [Ref("rank", int(name)) if re.fullmatch(r"(?:10|[1-9])", name) else Ref("name", name) for name in names]
        question.refs = refs
    if not refs and not plural:
        return None
    return question
