"""What a refinement points at: a phrase ("the LTA ones", "maps", "weekly figures", "ImageNet")
resolved to facet values of the catalog, or reported as unknown with close matches.

The vocabulary comes from the catalog itself (publisher and source names, formats), the shared
agency table (``catalog.vocabulary``), the conversation's word tables (``conversation/data``) and
the results on screen (dataset titles and title words). It is read from the database once a minute
at most, so a curator's new publisher is understood without a restart.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from functools import cache

from django.db import DatabaseError
from django.db.models import Count, Max
from rapidfuzz import fuzz, process

from catalog.models import Dataset, Publisher, Source
from catalog.vocabulary import agency_aliases
from conversation.lexicon import (
    CARDINAL_WORDS,
    FORMAT_ALIASES,
    NAME_ABBREVIATIONS,
    ORDINAL_WORDS,
    SOURCE_ALIASES,
    table,
)
from conversation.nlu import english_words
from search.text import fold

_TARGETS = table("targets.json")
FORMAT_FAMILIES: dict[str, list[str]] = _TARGETS["format_families"]
FREQUENCIES: dict[str, dict] = _TARGETS["frequencies"]
FREQUENCY_TITLE_WORDS: dict[str, list[str]] = _TARGETS["frequency_title_words"]
FREQUENCY_WORDS: dict[str, str] = {word: name for name, spec in FREQUENCIES.items() for word in spec["words"]}
FREQUENCY_LABELS = {
    "daily": "daily",
    "weekly": "weekly",
    "monthly": "monthly",
    "quarterly": "quarterly",
    "half-yearly": "half-yearly",
    "annual": "annual",
    "realtime": "real-time",
}

# Words around a target that carry no meaning of their own ("the LTA ones", "any PDF files").
_NOISE = frozenset(
    [
        "a",
        "an",
        "the",
        "any",
        "all",
        "every",
        "some",
        "those",
        "these",
        "this",
        "that",
        "them",
        "ones",
        "one",
        "datasets",
        "dataset",
        "data",
        "files",
        "file",
        "results",
        "result",
        "entries",
        "entry",
        "records",
        "record",
        "versions",
        "version",
        "series",
        "items",
        "item",
        "stuff",
        "things",
        "thing",
        "sets",
        "set",
        "tables",
        "table",
        "feeds",
        "feed",
        "please",
        "pls",
        "too",
        "also",
        "as",
        "well",
        "either",
        "anything",
        "everything",
        "ones'",
        "kind",
        "kinds",
        "type",
        "types",
        "sort",
        "of",
        "published",
        "publishes",
        "publisher",
        "publishers",
        "produced",
        "made",
        "issued",
        "released",
        "provided",
        "by",
        "from",
        "coming",
        "come",
        "comes",
        "that",
        "which",
        "who",
        "are",
        "is",
        "were",
        "was",
        "being",
        "in",
        "under",
        "with",
        "format",
        "formats",
        "figures",
        "numbers",
        "counts",
        "values",
        "layers",
        "anymore",
        "material",
        "materials",
        "more",
        "stuff's",
        "listed",
        "shown",
        "here",
        "there",
        "what",
        "whatever",
        "list",
        "variants",
        "variant",
        "everyone",
        "whole",
        "it",
        "them",
        "people",
        "folks",
        "guys",
        "lot",
        "team",
        "own",
        "itself",
        "themselves",
    ]
)
# Generic words of organisation names: never enough on their own to name a publisher.
_ORG_WORDS = frozenset(
    [
        "ministry",
        "authority",
        "board",
        "agency",
        "department",
        "office",
        "council",
        "bureau",
        "service",
        "services",
        "commission",
        "corporation",
        "singapore",
        "national",
        "of",
        "and",
        "the",
        "for",
        "sg",
        "organisation",
        "organization",
        "centre",
        "center",
        "institute",
    ]
)
# Words that describe a target without naming it: "the datamall APIs", "world bank indicators".
_DESCRIPTIVE = frozenset(
    [
        "papers",
        "listings",
        "listing",
        "indicators",
        "indicator",
        "tables",
        "table",
        "figures",
        "statistics",
        "stats",
        "numbers",
        "series",
        "breakdowns",
        "breakdown",
        "releases",
        "apis",
        "api",
        "feeds",
        "maps",
        "map",
        "layers",
        "files",
        "datasets",
        "data",
        "entries",
        "records",
        "reports",
        "sets",
        "collections",
        "products",
        "portal",
        "site",
        "splits",
        "subsets",
        "cuts",
        "disaggregations",
        "categories",
        "ones",
    ]
)
# Nouns after a format that only say "in that format": "API endpoints", "CSV downloads".
_FORMAT_NOUNS = frozenset(
    [
        "file",
        "files",
        "format",
        "formats",
        "version",
        "versions",
        "layer",
        "layers",
        "endpoint",
        "endpoints",
        "feed",
        "feeds",
        "service",
        "services",
        "link",
        "links",
        "download",
        "downloads",
        "export",
        "exports",
        "document",
        "documents",
        "sheet",
        "sheets",
        "spreadsheet",
        "spreadsheets",
        "workbook",
        "workbooks",
        "dump",
        "dumps",
        "copy",
        "copies",
        "one",
        "ones",
    ]
)
# Adjectives before a format that do not change it: "downloadable CSVs", "raw JSON".
_FORMAT_ADJECTIVES = frozenset(
    [
        "downloadable",
        "raw",
        "plain",
        "tabular",
        "static",
        "bulk",
        "flat",
        "normal",
        "regular",
        "simple",
        "proper",
        "actual",
    ]
)
_SPLIT_RE = re.compile(r"\s*(?:,|\band\b|\bor\b|\bnor\b|&|\bplus\b|/)\s*")
_VOCAB_TTL = 60.0


@dataclass(frozen=True)
class Target:
    facet: str  # publisher | source | format | frequency | title | dataset
    values: tuple[str, ...]
    label: str


@dataclass
class Resolution:
    targets: list[Target] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    suggestions: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Shown:
    """A dataset on screen, as far as targets need it."""

    id: int
    title: str
    publisher: str = ""


class _Vocabulary:
    """Publisher and source names from the catalog: reloaded when the catalog's publishers or sources
    change (``refresh_if_changed``, once per turn: two aggregate queries) or after a minute."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self._fingerprint: tuple = ()
        self.publishers: dict[str, str] = {}  # folded name or alias -> catalog name
        self.publisher_names: list[str] = []
        self.sources: dict[str, tuple[str, str]] = {}  # folded alias/name/slug -> (slug, label)
        self.slugs: set[str] = set()
        self.formats: set[str] = set()

    def ensure(self) -> _Vocabulary:
        if time.monotonic() - self._loaded_at < _VOCAB_TTL and self.publisher_names:
            return self
        with self._lock:
            if time.monotonic() - self._loaded_at >= _VOCAB_TTL or not self.publisher_names:
                self._load()
        return self

    def _load(self) -> None:
        names = list(
            Publisher.objects.filter(datasets__status=Dataset.Status.ACTIVE).distinct().values_list("name", flat=True)
        )
        known = {fold(n): n for n in names}
        publishers = dict(known)
        for alias, name in agency_aliases().items():
            if fold(name) in known:
                publishers.setdefault(fold(alias), known[fold(name)])
        sources: dict[str, tuple[str, str]] = {}
        for slug, name in Source.objects.values_list("slug", "name"):
            sources[fold(slug)] = (slug, name)
            sources[fold(name)] = (slug, name)
        self.slugs = {slug for slug, _name in sources.values()}  # the catalog's own sources
        slugs = self.slugs
        for alias, (slug, label) in SOURCE_ALIASES.items():
            narrower = [s for s in slugs if s.startswith(f"{slug}-")] if slug not in slugs else []
            if len(narrower) == 1:
                # An alias for a source this catalog lacks names its only sub-source ("un" -> "un-sdg").
                slug, label = narrower[0], next(name for s, name in sources.values() if s == narrower[0])
            sources.setdefault(fold(alias), (slug, label))
        for alias, slug in _TARGETS["source_words"].items():
            label = next((name for s, name in sources.values() if s == slug), slug)
            sources.setdefault(fold(alias), (slug, label))
        formats = set()
        for row in Dataset.objects.active().values_list("formats", flat=True).distinct()[:5000]:
            formats.update(str(f).upper() for f in row or [])
        self.publishers, self.publisher_names, self.sources, self.formats = publishers, names, sources, formats
        self._loaded_at = time.monotonic()

    def forget(self) -> None:
        self._loaded_at = 0.0

    def refresh_if_changed(self) -> None:
        fingerprint = (
            tuple(Publisher.objects.aggregate(n=Count("id"), last=Max("id")).values()),
            tuple(Source.objects.aggregate(n=Count("id"), last=Max("id")).values()),
        )
        if fingerprint != self._fingerprint:
            self._fingerprint = fingerprint
            self.forget()


