"""Ranking: pure functions that turn candidate scores into a ranking, and say why (no Django, no I/O).

Pipeline used by ``search.services``::

    lexical = LexicalIndex.search(query, k)              # BM25 scores by doc index
    neural  = cosine(encode_query(query), doc vectors)   # by doc index
    fused   = fuse(lexical, neural, query=query)
    final   = rescore(fused, signals, query_intent(query))
    why     = explain(query=..., doc=..., ...)

Fusion (see ``fuse``): the neural cosine stays on its own, calibrated scale and the BM25 score,
divided by the best BM25 score of the query, is added with a small query-dependent weight (more for
full sentences, whose distinctive words BM25 matches well, less for 1-2 word keyphrases, more again
when the query names something: acronyms, "CIFAR-10", "PM2.5"). Reciprocal-rank fusion throws the
scores away and gives the weak lexical list as much say as the neural one; measured on the DataFinder
dev half it loses to neural alone, while this score fusion beats it. Re-scoring (``rescore``) then adds
small, bounded adjustments for catalog quality, broken links, freshness (more when the query asks for
recent data), Singapore sources for Singapore-intent queries (less for "global"/"worldwide" ones),
publishers that are an agency the query names, and a catalog popularity prior (how many other
records mention the dataset by name, ``catalog_popularity``: the in-catalog analogue of citation
counts). Weights were chosen by 2-fold cross-validation on the DataFinder dev half and kept only where
the data.gov.sg judged set did not get worse (a strong quality prior helps DataFinder but hurts
data.gov.sg, so it stays small; the popularity prior's weight and cap are the CV pick of both folds,
``bench/search_quality.py --cv``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from search.text import STOPWORDS, content_words, normalize, stem, tokenize

# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------


@dataclass
class DocFields:
    """The searchable fields of one dataset, as the lexical index and the embedder see them."""

    title: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    publisher: str = ""
    formats: list[str] = field(default_factory=list)
    extra_names: list[str] = field(default_factory=list)
    # Titles of the publications a dataset comes from (e.g. the paper that introduced a Papers with
    # Code dataset: its "Source: [...]" line). Worth +0.06 NDCG@10 on DataFinder for the embedding.
    source_titles: list[str] = field(default_factory=list)


_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SOURCE_LINE_RE = re.compile(r"(?im)^\s*(?:source|sources)\s*:\s*.*$")
_URL_RE = re.compile(r"https?://\S+")
_MD_MARK_RE = re.compile(r"(\*\*|__|`+|^#+\s*|^\s*[-*+]\s+|^\s*>\s*)", re.M)
_WS_RE = re.compile(r"\s+")

DESCRIPTION_WORDS = 120


def clean_description(text: str) -> str:
    """Description as plain prose: no markdown, links reduced to their text, no "Source: [...]" line."""
    if not text:
        return ""
    text = _SOURCE_LINE_RE.sub(" ", text)
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _URL_RE.sub(" ", text)
    text = _MD_MARK_RE.sub(" ", text)
    text = text.replace("*", " ").replace("_", " ") if "**" in text else text
    return _WS_RE.sub(" ", text).strip()


def _first_words(text: str, n: int) -> str:
    words = text.split()
    return " ".join(words[:n])


def _names(doc: DocFields) -> list[str]:
    seen: dict[str, str] = {}
    for name in [doc.title, *doc.extra_names]:
        name = (name or "").strip()
        if name and normalize(name) not in seen:
            seen[normalize(name)] = name
    return list(seen.values())


def document_text(doc: DocFields, *, description_words: int = DESCRIPTION_WORDS) -> str:
    """The text embedded for a dataset.

    ``"<title>: <first words of the cleaned description> Source: <source titles>. Also: <other names>.
    Topics: <tags>. Published by <publisher>"``. The description is cut so the source title survives
    the model's 256-token window.
    """
    names = _names(doc)
    head = names[0] if names else ""
    desc = _first_words(clean_description(doc.description), description_words)
    sources = "; ".join(t.strip() for t in doc.source_titles[:3] if t and t.strip())
    parts = [f"{head}: {desc}" if desc and head else (head or desc)]
    if sources:
        parts.append("Source: " + sources)
    if len(names) > 1:
        parts.append("Also: " + ", ".join(names[1:6]))
    if doc.tags:
        parts.append("Topics: " + ", ".join(doc.tags[:12]))
    if doc.publisher:
        parts.append("Published by " + doc.publisher)
    return ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())


# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------

_LEAD_RE = re.compile(
    r"""^\s*(?:[-*]\s*)?
    (?:(?:i|we)(?:'d|\s+would)?\s+(?:want|wanted|like|need|plan|aim|propose|present|introduce|study|investigate|
        explore|are\s+(?:interested|looking|trying|working)|am\s+(?:interested|looking|trying|working))
       (?:\s+(?:in|on|for|at))?
       (?:\s+to)?
       (?:\s+(?:build|design|develop|create|make|train|use|implement|propose|study|find|investigate|explore|
            evaluate|improve|learn|get|see|know))?
       (?:\s+(?:a|an|the|some))?
       (?:\s+(?:novel|new|simple|robust|efficient|deep|fast|better))?
       (?:\s+(?:system|model|method|framework|approach|algorithm|architecture|technique|network|pipeline|tool))?
       (?:\s+(?:that|which|to|for|of|on|in|with|using|based\s+on))?
     )""",
    re.I | re.X,
)


def preprocess_query(query: str) -> str:
    """Drop a full sentence's request boilerplate ("I want to build a system that ...")."""
    q = _WS_RE.sub(" ", (query or "").replace("\n", " ")).strip()
    stripped = _LEAD_RE.sub("", q, count=1).strip()
    return stripped if len(stripped) >= 3 else q


