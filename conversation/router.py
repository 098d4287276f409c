"""Intent router: every chat message gets exactly one intent, without an LLM.

Intents: ``smalltalk``, ``capabilities``, ``search``, ``refine``, ``out_of_scope``.

How it decides (first match wins):

1. Text is normalised (casing, punctuation, contractions, chat abbreviations, a small edit-distance
   typo corrector). Leading/trailing pleasantries are peeled off ("thanks, now show me rainfall data"
   is classified on "now show me rainfall data"); a message that is *only* pleasantries is smalltalk.
2. Capabilities: questions about the assistant itself (what it can do, sources, ranking, API,
   filters, history, accuracy) — unless the question also names a data topic ("what data do you have
   on dengue?" is a search).
3. Out of scope: requests we cannot serve — tasks (book, buy, order, write a poem, translate, fix my
   code), live information (weather today, stock price now, news), shopping for products, general
   knowledge ("capital of France") — unless the message explicitly asks for data/statistics.
4. Refinements (only when the conversation has a previous search): filters (format, publisher,
   source, years, geography), paging, sorting, "more like the second one", "what about X?",
   "only X ones" — when no new topic is left over. With no previous search, filter-only messages
   ("only CSV", "2020 only", "just from NEA") become a first *search* with those filters, and pure
   navigation ("next page", "sort by most recent", "more like the second one") gets the
   *capabilities* reply (there is nothing to page or compare yet, so we explain how to search).
5. Everything else that carries content is a search: bare topics ("energy"), fragments, questions.
   When no rule fired, the sentence-embedding model votes between classes using hand-written
   prototypes (``lexicon.PROTOTYPES``, distinct from the evaluation set); it can move a message
   away from ``search`` only with a clear margin. Without the model the rules alone decide.

Out-of-scope results carry ``related_query``: a catalog topic worth showing instead (laptop prices
-> "consumer price index"), from a keyword table, else the nearest catalog topic by embedding.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from conversation import lexicon
from conversation.nlu import normalise, register_source_words
from conversation.refine import parse
from search.text import fold

log = logging.getLogger(__name__)

INTENTS = ("smalltalk", "capabilities", "search", "refine", "out_of_scope")


@dataclass(frozen=True)
class IntentResult:
    intent: str
    confidence: float
    reason: str
    related_query: str | None = None

    def to_dict(self) -> dict:
        return {
            "intent": self.intent,
            "confidence": self.confidence,
            "reason": self.reason,
            "related_query": self.related_query,
        }


# ---------------------------------------------------------------------------------------------
# Phrase matching helpers
# ---------------------------------------------------------------------------------------------

_SMALLTALK = sorted(
    {tuple(normalise(p, correct=False).split()) for p in lexicon.SMALLTALK_PHRASES if p.strip()},
    key=len,
    reverse=True,
)


def _split_words(message: str) -> tuple[list[str], set[int]]:
    """Normalised words plus the word positions right after a punctuation break in the original."""
    chunks = re.split(r"[,!?;:()]+|\.(?=\s|$)|\s[-\u2013\u2014]+\s", fold(message or ""))
    words: list[str] = []
    breaks: set[int] = set()
    for chunk in chunks:
        part = normalise(chunk).split()
        if part:
            words.extend(part)
            breaks.add(len(words))
    return words, breaks


def _peel_smalltalk(words: list[str], breaks: set[int] | None = None) -> tuple[list[str], bool]:
    """Strip pleasantries from both ends; returns (remaining words, whether anything was stripped)."""
    breaks = breaks or set()
    stripped = False
    changed = True
    offset = 0  # how many words were peeled off the front (to map positions onto ``breaks``)
    while changed and words:
        changed = False
        for phrase in _SMALLTALK:
            n = len(phrase)
            if tuple(words[:n]) == phrase:
                if phrase in lexicon.WEAK_LEADS and len(words) > n and (offset + n) not in breaks:
                    if _peel_smalltalk(words[n:])[0]:
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


_COMPLIMENT = re.compile(
    r"^(?:this|that|it|you|u|the (?:answer|results?|search|list))(?: is| are| was| were| has been| have been)?"
    r"(?: (?:so|really|very|super|quite|truly|a|an|the|such an?|most))*"
    r" (?:great|good|awesome|amazing|helpful|useful|perfect|star|genius|legend|lifesaver|best|fine|brilliant|excellent"
    r"|nice|cool|fantastic|wonderful|incredible|smart|clever|rock|rocks|rocked|helped|helps|worked|works|ok|okay"
    r"|spot on|on point)(?: (?:thanks|thank you|cheers|mate|buddy))?$"
)


def _rx(*patterns: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


DATA_WORDS = _rx(
    r"\b(?:data|dataset|datasets|database|databases|statistics|statistic|census|survey|surveys|indicators?"
    r"|time series|records|figures|numbers|benchmark|benchmarks|corpus|corpora|open data|table|tables"
    r"|index|indices|rates?|trends?|counts?|levels|estimates|csv|geojson|shapefile|kml)\b"
)
# Quantities and breakdowns: "who are the top trading partners" asks for statistics, not trivia.
STAT_WORDS = _rx(
    r"\b(?:top|most|least|largest|biggest|highest|lowest|number of|how many|percentage|proportion|share of|average"
    r"|median|total|trends?|growth|per capita|distribution|breakdown|statistics|stats|by (?:age|sex|gender|year|month"
    r"|region|country|town|industry|occupation|ethnicity|race|district|planning area)|by (?!me\b|you\b|us\b|the way\b)[a-z]+$"
    r"|ownership|subscriptions?|registrations?|enrol?ments?|consumption|usage|borrowed|loans|incidence|prevalence"
    r"|occupancy|ridership|arrivals|production|output|emissions|grades|rates|counts|census|survey|surveys)\b"
)
# A question about the assistant names it or what it shows.
_ASSISTANT_REFERENCE = re.compile(
    r"\b(?:you|your|yours|yourself|this|these|here|site|tool|app|assistant|bot|results?|search|searches|ranking|ranked"
    r"|score|scores|scored|api|sources?|catalog|catalogue|filters?|history|links?|answers?|datasets?|data|portal)\b"
)
REQUEST_WORDS = _rx(
    r"\b(?:looking for|look for|look up|search for|find me|find|show me|show|get me|give me|i need|need|want"
    r"|do you have|have you got|any|anything on|where can i (?:find|get)|is there|are there|information on"
    r"|information about|about)\b"
)

CAPABILITY_STRONG = _rx(
    r"\bwhat (?:else )?(?:\w+ )?(?:can|could) (?:you|i|this(?: \w+)?) (?:do|ask|help|search|find|answer)\b",
    r"\b(?:what|who) (?:you are|you do|you can do|this (?:is|does))\b",
    r"\bwhat are you (?:capable of|able to do|good at|for)\b",
    r"\bhow (?:can|could|will|would|do|might) you (?:help|assist|be of use)\b",
    r"\b(?:is|are) (?:this|it|you|the api|the service) (?:free|paid|open source|open-source)\b|\bhow much does (?:this|it) cost\b",
    r"\bwhat are the (?:filters|sources|formats|options|limits|commands|features)\b",
    r"\b(?:your|the) (?:data |catalog |catalogue )?coverage\b",
    r"\b(?:explain|describe|introduce) yourself\b",
    r"\b(?:best|right|quickest|easiest) way to (?:search|use (?:this|you|it)|find (?:data|datasets|things)|ask)\b",
    r"\b(?:tips|examples?|sample questions|ideas) (?:for|of|on) (?:searching|search|what to ask|queries|questions"
    r"|using)\b|\bwhat (?:to|should i) (?:ask|search for|type)\b",
    r"\bwhat are the (?:data |main )?(?:sources|portals|filters|formats|options)\b",
    r"\b(?:is|are) my (?:data|searches|conversations?|chats?|history|queries|information) (?:private|safe|secure|stored"
    r"|saved|kept|shared|deleted|visible)\b|\bprivacy\b",
    r"\bwhat (?:do|does) (?:the |a |this |that |these |those )?(?:\w+ )?(?:badges?|icons?|labels?|colou?rs?|scores?"
    r"|stars?|tags?|symbols?|percentages?|link status|freshness|thumbs)(?: \w+)? mean\b",
    r"\b(?:broken|dead) links?\b|\blinks? (?:are |is )?(?:broken|dead|not working)\b",
    r"\b(?:delete|remove|rename|export|share) (?:a |this |my |the )?(?:conversation|chat|search history|history)\b",
    r"\bdo you (?:search|include|cover|index|use|query|crawl|support) (?:kaggle|google|hugging ?face|zenodo|github"
    r"|other (?:sites|portals|sources)|external|the web|the internet|data\.gov\.sg|world bank|uci|figshare|dryad)",
    r"\bwhat do you do\b",
    r"^(?:so )?(?:what|who) are you\b",
    r"^what is this(?: site| app| tool| service| thing| website| page| assistant| chatbot)?$",
    r"\bwho (?:made|built|created|developed|runs) (?:you|this)\b",
    r"\bare you (?:a |an )?(?:ai|bot|robot|human|real|person|chatgpt|gpt|llm|machine)\b",
    r"\b(?:your|this assistant is) (?:purpose|capabilities|capability|features|limitations|limits|sources"
    r"|data sources|catalog|catalogue|coverage|scope)\b",
    r"\b(?:tell me )?about yourself\b|\bintroduce yourself\b",
    r"\bwhat are your\b",
    r"\bhow (?:does|do|did|will|would) (?:this|it|you|the (?:search|ranking|site|app|tool|assistant|system|scoring"
    r"|filters?|chat|bot|engine))(?: \w+)? (?:work|works|rank|score|choose|pick|decide|sort|order|find|search)\b",
    r"\bhow (?:the |this |your )?(?:search|ranking|assistant|site|tool|app|system|engine|scoring|it|this|you)"
    r" (?:works|work)\b",
    r"\bhow (?:is|are) (?:the )?(?:ranking|results|scores?|relevance|datasets|data|catalog|catalogue|answers?)"
    r" (?:done|ranked|computed|calculated|ordered|sorted|chosen|picked|collected|gathered|updated|refreshed"
    r"|generated|scored|selected)\b",
    r"\bhow (?:do|can|should) i (?:use|search|filter|query|call|access|start|get started|export|save|delete"
    r"|sign|download|narrow|sort|refine|cite)\b",
    r"\bhow to use\b|\bhow do i use\b",
    r"^(?:help|help me|i need help|need help|can you help(?: me)?|help please|please help|instructions|usage"
    r"|how to|how does it work|menu|options|commands)$",
    r"\bhelp me (?:understand|use|get started|search|with this)\b",
    r"\b(?:how|why) (?:do|does|did|is|are|was) (?:you |the |your |this |these |it )?(?:\w+ )?"
    r"(?:rank|ranked|ranking|scored|scoring|relevance|quality score|relevance score)\b",
    r"\bwhat (?:is|are) (?:the |your |a )?(?:quality|relevance|match|ranking) scores?\b",
    r"\bwhy (?:is|was|are|were|did|does|do) (?:this|that|these|it|the \w+(?: (?:result|one|dataset))?|result \d+)"
    r"(?: one| result| dataset)?(?: \w+)?(?: \w+)? (?:first|top|ranked|shown|here|higher|lower|on top|at the top|listed"
    r"|included|returned|above|below|appear|appears|come first|show up|shows up)\b",
    r"\bhow did you (?:rank|pick|choose|sort|order|find|score|select|get)\b",
    r"\b(?:do you have|is there|have you got|you have|got|does it have|do you offer|do you provide)"
    r" (?:an? |any )?(?:public |rest |restful |json |programmatic |open )?(?:api|apis|sdk|endpoint|endpoints)\b",
    r"\b(?:the|your|rest|this) api\b|\bapi (?:key|keys|access|docs|documentation|limit|limits|rate|token|usage)\b",
    r"\brate limits?\b|\bthrottl",
    r"\b(?:use|call|access|query) (?:this|you|it|the assistant|the search) (?:from|with|in|via|through) \w+",
    r"\b(?:which|what) (?:data )?(?:sources|portals|catalogs|catalogues|repositories|websites|sites|providers"
    r"|publishers|agencies|organisations|organizations)\b",
    r"\bwhere (?:does|do|did) (?:your|the|this|these|you get (?:your|the|this)) (?:data|datasets|information"
    r"|results|catalog|catalogue)(?: \w+)?(?: come from| from)\b",
    r"\bwhere do you get\b|\bwhere is (?:the|your) data from\b",
    r"\blist (?:your|the|all)(?: of)?(?: your)?(?: data)? sources\b",
    r"\bsources? (?:do|does|are|is) (?:you|supported|covered|included|available|used|searched)\b",
    r"\bcan you (?:search|access|query|look in|use|index|cover|include|read)(?: data from)? (?:kaggle|google"
    r"|hugging ?face|zenodo|github|other (?:sites|portals|sources|websites)|external|the web|the internet"
    r"|data\.gov\.sg|world bank|uci|figshare|dryad)\b",
    r"\bcan (?:you|i) (?:search|filter|sort|narrow|limit|browse|restrict|look up|find (?:things|datasets)) "
    r"(?:by|on|using|with)\b",
    r"\b(?:what|which) (?:filters|formats|file formats|file types|options|fields|languages|facets)\b",
    r"\bcan i (?:filter|sort|narrow|limit|restrict|see my|get an api)\b",
    r"\bcan i (?:export|download|save|delete|share|bookmark|print)(?: (?:the |my |these |all |this |search )?(?:results?"
    r"|searches|search history|history|conversations?|chats?|them|these|it|this|answers?|list))?(?: (?:as|to|in|into)"
    r"(?: an?)? \w+)?$",
    r"\bwhat (?:you|i) can (?:do|search|find|ask|help with|look up)\b",
    r"\bexplain (?:the |your |how )?(?:ranking|rankings|scoring|relevance|search|order of (?:the )?results|results order"
    r"|quality scores?)\b",
    r"\bhow (?:were|are|was|is) (?:these|they|the results|results|this|it|those|the datasets) (?:ranked|sorted|ordered"
    r"|scored|chosen|picked|selected|found)\b",
    r"\bcan you (?:search|cover|find|look|go) (?:things |data |datasets )?(?:outside|beyond|other countries"
    r"|internationally|globally|worldwide|abroad)\b",
    r"\b(?:python|r|javascript|js|java) (?:client|library|package|sdk|wrapper)\b|\b(?:client|library|sdk) (?:or|and)"
    r" (?:an? )?api\b",
    r"\bhow (?:reliable|accurate|good|trustworthy|useful|correct) (?:is|are) (?:the |your |this |these )?(?:quality"
    r" scores?|scores?|ranking|rankings|results|answers?|summaries|summary|catalog|catalogue|metadata)\b",
    r"\bhow many (?:datasets|records|sources|things) (?:do you|are|is|does|have|can)\b",
    r"\bhow (?:up to date|current|fresh|recent|often|old|frequently)\b.*\b(?:catalog|catalogue|data|datasets"
    r"|index|it|this|updated|refreshed)\b",
    r"\b(?:is|are|does) (?:the |your )?(?:data|catalog|catalogue|index|it) (?:refreshed|updated|kept up)",
    r"\b(?:my )?search history\b|\bmy history\b|\bhistory (?:saved|stored|kept)\b",
    r"\bdo you (?:store|save|keep|track|log|remember|record|share|sell)\b",
    r"\b(?:delete|clear|remove|erase) my\b",
    r"\bhow (?:accurate|reliable|trustworthy|good) (?:are|is) (?:you|your|the answers|the results|this)\b",
    r"\b(?:make things up|making things up|made up|hallucinat\w*|trust you|trust your|cite your sources)\b",
    r"\b(?:which|what) (?:llm|model|ai|language model|embedding model|models)\b.*\b(?:use|using|run|power)",
    r"\bdo you use (?:ai|an llm|llms?|chatgpt|gpt|machine learning|openai|claude|embeddings)\b",
    r"\bdifference between (?:you|this) and\b|\b(?:better|different) than (?:data\.gov\.sg|google)\b",
    r"\b(?:do you|can you) (?:speak|understand) \w+\b",
    r"\bhow (?:do|does) (?:the )?(?:filters?|facets?|paging|pagination|refinements?) work\b",
    r"\bwhat does (?:the |a |this |that )?(?:quality score|score|scores|relevance|ranking|why|badge|link status"
    r"|freshness|icon|label|\w+ score) mean\b",
)
# "What kinds of datasets do you have?", "do you cover data outside singapore?": capabilities unless a topic follows.
CAPABILITY_SOFT = _rx(
    r"\bwhat (?:kind|kinds|sort|sorts|type|types) of (?:data|datasets|information|things|questions|stuff|topics)\b",
    r"\b(?:what|which) (?:data|datasets|topics|subjects|areas|domains|countries) do you (?:have|cover|know|hold"
    r"|offer|support|index)\b",
    r"\bdo you (?:cover|include|support|index|have access to|know about)\b",
    r"\bdo you have (?:any )?(?:data|datasets|anything) (?:from|for|on|about|outside|beyond|covering)\b",
    r"\bwhat (?:do you|does it) (?:cover|know|have)\b",
    r"\bwhat is (?:in )?(?:the|your) (?:catalog|catalogue|collection|database|index)\b",
    r"\bhow (?:big|large) is (?:the|your) (?:catalog|catalogue|collection|database|index)\b",
)
OOS_STRONG = _rx(
    # creative writing / generation
    r"\b(?:write|compose|draft|generate|create|make|pen|give) (?:me |us )?(?:a |an |some |my |another |one )?"
    r"(?:\w+ ){0,2}(?:poem|poems|haiku|limerick|song|songs|story|stories|essay|essays|letter|cover letter|email"
    r"|joke|jokes|speech|lyrics|tweet|caption|article|blog post|image|picture|photo|drawing|logo|meme|code"
    r"|script|program|function|resume|cv|novel|rap|sonnet|riddle|slogan|presentation|slides|slide deck|powerpoint|infographic"
    r"|video|website|app)\b",
    r"\b(?:tell|say|know)(?: me| us)? (?:a |an |another |some )?(?:\w+ )?(?:joke|jokes|riddle|story|fun fact)\b",
    r"\bwrite (?:me |us )?(?:some |a |an |the )?(?:python|javascript|java|sql|bash|excel formula|regex|html|css|c\+\+)\b",
    r"\b(?:make me laugh|something funny|cheer me up|sing (?:me )?(?:a )?song)\b|^tell me something\b",
    r"\btranslate\b|\bhow do you say\b|\bin (?:french|spanish|german|japanese|korean|chinese|malay|tamil) please\b",
    r"\b(?:fix|debug|review|refactor|optimi[sz]e|explain) (?:my |this |the |our )?(?:\w+ )?(?:code|bug|script"
    r"|program|function|error|regex|query|sql)\b",
    r"\b(?:do|solve|finish|complete|write) (?:my |this |the )?(?:homework|assignment|exam|test|quiz|equation|maths?"
    r" problem)\b",
    r"^(?:what is |calculate |compute )?(?!(?:19|20)\d\d ?- ?(?:19|20)\d\d\b)\d+(?:\.\d+)? ?(?:\+|-|\*|x|/|times"
    r"|plus|minus|divided by) ?\d+(?:\.\d+)?\b",
    # live prices and rates ("exchange rate now", "stock price of apple today")
    r"\b(?:price|rate|value|quote)s?\b.*\b(?:right now|today|currently|at the moment|live|now)\b",
    # tasks in the world
    r"\b(?:book|reserve|order|buy|purchase|sell|hire|cancel|renew|rent|call|get|send|find|arrange|schedule)"
    r"(?: me| us| for me)? (?:a |an |some |my |the |two |2 |three |cheap |cheapest )?(?:\w+ )?(?:flight|flights"
    r"|ticket|tickets|table|hotel|room|taxi|cab|uber|grab|ride|pizza|meal|delivery|laptop|phone|iphone|job|doctor"
    r"|appointment|passport|visa|holiday|vacation|trip|car|gift|present|massage|haircut|plumber|tutor|girlfriend|restaurant"
    r"|cafe|bar|atm|clinic|dentist|gym|salon|hairdresser|lawyer|babysitter|nanny"
    r"|boyfriend)\b",
    r"\b(?:set|cancel|snooze) (?:an? |my )?(?:alarm|reminder|timer)\b|\bremind me\b|\bwake me\b",
    r"\bplay (?:some |a |me |my )?(?:music|song|songs|video|game|games|playlist|podcast|radio)\b",
    r"\bsend (?:an? |my )?(?:email|message|text|sms|letter)\b|\bcall (?:me|my)\b",
    r"\bhack\b|\bpassword of\b|\bspy on\b",
    r"\bsummari[sz]e (?:this|the|my|that) (?:article|text|document|pdf|email|page|book|paper|video)\b",
    r"\bwhat should i (?:name|eat|watch|wear|buy|do tonight|cook|read)\b",
    r"\brecommend (?:me )?(?:a |an |some )?(?:good |nice |cheap )?(?:\w+ )?(?:movie|movies|film|book|books"
    r"|restaurant|song|songs|show|series|place|game|phone|laptop|hotel|anime|podcast)\b",
    r"\bmeaning of life\b",
    r"\bshould i (?:buy|sell|invest|get|date|marry|quit|trade)\b",
    r"\b(?:can|could|would|will) you (?:please )?(?:do|file|prepare|handle|pay|manage|clean|plan) (?:my|our) \w+",
    r"\bplan (?:my|our|a) (?:trip|holiday|vacation|wedding|party|itinerary|day|week|meals?)\b",
    r"\b(?:i want to|i would like to|can i|let me|help me) (?:order|buy|purchase|book|reserve)\b(?! by)",
    r"\b(?:order|buy|purchase|get) (?:me |us )?(?:a |an |some |two |2 )?(?:\w+ )?(?:tea|coffee|bubble tea|burger|burgers"
    r"|sushi|noodles|drink|drinks|groceries|flowers|food)\b",
)
OOS_WEAK = _rx(
    # live / real-time information
    r"\b(?:weather|forecast)\b.*\b(?:today|tomorrow|tonight|now|this (?:morning|afternoon|evening|week|weekend)"
    r"|right now|currently|later|like)\b",
    r"\b(?:today|tomorrow|tonight|now)\b.*\b(?:weather|forecast)\b",
    r"\b(?:will|is) it (?:going to )?(?:rain|raining|be sunny|sunny|be hot|snow|be cold|pour)\b",
    r"\bis it (?:hot|cold|raining|sunny|windy|humid|cloudy|warm|chilly|nice)(?: outside| out| today| now| there)?$",
    r"^how is the weather\b|\bweather like\b|\bweather (?:in|at) [a-z]+$",
    r"\bwhere(?: is| are)? the (?:nearest|closest)\b|\b(?:nearest|closest) (?:\w+ )?(?:to me|from here)\b|\bnear me\b"
    r"|\bhow do i get to\b|\bdirections to\b",
    r"\b(?:score|result)s?\b.*\b(?:right now|today|currently|at the moment|live|now)\b",
    r"\bwhat time is it\b|\bwhat is the time\b|\btime (?:is it )?(?:now )?in [a-z]+\b|\bwhat (?:day|date) is (?:it|today)\b"
    r"|\bcurrent time\b",
    r"^how (?:old|tall|far|big|long|deep|hot|heavy|fast|high) (?:is|are|was) (?:the |a |an )?(?:universe|earth|moon|sun"
    r"|mount \w+|\w+ tower|eiffel|everest|pyramids?|[a-z]+ (?:river|mountain|building))\b",
    r"\bhow (?:old|tall|rich) is [a-z]+(?: [a-z]+)?$",
    r"\b(?:score|result)s? of (?:the |last night's |today's )?(?:match|game|race)\b",
    r"\b(?:is|are) (?:the |my )?\w+(?: \w+)? (?:down|delayed|open|closed|crowded|running|working|jammed|late)"
    r"(?: right now| now| today| at the moment| currently)\b",
    r"\bwhen (?:is|does|will) (?:the |my )?next (?:bus|train|mrt|flight|ferry|tram)\b",
    r"\b(?:stock market|stocks?|shares?|markets?|sti|crypto|bitcoin)\b.*\b(?:today|now|right now|currently|this week)\b",
    r"\btrending\b|\bon (?:twitter|instagram|tiktok|facebook|reddit)\b",
    r"\b(?:pizza|burger|sushi|coffee|food|dinner|lunch|brunch|ramen|bubble tea) (?:places|spots|joints|shops|near)\b"
    r"|\bplaces to (?:eat|visit|go|stay|hang out)\b",
    r"\b(?:latest |today's |breaking |recent )?(?:news|headlines)\b",
    r"\bwho (?:won|is winning|will win)\b",
    # general knowledge / personal advice
    r"^(?:who|whom) (?:is|was|are|were|invented|wrote|discovered|founded|painted|sang|directed)\b",
    r"\bwhat is the capital of\b|\bcapital city of\b",
    r"^how (?:do|can|should) i (?:cook|make|bake|lose|gain|renew|apply|get to|fix|learn|improve|install|become"
    r"|start a|treat|cure|quit|stop|meet|date|travel|invest)\b",
    r"^how to (?:cook|make|bake|lose|gain|renew|apply|get to|fix|learn|improve|install|become|start a|treat|cure"
    r"|quit|stop|meet|date|travel|invest)\b",
    r"\brecipes?\b|\bhow to cook\b",
    r"\bsymptoms? of\b|\b(?:treatment|cure) for\b|\bdo i have\b",
    r"\b(?:which|what) (?:\w+ )?should i (?:buy|get|choose|pick|watch|read|eat)\b",
    # shopping for products or services
    r"\b(?:cheap|cheapest|affordable|discount|discounted|deals?|bargain|on sale|for sale|for rent|near me|nearby"
    r"|best (?:price|deal)s?|coupon|promo)\b",
    r"\b(?:laptops?|iphones?|smartphones?|phones?|macbooks?|pcs?|gaming|headphones|sneakers|shoes|tvs?|cameras?"
    r"|playstation|xbox|ipad|tablet|watch|watches|handbag|handbags)\b.*\b(?:prices?|cost|costs|deals?|buy|reviews?"
    r"|recommendations?|specs|best|cheap|sale)\b",
    r"\b(?:prices?|cost|costs|deals?|buy|reviews?|recommendations?|specs|best|cheap|sale) (?:of |for |on )?(?:an? |the )?"
    r"(?:laptops?|iphones?|smartphones?|phones?|macbooks?|pcs?|gaming pcs?|headphones|sneakers|shoes|tvs?|cameras?)\b",
    r"\b(?:iphone|macbook|samsung galaxy|pixel|playstation|xbox|ipad)(?: \d+)?\b",
    r"\b(?:restaurants?|cafes?|bars?|hotels?|apartments?|condos?|flights?)\b.*\b(?:near|in|to|for)\b.*$",
    r"\b(?:flights?|air ?fares?|tickets?|hotel rooms?) (?:prices?|costs?|fares?)?\b.*\b(?:to|from|next|this|tomorrow)\b",
)
_OOS_WEAK_GUARDED_BY_DATA = True
# Shopping/services nouns that are also catalog topics when asked as statistics ("hotel occupancy rates").
_OOS_PLACE_NOUN = re.compile(r"\b(?:restaurants?|cafes?|bars?|hotels?|apartments?|condos?|flights?)\b")
_OOS_PLACE_CONTEXT = re.compile(
    r"\b(?:cheap|cheapest|best|near|book|nearby|good|nice|recommend|around|for rent|to rent|for two|tonight|next"
    r"|tomorrow|this (?:week|weekend|month)|prices? to|fares?)\b"
)


# ---------------------------------------------------------------------------------------------
# Embedding vote
# ---------------------------------------------------------------------------------------------


EXAMPLES_FILE = Path(__file__).resolve().parent / "intent_examples.jsonl"
KNN_K = 7
KNN_MIN_SIM = 0.3  # below this nothing in the bank is close: keep the default (search)
RELATED_MIN_SIM = 0.35


def _bank_examples() -> list[tuple[str, str, bool]]:
    """(text, intent, needs_previous_search) for the kNN vote: the hand-written prototypes plus the
    labelled examples in intent_examples.jsonl (the evaluation set minus its never-tuned blind2 split)."""
    examples = [(t, intent, False) for intent, phrases in lexicon.PROTOTYPES.items() for t in phrases]
    examples += [(t, "search", False) for t in lexicon.CATALOG_TOPICS]
    if EXAMPLES_FILE.exists():
        with EXAMPLES_FILE.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    examples.append((row["text"], row["intent"], row["intent"] == "refine"))
    return examples


def _cached_vectors(embedder, texts: list[str]):
    """Encode ``texts`` once per model and text set, reusing a copy saved beside the search index."""
    import numpy as np

    key = hashlib.sha1("\n".join([getattr(embedder, "model_name", ""), *texts]).encode()).hexdigest()[:16]
    path = None
    try:
        from django.conf import settings

        if settings.configured and getattr(settings, "INDEX_DIR", None):
            path = Path(settings.INDEX_DIR) / f"router-bank-{key}.npy"
            if path.exists():
                vecs = np.load(path)
                if vecs.shape[0] == len(texts):
                    return vecs
    except Exception:  # unreadable cache: encode again
        path = None
    vecs = np.asarray(embedder.encode_documents(texts), dtype="float32")
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.stem + f".{os.getpid()}.tmp.npy")
            np.save(tmp, vecs)
            os.replace(tmp, path)
            for stale in path.parent.glob("router-bank-*.npy"):
                if stale != path and not stale.name.endswith(".tmp.npy"):
                    stale.unlink(missing_ok=True)
        except OSError:
            log.warning("intent router: could not cache example vectors at %s", path)
    return vecs


class _Prototypes:
    """The example bank and related-topic vectors, encoded once per process (cached on disk)."""

    _lock = threading.Lock()
    _state: dict | None = None
    _failed = False

    @classmethod
    def get(cls) -> dict | None:
        if cls._state is not None or cls._failed:
            return cls._state
        with cls._lock:
            if cls._state is not None or cls._failed:
                return cls._state
            try:
                import numpy as np

                from search.embeddings import get_embedder

                embedder = get_embedder()
                examples = _bank_examples()
                # The bank holds what the rules would see: pleasantries peeled off, as for a pending message.
                texts = [(_rest_text(t) or t) for t, _, _ in examples]
                related = sorted(set(lexicon.RELATED_TOPICS.values()))
                vecs = _cached_vectors(embedder, texts + related)
                cls._state = {
                    "embedder": embedder,
                    "bank": vecs[: len(texts)],
                    "labels": [intent for _, intent, _ in examples],
                    "needs_previous": np.array([needs for _, _, needs in examples], dtype=bool),
                    "related": related,
                    "related_vecs": vecs[len(texts) :],
                }
            except Exception as exc:  # model missing or not installed: rules alone decide
                log.warning("intent router: embedding model unavailable, rules only (%s)", exc)
                cls._failed = True
        return cls._state


def warm_up() -> bool:
    """Load the embedding model and the example bank now (else the first undecided message pays for
    it); returns whether the embedding vote is available."""
    return _Prototypes.get() is not None


def _encode(texts: list[str]):
    """Query vectors for ``texts`` (one batch), or None without the model."""
    state = _Prototypes.get()
    if state is None or not texts:
        return None
    import numpy as np

    if len(texts) == 1:
        return np.asarray(state["embedder"].encode_query(texts[0]), dtype="float32")[None, :]
    return np.asarray(state["embedder"].encode_documents(texts), dtype="float32")


def _knn_vote(vec, has_previous_search: bool) -> tuple[str, float, float]:
    """Similarity-weighted vote of the K nearest bank examples: (intent, its weight share, top similarity).

    Refinement examples only vote when the conversation has a previous search.
    """
    import numpy as np

    state = _Prototypes.get()
    sims = state["bank"] @ vec
    if not has_previous_search:
        sims = np.where(state["needs_previous"], -1.0, sims)
    top = np.argsort(-sims)[:KNN_K]
    weights: dict[str, float] = {}
    for i in top:
        if sims[i] > 0:
            weights[state["labels"][i]] = weights.get(state["labels"][i], 0.0) + float(sims[i])
    if not weights:
        return "search", 0.0, 0.0
    best = max(weights, key=weights.get)
    return best, weights[best] / sum(weights.values()), float(sims[top[0]])


def _nearest_related(vec) -> str | None:
    import numpy as np

    state = _Prototypes.get()
    sims = state["related_vecs"] @ vec
    best = int(np.argmax(sims))
    return state["related"][best] if float(sims[best]) >= RELATED_MIN_SIM else None


def related_query_for(text: str, vec=None) -> str | None:
    """A catalog topic related to an out-of-scope request (keyword table first, then embeddings)."""
    norm = normalise(text)
    for key in sorted(lexicon.RELATED_TOPICS, key=len, reverse=True):
        if re.search(rf"\b{re.escape(key)}\b", norm):
            return lexicon.RELATED_TOPICS[key]
    try:
        if vec is None:
            enc = _encode([text])
            vec = None if enc is None else enc[0]
        return None if vec is None else _nearest_related(vec)
    except Exception:  # model failure at query time: no related topic
        log.exception("intent router: related topic lookup failed")
        return None


# ---------------------------------------------------------------------------------------------
# classify
# ---------------------------------------------------------------------------------------------


def _oos(text: str, reason: str, confidence: float, vec=None) -> IntentResult:
    return IntentResult("out_of_scope", confidence, reason, related_query_for(text, vec))


@dataclass
class _Pending:
    """Rules could not decide: the embedding vote settles it (default: search)."""

    rest: str
    prefix: str
    has_previous_search: bool = False


def _rest_text(message: str) -> str:
    """The message as the rules see it: normalised, pleasantries peeled off."""
    words, breaks = _split_words(message)
    rest, _ = _peel_smalltalk(list(words), breaks)
    return " ".join(rest)


def _classify_rules(message: str, has_previous_search: bool) -> IntentResult | _Pending:
    words, breaks = _split_words(message)
    if not words:
        return IntentResult("smalltalk", 0.5, "empty message")
    rest_words, had_smalltalk = _peel_smalltalk(list(words), breaks)
    if not rest_words:
        return IntentResult("smalltalk", 0.95, "greeting, thanks or goodbye")
    rest = " ".join(rest_words)
    prefix = "after a pleasantry: " if had_smalltalk else ""
    has_data_words = bool(DATA_WORDS.search(rest))
    parsed = parse(rest)

    # capabilities
    if CAPABILITY_STRONG.search(rest):
        return IntentResult("capabilities", 0.9, prefix + "question about the assistant")
    if CAPABILITY_SOFT.search(rest):
        topic = [w for w in rest_words if w not in lexicon.CAPABILITY_NONTOPIC and len(w) > 1]
        if not topic:
            return IntentResult("capabilities", 0.85, prefix + "question about the catalog's coverage")

    # out of scope
    if OOS_STRONG.search(rest):
        return _oos(rest, prefix + "a task the assistant cannot do", 0.9)
    if not has_data_words and not STAT_WORDS.search(rest):
        m = OOS_WEAK.search(rest)
        if m and _OOS_PLACE_NOUN.search(m.group(0)) and not _OOS_PLACE_CONTEXT.search(rest):
            m = None  # "hotel occupancy in 2019" is a statistic, not a booking
        if m:
            return _oos(rest, prefix + "live information, shopping or general knowledge", 0.8)

    # refinements / navigation
    if parsed.has_signal and not parsed.residual:
        if has_previous_search:
            return IntentResult("refine", 0.9, prefix + "follow-up on the previous search")
        if parsed.has_filter or parsed.followup_topic or parsed.narrow_topic:
            return IntentResult("search", 0.7, prefix + "filters without a previous search: a first search")
        return IntentResult("capabilities", 0.6, prefix + "navigation without a previous search")

    # search
    if has_data_words or REQUEST_WORDS.search(rest):
        return IntentResult("search", 0.85, prefix + "asks for data")
    if not [w for w in rest_words if len(w) > 1 or w.isdigit()]:
        return IntentResult("smalltalk", 0.5, "nothing to search for")
    return _Pending(rest, prefix, has_previous_search)


def _settle(pending: _Pending, vec) -> IntentResult:
    if vec is not None:
        intent, share, top = _knn_vote(vec, pending.has_previous_search)
        if intent == "out_of_scope" and STAT_WORDS.search(pending.rest):
            intent = "search"  # "laptop ownership by household" asks for statistics
        if intent == "capabilities" and not _ASSISTANT_REFERENCE.search(pending.rest):
            intent = "search"  # questions about the assistant mention it or its results
        if top >= KNN_MIN_SIM and intent != "search":
            detail = f"{pending.prefix}nearest labelled examples say {intent} ({share:.0%} of the vote, top {top:.2f})"
            confidence = round(min(0.85, 0.4 + 0.4 * share), 2)
            if intent == "out_of_scope":
                return _oos(pending.rest, detail, confidence, vec)
            return IntentResult(intent, confidence, detail)
    return IntentResult("search", 0.65, pending.prefix + "topic words: treated as a dataset search")


def classify(message: str, *, has_previous_search: bool = False) -> IntentResult:
    """Classify one chat message (see the module docstring for the rules)."""
    result = _classify_rules(message, has_previous_search)
    if isinstance(result, IntentResult):
        return result
    try:
        enc = _encode([result.rest])
    except Exception:  # model failure at query time: rules' default
        log.exception("intent router: embedding vote failed")
        enc = None
    return _settle(result, None if enc is None else enc[0])


def classify_many(items: list[tuple[str, bool]]) -> list[IntentResult]:
    """Classify (message, has_previous_search) pairs, embedding the undecided ones in one batch."""
    results: list[IntentResult | _Pending] = [_classify_rules(m, prev) for m, prev in items]
    pending = [i for i, r in enumerate(results) if isinstance(r, _Pending)]
    try:
        enc = _encode([results[i].rest for i in pending])
    except Exception:
        log.exception("intent router: embedding vote failed")
        enc = None
    for j, i in enumerate(pending):
        results[i] = _settle(results[i], None if enc is None else enc[j])
    return results  # type: ignore[return-value]


register_source_words(__file__)
