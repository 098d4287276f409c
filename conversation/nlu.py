"""Text normalisation for the router and the refinement parser: casing, punctuation, contractions,
chat abbreviations and a small edit-distance typo corrector (pure functions, no Django).

The corrector's vocabulary is read once from data: the catalog's words (``data/vocabulary.txt``), the
conversation's tables (``conversation.lexicon``), the agency table (``catalog.vocabulary``) and the
words of the rules' regexes, which the rule modules register when they are imported.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from catalog.vocabulary import agency_aliases
from conversation import lexicon
from search.text import fold

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[.'*#\-][a-z0-9]+)*|#|\+|-|\*|/|=")


# Typographic apostrophes made plain, so "don\u2019t" expands like "don't".
_PLAIN_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def _fold(text: str) -> str:
    """``search.text.fold`` (accents, casing, compatibility forms) with plain apostrophes."""
    return fold(text).translate(_PLAIN_QUOTES)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; keeps "data.gov.sg", "covid-19", "#2", "a*star" together."""
    return _TOKEN_RE.findall(_fold(text))


def _damerau(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, giving up (returning limit+1) past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
            best = min(best, cur[j])
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[len(b)]


_EXTRA_VOCAB: set[str] = set()


def register_vocabulary(words) -> None:
    """Add words the corrector may correct *to* (and never corrects away)."""
    for w in words:
        for t in tokenize(w):
            if t.isalpha():
                _EXTRA_VOCAB.add(t)
    _vocab.cache_clear()
    _delete_index.cache_clear()
    correct_token.cache_clear()


def register_pattern_words(patterns) -> None:
    """Register the words of rule regexes: a word a rule looks for must never be "corrected" away."""
    register_vocabulary(
        word
        for pattern in patterns
        for word in re.findall(r"[a-z]{3,}", re.sub(r"\\[a-zA-Z]", " ", pattern.pattern))  # "\\bhack" is "hack"
    )


VOCABULARY_FILE = lexicon.DATA_DIR / "vocabulary.txt"


def _catalog_words() -> set[str]:
    try:
        return set(lexicon.lines(VOCABULARY_FILE.name))
    except OSError:
        return set()


def build_vocabulary(shared_dir: str) -> list[str]:
    """Words of the shared catalog text (>= 2 occurrences), rare near-duplicates of common words
    (likely misspellings) dropped. ``python -m conversation.nlu SHARED_DIR`` rewrites data/vocabulary.txt."""
    counts: Counter = Counter()

    def add(text) -> None:
        counts.update(w for w in re.findall(r"[a-z]+", (text or "").lower()) if 3 <= len(w) <= 20)

    root = Path(shared_dir)
    for name in ("datasets.json", "collections.json"):
        for rec in json.loads((root / "data" / "datagovsg" / name).read_text(encoding="utf-8")):
            add(rec.get("name"))
            add(rec.get("description"))
            add(rec.get("managedByAgencyName"))
    for path in sorted((root / "data" / "seed_catalog").glob("*.csv")):
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                add(row.get("title"))
                add(row.get("description"))
                add(row.get("tags"))
    with (root / "benchmarks" / "datafinder" / "corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            add(rec.get("name"))
            add(rec.get("description"))
    words = {w: n for w, n in counts.items() if n >= 2}
    by_delete: dict[str, set[str]] = defaultdict(set)
    for w in words:
        for key in {w} | {w[:i] + w[i + 1 :] for i in range(len(w))}:
            by_delete[key].add(w)

    def neighbours(w: str) -> set[str]:
        out: set[str] = set()
        for key in {w} | {w[:i] + w[i + 1 :] for i in range(len(w))}:
            out |= by_delete.get(key, set())
        return out - {w}

    return sorted(w for w, n in words.items() if n > 5 or not any(words[v] >= 50 * n for v in neighbours(w)))


@lru_cache(maxsize=1)
def _vocab() -> frozenset[str]:
    words: set[str] = set(_EXTRA_VOCAB) | _catalog_words()
    sources = [
        lexicon.EXTRA_VOCAB,
        lexicon.COMMON_WORDS,
        lexicon.SMALLTALK_PHRASES,
        list(agency_aliases()),
        list(agency_aliases().values()),
        list(lexicon.SOURCE_ALIASES),
        list(lexicon.FORMAT_ALIASES),
        list(lexicon.GEOGRAPHY_ALIASES),
        list(lexicon.RELATED_TOPICS),
        list(lexicon.RELATED_TOPICS.values()),
        list(lexicon.ABBREVIATIONS.values()),
        list(lexicon.VOCATIVES),
        list(lexicon.CATALOG_TOPICS),
        list(lexicon.LEAD_FILLERS),
        list(lexicon.TRAIL_FILLERS),
        [" ".join(phrase) for phrase in lexicon.WEAK_LEADS],
        list(lexicon.CAPABILITY_NONTOPIC),
        list(lexicon.FILLER_WORDS),
        list(lexicon.ORDINAL_WORDS),
        list(lexicon.CARDINAL_WORDS),
        list(lexicon.FILTER_WORDS),
        list(lexicon.FILTER_WORDS.values()),
        *lexicon.PROTOTYPES.values(),
    ]
    for group in sources:
        for phrase in group:
            for t in tokenize(phrase):
                if t.isalpha():
                    words.add(t)
    return frozenset(words)


def _four_letter_ok(token: str, word: str) -> bool:
    """Four-letter words are only corrected by a swap or a missing letter ("olny", "helo", "wrte"),
    never by a substitution ("life" must not become "like", nor "date" "data")."""
    if len(word) == len(token):
        return sorted(word) == sorted(token)
    if len(word) == len(token) + 1:
        return any(word[:i] + word[i + 1 :] == token for i in range(len(word)))
    return False


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@lru_cache(maxsize=1)
def _delete_index() -> dict[str, tuple[str, ...]]:
    """Symmetric-delete index: a word and each of its one-letter deletions -> vocabulary words."""
    index: dict[str, set[str]] = {}
    for word in _vocab():
        if len(word) >= 4:
            for key in {word} | _deletes(word):
                index.setdefault(key, set()).add(word)
    return {k: tuple(v) for k, v in index.items()}


@lru_cache(maxsize=4096)
def correct_token(token: str) -> str:
    """Map a misspelt word onto the vocabulary (one edit for short words, two for long ones)."""
    if token in lexicon.ABBREVIATIONS:
        return lexicon.ABBREVIATIONS[token]
    vocab = _vocab()
    if not token.isalpha() or len(token) < 4 or token in vocab:
        return token
    if token.endswith("s") and token[:-1] in vocab:
        return token
    limit = 1 if len(token) < 8 else 2
    keys = {token} | _deletes(token)
    if limit == 2:
        keys |= {k2 for k in list(keys) for k2 in _deletes(k)}
    index = _delete_index()
    candidates = {w for k in keys for w in index.get(k, ())}
    best: tuple[int, int, str] | None = None
    for word in candidates:
        if abs(len(word) - len(token)) > limit:
            continue
        if len(token) == 4 and not _four_letter_ok(token, word):
            continue
        d = _damerau(token, word, limit)
        if d <= limit:
            key = (d, 0 if word[0] == token[0] else 1, word)
            if best is None or key < best:
                best = key
    return best[2] if best else token


def normalise(text: str, *, correct: bool = True) -> str:
    """Lower-cased, contractions expanded, abbreviations and (optionally) typos fixed, tokens joined by spaces."""
    text = re.sub(r"([a-z])\1{2,}", r"\1", _fold(text))  # "heyyy" -> "hey", "sooo" -> "so"
    for short, long in lexicon.CONTRACTIONS.items():
        if "'" in short:
            text = text.replace(short, long)
    out: list[str] = []
    for tok in tokenize(text):
        tok = lexicon.CONTRACTIONS.get(tok, tok)
        if correct:
            tok = correct_token(tok) if " " not in tok else tok
        elif tok in lexicon.ABBREVIATIONS:
            tok = lexicon.ABBREVIATIONS[tok]
        out.append(tok)
    return " ".join(out)


if __name__ == "__main__":  # python -m conversation.nlu ../shared
    vocabulary = build_vocabulary(sys.argv[1] if len(sys.argv) > 1 else "../shared")
    header = (
        "# Words of the catalog (data.gov.sg, seed CSVs, Papers with Code; >= 2 occurrences, rare near-duplicates of\n"
        "# common words dropped): the typo corrector never 'corrects' these. python -m conversation.nlu ../shared\n"
    )
    VOCABULARY_FILE.write_text(header + "\n".join(vocabulary) + "\n", encoding="utf-8")
    print(f"{len(vocabulary)} words -> {VOCABULARY_FILE}")