_NAME_TOKEN_RE = re.compile(r"\b(?:[A-Z][A-Za-z]*[A-Z0-9][A-Za-z0-9]*|[A-Za-z]+[-.]?\d+(?:\.\d+)?)\b")


def name_like_tokens(query: str) -> list[str]:
    """Tokens that look like names rather than words: acronyms, CamelCase, letters+digits ("PM2.5")."""
    out = []
    for m in _NAME_TOKEN_RE.finditer(query or ""):
        tok = m.group(0)
        if len(tok) >= 2 and tok.lower() not in STOPWORDS:
            out.append(tok)
    return out


# ---------------------------------------------------------------------------------------------
# Fusion
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FusionParams:
    """Few, interpretable parameters, chosen by 2-fold cross-validation on the DataFinder dev half and
    checked on the data.gov.sg query set (bench/search_quality.py). The cosine always counts 1."""

    lexical_weight_long: float = 0.10  # BM25 weight for a full sentence (>= long_words content words)
    lexical_weight_short: float = 0.03  # ... for a keyphrase of 1-2 content words (BM25 over generic
    # words such as "image classification" mostly matches the wrong dataset names)
    name_bonus: float = 0.05  # extra BM25 weight when the query names something ("CIFAR-10", "HDB")
    long_words: int = 8


DEFAULT_FUSION = FusionParams()


def lexical_weight(query: str, params: FusionParams = DEFAULT_FUSION) -> float:
    """How much BM25 should count for this query (the neural cosine counts 1)."""
    n = len(content_words(query))
    if n >= params.long_words:
        w = params.lexical_weight_long
    elif n <= 2:
        w = params.lexical_weight_short
    else:
        t = (n - 2) / max(1, params.long_words - 2)
        w = params.lexical_weight_short + t * (params.lexical_weight_long - params.lexical_weight_short)
    if name_like_tokens(query):
        w += params.name_bonus
    return w