VOCABULARY = _Vocabulary()


def vocabulary_changed(**kwargs) -> None:
    """Signal receiver: a publisher or source was saved or deleted, so the vocabulary is read again when next used."""
    VOCABULARY.forget()


def clean(phrase: str) -> str:
    """A phrase without the words around a target that mean nothing of their own ("the LTA ones" -> "lta")."""
    text = re.sub(r"'s\b|(?<=s)'(?=\s|$)", "", fold(phrase))  # "NEA's", "NParks' stuff"
    words = [w.strip(".'-") for w in re.findall(r"[\w.+*#&'-]+", text)]
    return " ".join(w for w in words if w and w not in _NOISE).strip(" '-")


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def frequency_of(phrase: str) -> str | None:
    text = clean(phrase)
    if text in FREQUENCY_WORDS:
        return FREQUENCY_WORDS[text]
    if re.search(r"\d\s*(?:a|an|per|/)\s*(?:day|week|month|quarter|year)\b", fold(phrase)):
        return None  # "$1.90 a day", "5 per month": an amount, not how often the data comes
    words = text.split()
    hits = {FREQUENCY_WORDS[w] for w in words if w in FREQUENCY_WORDS and FREQUENCY_WORDS[w]}
    for n in (3, 2):  # multi-word forms: "week by week", "per month"
        for i in range(len(words) - n + 1):
            gram = " ".join(words[i : i + n])
            if gram in FREQUENCY_WORDS:
                hits.add(FREQUENCY_WORDS[gram])
    # "years" alone in "covering 10 years" is not a frequency: only count a lone frequency word.
    return hits.pop() if len(hits) == 1 and len(words) <= 3 else None


