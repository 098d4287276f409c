"""Text normalisation for the router and the refinement parser: casing, punctuation, contractions,
chat abbreviations and a small edit-distance typo corrector (pure functions, no Django).

The corrector's vocabulary is read once from data: the catalog's words (``data/vocabulary.txt``), the
conversation's tables (``conversation.lexicon``), the agency table (``catalog.vocabulary``) and the
words of the rules' regexes, which the rule modules register when they are imported.
"""

from __future__ import annotations

import ast
import csv
import inspect
import json
import re
import sys
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

from spellchecker import SpellChecker

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
# The follow-up parser's own words (``register_module_words``): only its corrector (``correct_words``) knows them, so
# the router's normalisation, which its learned arbiter was trained on, stays as it was.
_PARSER_VOCAB: set[str] = set()


def register_vocabulary(words) -> None:
    """Add words the corrector may correct *to* (and never corrects away)."""
    for w in words:
        for t in tokenize(w):
            if t.isalpha():
                _EXTRA_VOCAB.add(t)
    _clear_caches()


def _clear_caches() -> None:
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


def register_module_words(*modules) -> None:
    """Register the words of every string in these modules' code (their regexes, inline ones included, and the
    replacements they write), docstrings aside: a word a parser looks for must never be "corrected" away."""
    words: list[str] = []
    for module in modules:
        try:
            tree = ast.parse(inspect.getsource(module))
        except (OSError, TypeError):  # no source shipped (bytecode only): the corrector still never leaves English
            continue
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                words += re.findall(r"[a-z]{3,}", re.sub(r"\\[a-zA-Z]", " ", node.value))
    _PARSER_VOCAB.update(words)
    _clear_caches()


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


@lru_cache(maxsize=2)
def _vocab(parser: bool = False) -> frozenset[str]:
    words = set(_EXTRA_VOCAB) | _catalog_words() | _table_words()
    return frozenset(words | _PARSER_VOCAB if parser else words)


@lru_cache(maxsize=1)
def _table_words() -> frozenset[str]:
    """The words of the conversation's tables (conversation.lexicon) and the agency table."""
    words: set[str] = set()
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


@lru_cache(maxsize=2)
def _delete_index(parser: bool = False) -> dict[str, tuple[str, ...]]:
    """Symmetric-delete index: a word and each of its one-letter deletions -> vocabulary words."""
    index: dict[str, set[str]] = {}
    for word in _vocab(parser):
        if len(word) >= 4:
            for key in {word} | _deletes(word):
                index.setdefault(key, set()).add(word)
    return {k: tuple(v) for k, v in index.items()}


@lru_cache(maxsize=8192)
def correct_token(token: str, parser: bool = False) -> str:
    """Map a misspelt word onto the vocabulary (one edit for short words, two for long ones). ``parser``: the
    follow-up parser's corrector, which also knows the parser's own words, reads a misspelt plural by its singular
    ("layres" -> "layers") and breaks ties towards a letter left out ("monthy" -> "monthly")."""
    if token in lexicon.ABBREVIATIONS:
        return lexicon.ABBREVIATIONS[token]
    vocab = _vocab(parser)
    if not token.isalpha() or len(token) < 4 or token in vocab:
        return token
    if token.endswith("s") and token[:-1] in vocab:
        return token
    if parser and token.endswith("s") and len(token) > 4:
        single = correct_token(token[:-1], parser)
        if single != token[:-1] and single + "s" in english_words():
            return single + "s"  # "layres" is "layers" when "layre" is "layer"
    limit = 1 if len(token) < 8 else 2
    keys = {token} | _deletes(token)
    if limit == 2:
        keys |= {k2 for k in list(keys) for k2 in _deletes(k)}
    index = _delete_index(parser)
    candidates = {w for k in keys for w in index.get(k, ())}
    best: tuple[int, int, int, str] | None = None
    for word in candidates:
        if abs(len(word) - len(token)) > limit:
            continue
        if len(token) == 4 and not _four_letter_ok(token, word):
            continue
        d = _damerau(token, word, limit)
        if d <= limit:
            # Ties: the same first letter, then a letter left out over one typed too many ("monthy" is "monthly")
            key = (d, 0 if word[0] == token[0] else 1, 0 if len(word) >= len(token) or not parser else 1, word)
            if best is None or key < best:
                best = key
    return best[-1] if best else token


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """English words (pyspellchecker's frequency list, 160k words): real words that are never "corrected", even
    when the catalog and the conversation's tables lack them ("fisheries", "ships")."""
    return frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary)


_BARE_CONTRACTION = re.compile(r"^(?:are|is|was|were|do|does|did|ca|wo|should|would|could|have|has|had|must|need)nt$")
_WORD_RE = re.compile(r"(?<![\w'])[a-z]{4,}(?![\w'])")


def correct_words(text: str) -> tuple[str, dict[str, str]]:
    """``text`` (folded) with each misspelt word of four letters or more replaced by its correction, everything
    else kept as it is: punctuation, numbers, names the vocabulary knows and chat abbreviations ("monthyl only"
    -> "monthly only", "the Departmnet of Statistcs" -> "the department of statistics"). A word English knows is
    left alone, as is a word the vocabulary knows. Also returns each correction with the word as typed."""
    corrections: dict[str, str] = {}

    def fix(match: re.Match) -> str:
        word = match.group()
        if word in lexicon.ABBREVIATIONS or word in english_words() or _BARE_CONTRACTION.match(word):
            return word  # "tbh", a real word, "arent" (the parser expands it)
        fixed = correct_token(word, True)
        if fixed != word:
            corrections[fixed] = word
        return fixed

    return _WORD_RE.sub(fix, text), corrections


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