def fuse(
    lexical: dict[int, float],
    neural: dict[int, float],
    *,
    query: str,
    params: FusionParams = DEFAULT_FUSION,
) -> dict[int, float]:
    """Combine BM25 and cosine candidate scores into one score per doc index (higher is better).

    ``neural`` holds cosine similarities (roughly 0..1), ``lexical`` raw BM25 scores. BM25 is divided by
    the best BM25 score of the query so it lies in 0..1, then weighted by ``lexical_weight(query)``. A doc
    that only one list returned gets the other list's floor (its lowest returned score; 0 for BM25).
    """
    if not lexical and not neural:
        return {}
    w = lexical_weight(query, params)
    lex_max = max(lexical.values(), default=0.0)
    neural_floor = min(neural.values()) if neural else 0.0
    out: dict[int, float] = {}
    for i in set(lexical) | set(neural):
        lex = lexical.get(i, 0.0)
        lex_n = lex / lex_max if lex_max > 0 else 0.0
        out[i] = float(neural.get(i, neural_floor)) + w * lex_n
    return out


FEEDBACK_DOCS = 3


def feedback_query_vector(query_vec: np.ndarray, top_doc_vecs: np.ndarray, *, weight: float = 1.0) -> np.ndarray:
    """Pseudo-relevance feedback in embedding space (Rocchio): move the query towards the mean of its
    ``FEEDBACK_DOCS`` best neural hits, re-normalise, and run the neural pass again with it. Measured
    +0.03 NDCG@10 on DataFinder dev (both query types) and on the data.gov.sg set; k in 2-8 and
    weight 0.4-1.0 all help, so the choice is not fragile."""
    q = np.asarray(query_vec, dtype=np.float32)
    if len(top_doc_vecs) == 0 or weight <= 0:
        return q
    v = q + weight * np.asarray(top_doc_vecs, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(v))
    return (v / norm).astype(np.float32) if norm > 0 else q


def rrf(lists: Sequence[dict[int, float]], *, k: int = 60) -> dict[int, float]:
    """Plain reciprocal-rank fusion (the baseline ``fuse`` is measured against)."""
    out: dict[int, float] = {}
    for scores in lists:
        for rank, i in enumerate(sorted(scores, key=lambda j: -scores[j])):
            out[i] = out.get(i, 0.0) + 1.0 / (k + rank + 1)
    return out


def top_k(scores: dict[int, float], k: int) -> list[int]:
    """Doc indexes by descending score (ties by index), at most ``k``."""
    return sorted(scores, key=lambda i: (-scores[i], i))[:k]


# ---------------------------------------------------------------------------------------------
# Query intent
# ---------------------------------------------------------------------------------------------

# Agency acronyms -> words of the publisher's name (matched against normalised publisher names).
AGENCIES: dict[str, str] = {
    "hdb": "housing development board",
    "lta": "land transport authority",
    "ura": "urban redevelopment authority",
    "nea": "national environment agency",
    "moh": "ministry of health",
    "moe": "ministry of education",
    "mom": "ministry of manpower",
    "msf": "ministry of social and family development",
    "mof": "ministry of finance",
    "mnd": "ministry of national development",
    "mti": "ministry of trade and industry",
    "mot": "ministry of transport",
    "mha": "ministry of home affairs",
    "mindef": "ministry of defence",
    "mccy": "ministry of culture community and youth",
    "mse": "ministry of sustainability and the environment",
    "mddi": "ministry of digital development and information",
    "mci": "ministry of communications and information",
    "singstat": "department of statistics",
    "dos": "department of statistics",
    "mas": "monetary authority of singapore",
    "cpf": "central provident fund",
    "iras": "inland revenue authority",
    "nparks": "national parks board",
    "pub": "public utilities board",
    "sla": "singapore land authority",
    "edb": "economic development board",
    "ica": "immigration and checkpoints authority",
    "spf": "singapore police force",
    "scdf": "singapore civil defence force",
    "nlb": "national library board",
    "nhb": "national heritage board",
    "stb": "singapore tourism board",
    "ema": "energy market authority",
    "imda": "infocomm media development authority",
    "caas": "civil aviation authority",
    "mpa": "maritime and port authority",
    "sfa": "singapore food agency",
    "acra": "accounting and corporate regulatory authority",
    "hpb": "health promotion board",
    "ssg": "skillsfuture singapore",
    "wsg": "workforce singapore",
    "jtc": "jtc corporation",
    "boa": "board of architects",
    "cea": "council for estate agencies",
    "sportsg": "sport singapore",
    "hsa": "health sciences authority",
    "ecda": "early childhood development agency",
    "gebiz": "ministry of finance",
}