def format_values(phrase: str) -> tuple[tuple[str, ...], str] | None:
    text = clean(phrase)
    if not text:
        return None
    if text in FORMAT_FAMILIES:
        return tuple(FORMAT_FAMILIES[text]), text
    candidates = [text, " ".join(_singular(w) for w in text.split())]
    for candidate in candidates:
        if candidate in FORMAT_ALIASES:
            value = FORMAT_ALIASES[candidate]
            return (value,), value
        if candidate.upper() in VOCABULARY.ensure().formats:
            return (candidate.upper(),), candidate.upper()
    words = text.split()
    if len(words) == 2 and words[1] in _FORMAT_NOUNS:  # "PDF files", "API endpoints", "KML layers"
        return format_values(words[0])
    if len(words) >= 2 and words[0] in _FORMAT_ADJECTIVES:  # "downloadable CSVs", "plain JSON files"
        return format_values(" ".join(words[1:]))
    return None


# Nouns after a source's name that only say what it holds: "the data.gov.sg rows", "the Papers with Code research
# datasets", "the UN SDG source", "the data.gov.sg material".
_SOURCE_TAIL = frozenset(["rows", "row", "material", "materials", "source", "sources", "results", "items", "research",
                          "content", "stuff", "things"])  # fmt: skip


def _light(phrase: str) -> str:
    """Only determiners, pleasantries and trailing generic nouns off: "the Papers with Code results"."""
    text = re.sub(r"'s\b|s'(?=\s|$)", "", fold(phrase)).strip(" .,!?'\"")
    text = re.sub(r"^(?:(?:the|a|an|any|all|those|these|anything|everything|stuff|ones?)\s+)+", "", text)
    text = re.sub(r"^(?:(?:from|by|of|about)\s+)+(?:the\s+)?", "", text)
    words = text.split()
    while words and words[-1] in _NOISE | _DESCRIPTIVE:
        words.pop()
    return " ".join(words)


def _name_forms(phrase: str) -> tuple[str, str, str]:
    """The forms a source or agency name is looked up by: ``_light``, ``clean``, and ``_light`` without the nouns that
    only say what a source holds ("the data.gov.sg rows")."""
    light = _light(phrase)
    words = light.split()
    while len(words) > 1 and words[-1] in _SOURCE_TAIL:
        words.pop()
    return light, clean(phrase), " ".join(words)


def source_of(phrase: str) -> tuple[str, str] | None:
    sources = VOCABULARY.ensure().sources
    for text in _name_forms(phrase):
        if text and text in sources:
            return sources[text]
    # "the academic research datasets": every word names the same source
    words = clean(phrase).split()
    named = {sources[w] for w in words if w in sources}
    if len(words) > 1 and len(named) == 1 and all(w in sources for w in words):
        return named.pop()
    return None


# "the international sources", "global providers": the group's word and a noun that says nothing more
_GROUP_NOUN = re.compile(r"\s+(?:sources?|ones|datasets?|data|providers?|publishers?|bodies|feeds|series|stuff)$")


def source_group_of(phrase: str) -> Target | None:
    """Several sources named at once: "the international organisations", "intl orgs"."""
    text = _light(phrase)
    groups = _TARGETS["source_groups"]
    slugs = groups.get(text) or groups.get(clean(phrase)) or groups.get(_GROUP_NOUN.sub("", text))
    if not slugs:
        return None
    vocab = VOCABULARY.ensure()
    present = [slug for slug in slugs if slug in vocab.slugs]
    if not present:
        return None
    return Target("source", tuple(present), ", ".join(vocab.sources[fold(slug)][1] for slug in present))


def agency_alias_of(phrase: str) -> str | None:
    """A publisher named by the shared agency table (acronym, short or full name): "SingStat", "HDB"."""
    vocab = VOCABULARY.ensure()
    for text in _name_forms(phrase):
        if text and text in vocab.publishers:
            return vocab.publishers[text]
    return None


_CONTENT_TAIL = re.compile(r"\s+(?:reports?|publications?|releases?|statistics|stats|indicators?|tables|spreadsheets?|maps?|layers?)$")