SINGAPORE_PLACES = frozenset(
    [
        "singapore",
        "ang-mo-kio",
        "bedok",
        "bishan",
        "bukit-batok",
        "bukit-merah",
        "bukit-panjang",
        "bukit-timah",
        "changi",
        "choa-chu-kang",
        "clementi",
        "geylang",
        "hougang",
        "jurong",
        "jurong-east",
        "jurong-west",
        "kallang",
        "marine-parade",
        "novena",
        "pasir-ris",
        "punggol",
        "queenstown",
        "sembawang",
        "sengkang",
        "serangoon",
        "tampines",
        "toa-payoh",
        "woodlands",
        "yishun",
        "tengah",
        "orchard",
        "sentosa",
        "pulau-ubin",
        "tuas",
        "seletar",
        "paya-lebar",
        "outram",
        "downtown-core",
        "rochor",
        "tanglin",
        "newton",
        "bukit-panjang",
    ]
)

# Words that imply a Singapore context on their own (local schemes and terms).
SINGAPORE_TERMS = frozenset(
    [
        "hdb",
        "coe",
        "erp",
        "mrt",
        "lrt",
        "bto",
        "cpf",
        "singstat",
        "hawker",
        "nric",
        "pioneer-generation",
        "merdeka",
        "baby-bonus",
    ]
)

GLOBAL_WORDS = frozenset(
    [
        "global",
        "worldwide",
        "international",
        "world",
        "countries",
        "country-level",
        "cross-country",
        "multinational",
        "continents",
        "continent",
        "oecd",
        "un",
    ]
)

RECENCY_WORDS = frozenset(["latest", "recent", "recently", "current", "currently", "newest", "up-to-date", "today"])


@dataclass(frozen=True)
class QueryIntent:
    """What a query says beyond its topic."""

    geography: str = "none"  # "singapore", "global" or "none"
    places: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()  # acronyms as written, lower-case ("hdb")
    recency: bool = False
    words: tuple[str, ...] = ()  # content words (stemmed)
    years: tuple[int, ...] = ()