def publisher_of(phrase: str) -> str | None:
    """The catalog publisher a phrase names: alias, full name, or its distinctive words ("manpower ministry")."""
    text = clean(phrase)
    if not text:
        return None
    vocab = VOCABULARY.ensure()
    if text in vocab.publishers:
        return vocab.publishers[text]
    if text.endswith("s") and text[:-1] in vocab.publishers:  # "the NEAs"
        return vocab.publishers[text[:-1]]
    words = set(text.split())
    distinctive = words - _ORG_WORDS
    if not distinctive:
        return None
    # Every word counts: "ministry of tourism" must not become the Singapore Tourism Board.
    named = words - {"of", "and", "the", "for", "singapore", "sg"}
    matches = [name for name in vocab.publisher_names if words_name(named, set(re.findall(r"[\w*-]+", fold(name))))]
    if len(matches) == 1:
        return matches[0]
    # Several: the one that says the words in a row ("the land authority" is the Singapore Land Authority, not the
    # Land Transport Authority)
    in_a_row = [name for name in matches if re.search(rf"\b{re.escape(text)}\b", fold(name))]
    if len(in_a_row) == 1:
        return in_a_row[0]
    if not matches and len(text) >= 6:
        best = process.extractOne(text, vocab.publisher_names, scorer=fuzz.ratio, processor=fold)
        if best and best[1] >= 90:
            return best[0]
    if not matches and (shorter := _CONTENT_TAIL.sub("", text)) != text and shorter:
        # "the Yellow Ribbon reports", "NEA stats": what that publisher puts out (not "open spreadsheets": one loose word)
        if shorter in vocab.publishers:
            return vocab.publishers[shorter]
        return publisher_of(shorter) if len(shorter.split()) >= 2 else None
    return None


def words_name(words: set[str], name_words: set[str]) -> bool:
    """Every word is a word of the name, a usual short form of one, or its beginning (4+ letters: "poly")."""
    for word in words:
        word = NAME_ABBREVIATIONS.get(word, word)
        if word not in name_words and not (len(word) >= 4 and any(n.startswith(word) for n in name_words)):
            return False
    return True


def _tokens(text: str) -> set[str]:
    return {w for w in re.findall(r"[\w.+$%-]+", fold(text)) if w not in _NOISE and len(w) > 1 or w.isdigit()}


def name_words(phrase: str) -> set[str]:
    """The words that make a dataset name distinctive: "the annual CPI tables" -> {annual, cpi}."""
    return _tokens(phrase) - _DESCRIPTIVE


def dataset_named(phrase: str, shown: list[Shown], *, context: str = "") -> Shown | None:
    """A dataset on screen whose title the phrase names: exactly, as a leading name ("Cityscapes"), or
    by all its words ("the PM10 pollutant one"), the rest of the message breaking ties."""
    text = fold(phrase).strip(" .?!'\"")
    text = re.sub(r"^(?:the|a|an)\s+", "", text)
    text = re.sub(r"\s+(?:dataset|data set|one|data)$", "", text)
    if not text:
        return None
    exact = [s for s in shown if fold(s.title) == text]
    if exact:
        return exact[0]
    if len(text) < 3:
        return None
    # A title that starts with the name and goes on with a qualifier ("Cityscapes (fine)"): only if unique.
    prefixed = [s for s in shown if re.match(rf"{re.escape(text)}(?:\b|$)", fold(s.title))]
    if len(prefixed) == 1:
        return prefixed[0]
    close = process.extractOne(text, {s.id: fold(s.title) for s in shown}, scorer=fuzz.ratio)
    if close and close[1] >= 90:
        return next(s for s in shown if s.id == close[2])
    words = name_words(text)
    if not words:
        return None
    containing = [s for s in shown if words <= _tokens(s.title)]
    if len(containing) == 1:
        return containing[0]
    if len(containing) > 1 and context:
        extra = _tokens(context) - words
        scored = sorted(((len(extra & _tokens(s.title)), -len(s.title), s.rank if hasattr(s, "rank") else 0, s) for s in containing),
                        key=lambda t: (t[0], t[1]), reverse=True)  # fmt: skip
        if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            return scored[0][3]
    # "coverage and frequency of the wet bulb series": what comes after the fields asked for
    fields = r"(?:licen[cs]es?|publishers?|formats?|coverage|frequency|frequencies|links?|details|size)"
    if (asked := re.match(rf"^(?:the )?{fields}(?:,? (?:and |& )?(?:the )?{fields})* (?:of|for) (?:the )?(.+)$", text)) is not None:
        return dataset_named(asked[1], shown, context=context)
    # "squads licence", "COCO's formats": the name before the field asked for, its possessive unmarked or marked
    bare = re.sub(r"(?:'s|s')?\s+(?:licen[cs]es?|publisher|formats?|coverage|frequency|links?|urls?|details|info|size)$", "", text)
    if bare != text:
        return dataset_named(bare, shown, context=context)
    if len(text) > 4 and text.endswith("s") and not text.endswith("ss"):
        named = [s for s in shown if fold(s.title) == text[:-1] or fold(s.title).startswith(text[:-1] + " ")]
        if len(named) == 1:
            return named[0]  # "cocos" said for COCO's
    return _published_by(text, shown)


def _published_by(text: str, shown: list[Shown]) -> Shown | None:
    """ "The World Bank one", "the UN energy one": the first result on screen of a named publisher (with the other words
    in its title), when the name is no title's."""
    if not any(s.publisher for s in shown):
        return None  # titles only (the router's view): no publisher to name
    words = text.split()
    for size in range(min(len(words), 5), 0, -1):
        publisher = agency_alias_of(" ".join(words[:size])) or publisher_of(" ".join(words[:size]))
        if publisher is None:
            continue
        rest = name_words(" ".join(words[size:]))
        mine = [s for s in shown if s.publisher == publisher and rest <= _tokens(s.title)]
        return mine[0] if mine else None  # the first when several: the reading a person would take
    return None


# Prefixes that make one word with what follows the hyphen: "non-rural" is not "rural", "peri-urban" not "urban".
_JOINING_PREFIXES = ("non", "semi", "sub", "peri", "multi", "anti", "pre", "post", "inter", "intra", "co", "re", "un",
                     "self", "ex", "trans", "extra", "ultra", "pseudo", "quasi", "mid", "over", "under", "out", "cross")  # fmt: skip
_NOT_JOINED = "".join(rf"(?<!\b{p}-)" for p in _JOINING_PREFIXES)


def title_term_pattern(term: str, *, plural: bool = False) -> re.Pattern[str]:
    """A term as whole words of a folded title (a file name's underscores separate words). A hyphen after a prefix
    joins ("non-rural" is not "rural"); other hyphens separate ("Poverty Gap ($2 a day)-Rural" and "Official
    Poverty Rate-Rural" are rural)."""
    words = [w for w in re.split(r"[\s_-]+", fold(term).strip()) if w]
    body = r"[\s_-]".join(re.escape(w) for w in words) + ("(?:s|es)?" if plural else "")
    if plural and len(words) == 1 and (stem := word_stem(words[0])) != words[0]:
        # "the moneylender stuff" is the moneylending tables too: the word's agent and activity forms
        body = re.escape(stem) + "(?:ers?|ings?|ed)"
    # "wet-bulb" and "wet bulb" are one term; an underscore separates too ("wage_01_sex1_annual" has "wage")
    return re.compile(rf"(?<![^\W_]){_NOT_JOINED}{body}(?![^\W_])")


_AGENT_OR_ACT = re.compile(r"^([a-z]{5,})(?:ers?|ings?)$")


def word_stem(term: str) -> str:
    """A word without its agent or activity ending ("moneylender", "moneylending": "moneylend"); else the term."""
    match = _AGENT_OR_ACT.match(term)
    return match.group(1) if match else term


def catalog_title_term(phrase: str) -> str | None:
    """A short phrase that is whole words of some active dataset's title in the catalog ("rural"), or None."""
    text = clean(phrase)
    if not text or len(text) < 3 or len(text.split()) > 3:
        return None
    pattern = title_term_pattern(text)
    try:
        titles = Dataset.objects.active().filter(title__icontains=text).values_list("title", flat=True)[:200]
        return text if any(pattern.search(fold(t)) for t in titles) else None
    except DatabaseError:  # the catalog unreachable: no term
        return None


_TERM_TAIL = frozenset(
    [
        "lines",
        "line",
        "versions",
        "version",
        "variants",
        "measures",
        "rows",
        "sheets",
        "one",
        "edition",
        "editions",
        "release",
        "stuff",
        "things",
        "vintage",
        "vintages",
        "basis",
        "benchmarks",
        "benchmark",
        "collections",
        "collection",
        "issue",
        "issues",
        "kind",
        "kinds",
        "type",
        "types",
        "lists",
        "list",
    ]
)


# Words before a title term that only describe it: "the old SSIC 2015 basis", "the generic MOT benchmarks"
_TERM_LEAD = frozenset(["old", "older", "new", "newer", "generic", "general", "weird", "other", "current", "outdated", "legacy",
                        "previous", "usual", "standard", "classic", "big", "small", "whole", "entire"])  # fmt: skip


def title_term(phrase: str, shown: list[Shown]) -> str | None:
    """A phrase found as whole words in the titles on screen ("seasonally adjusted", "balance of payment"); also the
    title words an acronym spells ("LPG": "Liquefied Petroleum Gas") or a misspelt title word ("tarrif")."""
    forms = [_light(phrase), clean(phrase)]
    for base in forms[:2]:
        words = base.split()
        while len(words) > 1 and words[0] in _TERM_LEAD:
            words = words[1:]
            forms.append(" ".join(words))
        while len(words) > 1 and (words[-1] in _DESCRIPTIVE or words[-1] in _TERM_TAIL):  # "the $1.90 a day lines"
            words = words[:-1]
            forms.append(" ".join(words))
    term = _title_term_as_typed(forms, shown)
    if term is None and (words := forms[-1].split()) and len(words) == 1:
        term = _spelled_out(words[0], shown) or _misspelt_title_word(words[0], shown)
    return term