_YEAR_RE = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def _phrases(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", normalize(text))
    out = set(words)
    out.update(f"{a}-{b}" for a, b in zip(words, words[1:], strict=False))
    out.update(f"{a}-{b}-{c}" for a, b, c in zip(words, words[1:], words[2:], strict=False))
    return out


def query_intent(query: str) -> QueryIntent:
    """Geographic intent (Singapore / global / none), places, agencies, recency words and years."""
    phrases = _phrases(query)
    places = tuple(sorted(p for p in SINGAPORE_PLACES if p in phrases and p != "singapore"))
    agencies = tuple(sorted({a for a in AGENCIES if a in phrases and a not in _AMBIGUOUS} | _agencies_in_caps(query)))
    sg_terms = phrases & SINGAPORE_TERMS
    is_global = bool(phrases & GLOBAL_WORDS)
    if "singapore" in phrases or "sg" in phrases or places or agencies or sg_terms:
        geography = "singapore"
    elif is_global:
        geography = "global"
    else:
        geography = "none"
    if is_global and "singapore" not in phrases and not places:
        geography = "global"
    recency = bool(phrases & RECENCY_WORDS) and "new-york" not in phrases
    years = tuple(sorted({int(y) for y in _YEAR_RE.findall(query or "")}))
    return QueryIntent(
        geography=geography,
        places=tuple(p.replace("-", " ") for p in places),
        agencies=agencies,
        recency=recency,
        words=tuple(content_words(query)),
        years=years,
    )


# Acronyms that are ordinary English words too; only counted when written in capitals.
_AMBIGUOUS = frozenset({"pub", "mom", "dos", "ema", "mas", "mot", "hsa", "boa", "ica", "sla", "cea"})


def _agencies_in_caps(query: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\b[A-Z]{2,}\b", query or "") if w.lower() in _AMBIGUOUS}


_NAME_FILLER = frozenset({"and", "of", "the", "for", "&"})


def _name_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", normalize(text).replace("&", " and ")) if w not in _NAME_FILLER]


def publisher_matches(publisher: str, agencies: Iterable[str]) -> bool:
    """Whether a publisher is one of the agencies, by acronym ("HDB") or by full name."""
    words = _name_words(publisher)
    if not words:
        return False
    joined = " ".join(words)
    for a in agencies:
        if a in words:
            return True
        name = " ".join(_name_words(AGENCIES.get(a, a)))
        if name and re.search(rf"(?:^| ){re.escape(name)}(?: |$)", joined):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Re-scoring with catalog signals
# ---------------------------------------------------------------------------------------------


@dataclass
class DocSignals:
    """Per-document catalog signals, arrays indexed by doc index (like the index's vectors)."""

    quality: np.ndarray  # float in [0, 1]
    link_broken: np.ndarray  # bool
    freshness: np.ndarray  # float in [0, 1]: 1 = updated recently, 0 = stale or unknown
    is_singapore: np.ndarray  # bool: the source or the coverage is Singapore
    publisher: Sequence[str] = ()
    # float in [0, 1]: how often other records of the catalog mention this dataset by name
    # (``catalog_popularity``); None = unknown (no adjustment).
    popularity: np.ndarray | None = None

    @classmethod
    def neutral(cls, n: int) -> DocSignals:
        return cls(
            quality=np.full(n, 0.5, dtype=np.float32),
            link_broken=np.zeros(n, dtype=bool),
            freshness=np.zeros(n, dtype=np.float32),
            is_singapore=np.zeros(n, dtype=bool),
            publisher=[""] * n,
            popularity=np.zeros(n, dtype=np.float32),
        )


@dataclass(frozen=True)
class RescoreParams:
    quality: float = 0.10  # added per unit of quality above/below 0.5 (0.3+ helps DataFinder, hurts data.gov.sg)
    link_broken: float = 0.06  # subtracted for a broken or unreachable link
    freshness: float = 0.01  # added per unit of freshness
    freshness_recency: float = 0.05  # ... when the query asks for recent data
    singapore: float = 0.06  # added for a Singapore source when the query is about Singapore
    publisher: float = 0.06  # added when the publisher is an agency the query names
    global_singapore: float = 0.03  # subtracted for a Singapore-only source when the query says global
    popularity: float = 0.20  # added per unit of catalog popularity (``catalog_popularity``; 2-fold CV)


DEFAULT_RESCORE = RescoreParams()
# For the score a hit *reports* (compared with thresholds such as ASSISTANT_WEAK_SCORE): the same
# adjustments without the popularity prior, which only orders candidates (an often-cited dataset is
# not a better match for an unrelated query).
REPORTED_SCORE_RESCORE = RescoreParams(popularity=0.0)


# ---------------------------------------------------------------------------------------------
# Catalog popularity: how many other records mention a dataset by name
# ---------------------------------------------------------------------------------------------

POPULARITY_CAP = 20  # mentions at which the prior saturates (log scale: 1 mention = 0.23, 5 = 0.59)
POPULARITY_EXPLAINED = 0.45  # explained as "often mentioned" from 3 mentions on
_NAME_MAX_TOKENS = 6
_WORD_RE = re.compile(r"[^\W_]+(?:[-.+/'][^\W_]+)*")
_SENTENCE_RE = re.compile(r"[.!?:;]\s+|\n+")


def _name_tokens(title: str) -> tuple[str, ...] | None:
    """A title as a case-sensitive token sequence, when it is short enough to be a name."""
    title = (title or "").strip()
    toks = tuple(_WORD_RE.findall(title))
    if not toks or len(toks) > _NAME_MAX_TOKENS or len(title) < 3:
        return None
    # Every letter and digit of the title must be in the tokens ("Image网" is not "Image").
    if len("".join(toks)) < len(re.sub(r"[\W_]", "", title)):
        return None
    return toks


def catalog_mentions(docs: Sequence[DocFields]) -> np.ndarray:
    """For each document, how many *other* documents mention its title in their description or
    source titles (case-sensitive, whole tokens, at most 6 tokens long).

    A mention at the start of a sentence does not count: there a capitalised ordinary word ("Note:",
    "Parks are ...") looks like a name. Each mentioning document counts once.
    """
    wanted: dict[tuple[str, ...], list[int]] = {}
    for i, doc in enumerate(docs):
        toks = _name_tokens(doc.title)
        if toks:
            wanted.setdefault(toks, []).append(i)
    counts = np.zeros(len(docs), dtype=np.int32)
    if not wanted:
        return counts
    first = {t[0] for t in wanted}
    lengths = sorted({len(t) for t in wanted})
    for j, doc in enumerate(docs):
        text = "\n".join([doc.description or "", *doc.source_titles])
        found: set[tuple[str, ...]] = set()
        for sentence in _SENTENCE_RE.split(text):
            toks = _WORD_RE.findall(sentence)
            for k in range(1, len(toks)):  # position 0 starts a sentence
                if toks[k] not in first:
                    continue
                for n in lengths:
                    name = tuple(toks[k : k + n])
                    if len(name) == n and name in wanted:
                        found.add(name)
        for name in found:
            for i in wanted[name]:
                if i != j:
                    counts[i] += 1
    return counts


def catalog_popularity(docs: Sequence[DocFields], *, cap: int = POPULARITY_CAP) -> np.ndarray:
    """A popularity prior in [0, 1] derived from the catalog itself: ``log(1 + mentions) /
    log(1 + cap)``, capped at 1, where mentions = ``catalog_mentions``.

    Records that other records cite by name ("pre-trained on ImageNet", "images from COCO") are the
    established datasets a researcher most likely means among similar candidates, the same idea as
    citation counts or in-links. It needs nothing beyond the catalog, costs one pass over the text at
    index build, and is neutral where records do not mention each other (most of data.gov.sg).
    """
    counts = catalog_mentions(docs).astype(np.float32)
    return np.minimum(1.0, np.log1p(counts) / math.log1p(max(1, cap))).astype(np.float32)


def freshness_from_age(age_days: float | None, *, half_life_days: float = 730.0) -> float:
    """1.0 for data updated today, 0.5 after ``half_life_days``, 0 when unknown."""
    if age_days is None or math.isnan(age_days):
        return 0.0
    return float(0.5 ** (max(0.0, age_days) / half_life_days))


def rescore(
    fused: dict[int, float],
    signals: DocSignals,
    intent: QueryIntent,
    *,
    params: RescoreParams = DEFAULT_RESCORE,
) -> dict[int, float]:
    """Adjust fused scores with quality, link health, freshness and geographic intent.

    The adjustments are small next to the relevance scale (a strong match scores ~0.6-1.0), so they
    reorder near-ties and push down broken or low-quality records without overriding relevance.
    """
    agencies = set(intent.agencies)
    popularity = signals.popularity if signals.popularity is not None and params.popularity else None
    out: dict[int, float] = {}
    for i, s in fused.items():
        adj = params.quality * (float(signals.quality[i]) - 0.5)
        if signals.link_broken[i]:
            adj -= params.link_broken
        fresh = float(signals.freshness[i])
        adj += (params.freshness_recency if intent.recency else params.freshness) * fresh
        sg = bool(signals.is_singapore[i])
        if intent.geography == "singapore" and sg:
            adj += params.singapore
        elif intent.geography == "global" and sg:
            adj -= params.global_singapore
        if agencies and len(signals.publisher) > i and publisher_matches(signals.publisher[i], agencies):
            adj += params.publisher
        if popularity is not None:
            adj += params.popularity * float(popularity[i])
        out[i] = s + adj
    return out


# ---------------------------------------------------------------------------------------------
# Explanations
# ---------------------------------------------------------------------------------------------


def _matched_words(query: str, text: str) -> list[str]:
    """Query words (as the user wrote them) whose stem or compound form occurs in ``text``."""
    text_tokens = set(tokenize(text))
    out: list[str] = []
    for raw in re.findall(r"[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*", query or ""):
        low = normalize(raw)
        if low in STOPWORDS or len(low) < 2:
            continue
        toks = tokenize(raw)
        if toks and (toks[0] in text_tokens or stem(low) in text_tokens) and raw not in out:
            out.append(raw)
    return out


def explain(
    *,
    query: str,
    doc: DocFields,
    lexical: float | None = None,
    neural: float | None = None,
    intent: QueryIntent | None = None,
    is_singapore: bool = False,
    quality: float | None = None,
    link_broken: bool = False,
    max_reasons: int = 4,
    popularity: float | None = None,
) -> list[str]:
    """Short human reasons for a hit, most telling first."""
    intent = intent or query_intent(query)
    reasons: list[str] = []
    title_words = _matched_words(query, " ".join(_names(doc)))
    if title_words:
        reasons.append("title matches " + ", ".join(f"'{w}'" for w in title_words[:3]))
    else:
        tag_words = _matched_words(query, " ".join(doc.tags))
        if tag_words:
            reasons.append("tagged " + ", ".join(f"'{w}'" for w in tag_words[:3]))
        elif lexical and lexical > 0:
            desc_words = _matched_words(query, doc.description)
            if desc_words:
                reasons.append("description mentions " + ", ".join(f"'{w}'" for w in desc_words[:3]))
    if neural is not None and neural >= 0.35:
        reasons.append("similar in meaning to your query")
    if intent.agencies and publisher_matches(doc.publisher, intent.agencies):
        reasons.append(f"published by {doc.publisher}")
    if intent.geography == "singapore" and is_singapore:
        reasons.append("from a Singapore source")
    if popularity is not None and popularity >= POPULARITY_EXPLAINED:
        reasons.append("often mentioned by other datasets")
    if quality is not None and quality >= 0.8:
        reasons.append("well-documented record")
    if link_broken:
        reasons.append("link currently broken")
    if not reasons:
        reasons.append("related to your query")
    return reasons[:max_reasons]


# ---------------------------------------------------------------------------------------------
# Similar datasets
# ---------------------------------------------------------------------------------------------

NEAR_DUPLICATE_COSINE = 0.97
_FORMAT_SUFFIX_RE = re.compile(
    r"\((?:csv|xlsx?|kml|kmz|shp|geojson|json|api|pdf)\)|\s[-–]\s*(?:csv|xlsx?|kml|kmz|shp|geojson|json|api|pdf)\s*$"
)
_TITLE_NOISE_RE = re.compile(r"[^a-z0-9]+")


def normalise_title(title: str) -> str:
    """Title reduced for duplicate checks: lower case, no punctuation or format suffix."""
    return _TITLE_NOISE_RE.sub(" ", _FORMAT_SUFFIX_RE.sub(" ", normalize(title))).strip()


def is_near_duplicate(title_a: str, title_b: str, cosine: float, *, threshold: float = NEAR_DUPLICATE_COSINE) -> bool:
    """Two datasets are near-duplicates when their embeddings almost coincide or their titles are the same."""
    if cosine >= threshold:
        return True
    a, b = normalise_title(title_a), normalise_title(title_b)
    return bool(a) and a == b