def _title_term_as_typed(forms: list[str], shown: list[Shown]) -> str | None:
    for text in dict.fromkeys(forms):
        if len(text) < 3:
            continue
        pattern = title_term_pattern(text)
        if any(pattern.search(fold(s.title)) for s in shown):
            return text
        # "general elections" among "General Election Results": the singular, which matches either (``_ids_for``)
        one = " ".join(_singular(w) for w in text.split())
        if any(title_term_pattern(one, plural=True).search(fold(s.title)) for s in shown):
            return one
    return None


def _spelled_out(acronym: str, shown: list[Shown]) -> str | None:
    """The title words on screen whose initials spell an acronym ("lpg": "liquefied petroleum gas"), when one
    phrase does."""
    if not (2 <= len(acronym) <= 6 and acronym.isalpha()):
        return None
    found = set()
    for s in shown:
        words = re.findall(r"[a-z][a-z'-]*", fold(s.title))
        for i in range(len(words) - len(acronym) + 1):
            run = words[i : i + len(acronym)]
            if "".join(w[0] for w in run) == acronym and all(len(w) > 2 for w in run):
                found.add(" ".join(run))
    return found.pop() if len(found) == 1 else None


def _misspelt_title_word(word: str, shown: list[Shown]) -> str | None:
    """The one title word on screen a word that is no English word misspells ("tarrif": "tariff")."""
    if len(word) < 5 or not word.isalpha() or word in english_words():
        return None
    words = {w for s in shown for w in re.findall(r"[a-z]{5,}", fold(s.title))}
    close = [w for w in words if fuzz.ratio(word, w) >= 80 and w[0] == word[0] and abs(len(w) - len(word)) <= 2]  # not "propertyguru"
    return close[0] if len(close) == 1 else None


_ORDINAL = "|".join(sorted((re.escape(w) for w in [*ORDINAL_WORDS, "last", "final", "bottom"]), key=len, reverse=True))
_RANK_ITEM = r"(?:one|result|dataset|data ?set|item|entry|hit|option|record|listing|link|row|thing)s?"
_RANK_REF = re.compile(
    rf"^(?:the\s+|that\s+)?(?:very\s+)?(?P<word>{_ORDINAL})(?:\s+{_RANK_ITEM})?$|"
    rf"^(?:the\s+)?(?:#\s?|(?:number|no\.?|num|{_RANK_ITEM})\s*#?\s*)?(?P<number>\d{{1,2}})$|"
    rf"^(?:the\s+)?(?:number|no\.?|num)\s+(?P<spelled>{'|'.join(CARDINAL_WORDS)})$"
)


def rank_of(phrase: str) -> int | None:
    """The position a phrase points at on screen: "the second one", "#3", "result 4", "the last one" (-1)."""
    text = re.sub(r"[.!?,]+$", "", fold(phrase).strip())
    match = _RANK_REF.match(text)
    if not match:
        return None
    if match.group("number"):
        return int(match.group("number"))
    if match.group("spelled"):
        return CARDINAL_WORDS[match.group("spelled")]
    word = match.group("word")
    return -1 if word in ("last", "final", "bottom") else ORDINAL_WORDS[word]


def dataset_at(phrase: str, shown: list[Shown]) -> Shown | None:
    rank = rank_of(phrase)
    if rank is None or not shown or not (-len(shown) <= rank <= len(shown)) or rank == 0:
        return None
    return shown[rank - 1] if rank > 0 else shown[rank]


# Words that always mean every title with the name ("drop anything KITTI", "the Cityscapes variants") ...
_EVERY_WORDS = r"anything|everything|all|any|every|variants?|family|flavou?rs|based|derived|related"
_EVERY_HINT = re.compile(rf"\b(?:{_EVERY_WORDS})\b")
# ... and those that do unless the name is one result's whole title: a plural, the titles with the word
_FAMILY_HINT = re.compile(
    rf"\b(?:{_EVERY_WORDS}|versions|ones|figures|numbers|stats|statistics|tables|indicators|estimates|rates|counts|"
    r"measures|breakdowns|splits|disaggregations|stuff|things|editions|releases)\b"
)


_QUOTED = re.compile(r"(?:^|\s)['\"\u2018\u201c]([^'\"\u2019\u201d]{3,80}?)\s*(?:['\"\u2019\u201d]|$)")
_EXAMPLES = re.compile(r",?\s+(?:like|such as|e\.?\s?g\.?,?|including|for example|for instance)\s+", re.IGNORECASE)


def resolve_one(phrase: str, *, shown: list[Shown], allow_terms: bool = True, trim: bool = True) -> Target | None:
    text = clean(phrase)
    if not text:
        return None
    target = _resolve_exact(phrase, shown=shown, allow_terms=allow_terms)
    if target is not None or not trim:
        return target
    # "the census tables about 'Language Literate In'": the words the user quoted from the titles
    if allow_terms and (quoted := _QUOTED.search(phrase)) and (term := title_term(quoted.group(1), shown)) is not None:
        return Target("title", (term,), term)
    # "the research datasets like WeatherBench", "the map layers, e.g. Parks": the group, its examples aside
    if (head := _EXAMPLES.split(phrase, maxsplit=1)[0]) != phrase and clean(head):
        group = _resolve_exact(head, shown=shown, allow_terms=False)
        if group is not None and group.facet in ("source", "publisher", "format", "frequency"):
            return group
    if (tail := re.search(r"\b(?:from|by|at|on)\s+(.+)$", fold(phrase))) and tail.start() > 0:
        named = _resolve_exact(tail.group(1), shown=shown, allow_terms=False)
        if named is not None and named.facet in ("source", "publisher"):
            return named
    # "the datamall APIs" -> "datamall"; "department of statistics tables" -> "department of statistics"
    words = text.split()
    while len(words) > 1 and words[-1] in _DESCRIPTIVE:
        words = words[:-1]
        target = _resolve_exact(" ".join(words), shown=shown, allow_terms=allow_terms)
        if target is not None:
            return target
    return _publisher_inside(text, shown)


def _publisher_inside(text: str, shown: list[Shown]) -> Target | None:
    """A publisher of the results on screen named inside a longer phrase that names nothing as a whole: "the ICA
    registration tables", "really trust the health promotion board figures". The longest name wins."""
    words = text.split()
    on_screen = {s.publisher for s in shown if s.publisher}
    for size in range(min(len(words) - 1, 6), 0, -1):
        for start in range(len(words) - size + 1):
            span = " ".join(words[start : start + size])
            if span in _NOISE or span in _DESCRIPTIVE:
                continue
            if (pub := agency_alias_of(span)) is not None and pub in on_screen:
                return Target("publisher", (pub,), pub)
    return None


def _resolve_exact(phrase: str, *, shown: list[Shown], allow_terms: bool) -> Target | None:
    if (at := dataset_at(phrase, shown)) is not None:
        return Target("dataset", (str(at.id),), at.title)
    text = clean(phrase)
    if not text:
        return None
    if (freq := frequency_of(phrase)) is not None:
        return Target("frequency", (freq,), FREQUENCY_LABELS[freq])
    if (fmt := format_values(phrase)) is not None:
        values, label = fmt
        return Target("format", values, label if len(values) == 1 else f"{label} ({', '.join(values)})")
    # The agency table first: "SingStat" is the statistics department people mean, not the small source.
    if (pub := agency_alias_of(phrase)) is not None:
        return Target("publisher", (pub,), pub)
    if (src := source_of(phrase)) is not None:
        return Target("source", (src[0],), src[1])
    if (group := source_group_of(phrase)) is not None:
        return group
    # A word of a publisher's name that is also a word of the titles on screen, none of them that publisher's
    # ("leave out the urban ones" among "Poverty Headcount-Urban", "urban figures only"), means the titles.
    if (pub := publisher_of(phrase)) is not None:
        if not (shown and not any(s.publisher == pub for s in shown) and title_term(phrase, shown)):
            return Target("publisher", (pub,), pub)
        if not allow_terms:
            return None  # the caller may read the titles (an inclusion's fallback)
    # "the Cityscapes variants", "the moneylending stuff": every title with the name, not just the one on screen
    # called so (the catalog's other titles with it come back when the search moves on), unless it is that
    # dataset's whole title.
    term = title_term(phrase, shown)
    titled = sum(1 for s in shown if term in fold(s.title)) if term else 0
    whole = term is not None and any(fold(s.title) == term for s in shown)
    if term is not None and (
        (
            allow_terms
            and _FAMILY_HINT.search(fold(phrase))
            and (titled > 1 or not whole or _EVERY_HINT.search(fold(phrase)))  # "drop anything KITTI": SemanticKITTI too
        )
        # "only the CoNLL ones" (the parse keeps "conll"): a name in several titles on screen, none of them just it
        or (titled > 1 and not whole and len(term) >= 3 and " " not in term and term not in english_words())
    ):
        return Target("title", (term,), term)
    if (named := dataset_named(phrase, shown)) is not None:
        return Target("dataset", (str(named.id),), named.title)
    if allow_terms and term is not None:
        return Target("title", (term,), term)
    return None


def resolve(phrase: str, *, shown: list[Shown], allow_terms: bool = True) -> Resolution:
    """Every target in a phrase ("LTA and URA", "PDFs or spreadsheets"); unknown parts with suggestions."""
    out = Resolution()
    whole = resolve_one(phrase, shown=shown, allow_terms=allow_terms)
    split = [p for p in _SPLIT_RE.split(phrase) if clean(p)]
    if (
        whole is not None
        and len(split) > 1
        and _resolve_exact(phrase, shown=shown, allow_terms=allow_terms) is None
        and all(resolve_one(p, shown=shown, allow_terms=allow_terms) is not None for p in split)
    ):
        whole = None  # "LTA or HDB": the whole named one publisher by a name inside it, and every part names something
    parts = [phrase] if whole is not None else split
    if len(parts) > 1 and (last := fold(parts[-1]).split()) and _FAMILY_HINT.fullmatch(last[-1]):
        # "the rural and urban breakdowns": the plural noun belongs to every part ("the rural breakdowns")
        parts = [p if fold(p).split()[-1:] == last[-1:] else f"{p} {last[-1]}" for p in parts]
    for part in parts:
        target = whole if whole is not None else resolve_one(part, shown=shown, allow_terms=allow_terms)
        if target is None and allow_terms:
            target = dataset_titled(part)  # "drop Cityscapes and PASCAL VOC" when PASCAL VOC is just off screen
        if target is None and (run := names_run(part, shown)):  # "no imagenet voc or cityscapes"
            out.targets.extend(
                t for t in (Target("dataset", (str(d.id),), d.title) for d in run) if t not in out.targets
            )
            continue
        if target is not None:
            if target not in out.targets:
                out.targets.append(target)
        elif clean(part):
            out.unknown.append(display(part))
            out.suggestions[display(part)] = suggestions_for(part, shown=shown)
    return out


def names_run(phrase: str, shown: list[Shown]) -> list[Shown]:
    """Datasets on screen named one after another without "and" or commas ("imagenet voc", "set5 set14 urban100"):
    the words cut into runs, longest first, that each name exactly one result; [] unless every word is in a run
    and there are at least two."""
    words = fold(phrase).strip(" .?!'\"").split()
    if not 2 <= len(words) <= 8:
        return []
    found: list[Shown] = []
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + 4), i, -1):
            named = one_named(" ".join(words[i:j]), shown)
            if named is not None:
                if named not in found:
                    found.append(named)
                i = j
                break
        else:
            return []
    return found if len(found) >= 2 else []


def one_named(text: str, shown: list[Shown]) -> Shown | None:
    """The one result a part of a run of names names: its whole title, the title's beginning ("set5" of "Set5
    (x4)"), or one word only its title has that is no English word ("voc" of "PASCAL VOC")."""
    if len(text) < 3:
        return None
    hits = [s for s in shown if (t := fold(s.title)) == text or re.match(rf"{re.escape(text)}(?![\w-])", t)]
    if not hits and " " not in text and text not in english_words():
        hits = [s for s in shown if text in re.findall(r"[\w.+-]+", fold(s.title))]
    return hits[0] if len(hits) == 1 else None


def dataset_titled(phrase: str) -> Target | None:
    """A dataset of the catalog, on screen or not, whose title is exactly the phrase ("PASCAL VOC", "the KITTI one")."""
    text = re.sub(r"^(?:the|a|an)\s+", "", phrase.strip(" .,?!'\"\u201c\u201d"), flags=re.I)
    text = re.sub(r"\s+(?:dataset|data set|one|data|benchmark)$", "", text, flags=re.I).strip()
    if len(text) < 3:
        return None
    rows = list(Dataset.objects.active().filter(title__iexact=text).values_list("id", "title")[:5])
    if not rows:
        return None
    return Target("dataset", tuple(str(i) for i, _t in rows), rows[0][1])


def display(phrase: str) -> str:
    """An unknown target as the user wrote it, without "the ... ones" around it."""
    return _light(phrase) or clean(phrase)


def suggestions_for(phrase: str, *, shown: list[Shown], limit: int = 3) -> list[str]:
    """Close names for an unknown target: publishers and sources first, then the titles on screen."""
    text = _light(phrase) or clean(phrase)
    if not text:
        return []
    vocab = VOCABULARY.ensure()
    names = [*vocab.publisher_names, *{label for _slug, label in vocab.sources.values()}]
    # A name sharing a distinctive word comes first: "Ministry of Tourism" -> "Singapore Tourism Board",
    # before names that only share "Ministry of".
    distinctive = {_singular(w) for w in clean(text).split()} - _ORG_WORDS
    sharing = [n for n in names if distinctive & {_singular(w) for w in re.findall(r"[\w*-]+", fold(n))}]
    found = process.extract(text, names, scorer=fuzz.token_set_ratio, processor=fold, limit=limit, score_cutoff=50)
    ranked = sorted(sharing, key=lambda n: -fuzz.token_set_ratio(text, n, processor=fold))
    out = list(dict.fromkeys([*ranked, *(name for name, _score, _ in found)]))[:limit]
    if len(out) < limit:
        titles = process.extract(
            text, [s.title for s in shown], scorer=fuzz.WRatio, processor=fold, limit=limit, score_cutoff=70
        )
        out += [t for t, _score, _ in titles if t not in out]
    return out[:limit]


def dataset_frequency(*, update_frequency: str, title: str) -> set[str]:
    """The frequencies a dataset is published at, from its metadata and its title."""
    out = set()
    meta = fold(update_frequency)
    for name, spec in FREQUENCIES.items():
        if meta and meta in spec["metadata"]:
            out.add(name)
    folded_title = fold(title)
    for name, pattern in _frequency_title_patterns().items():
        if pattern.search(folded_title):
            out.add(name)
    return out


@cache
def _frequency_title_patterns() -> dict[str, re.Pattern[str]]:
    """One pattern per frequency for its title words as whole words (a filter checks thousands of titles)."""
    return {
        name: re.compile(
            r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?![\w-])"
        )
        for name, words in FREQUENCY_TITLE_WORDS.items()
        if words
    }
