"""Text helpers shared by the lexical index and the ranking functions (pure, no Django).

The tokenizer keeps dataset names such as "CIFAR-10", "COVID-19" or "PM2.5" matchable however a
user spells them: a compound token is indexed whole ("cifar-10"), joined ("cifar10") and as its
parts ("cifar", "10"). Words are lower-cased, English stop words dropped and the Snowball English
stemmer (PyStemmer) maps a word's forms together: "prices" -> "price", and "enrolled" / "enrolment",
"exported" / "exports", "crashes" / "crash" meet, which the light suffix stemmer this replaced missed
(judged data.gov.sg sets 0.771 / 0.785 / 0.729 -> 0.775 / 0.789 / 0.736 NDCG@10, DataFinder
full-sentence 0.401 -> 0.406). ``plural_stem`` keeps that light stemmer for the one place that must not
conflate verb forms with nouns (everyday phrases in ``search.ranking.synonyms``: "parking" is not "park").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import Stemmer

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def word_list(name: str) -> frozenset[str]:
    """The words or phrases of ``search/data/<name>.txt``: one a line, ``#`` starts a comment line."""
    lines = (DATA_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


STOPWORDS = word_list("stopwords")
# Words that say nothing about which dataset a person wants ("I want a dataset about ...").
QUERY_BOILERPLATE = word_list("query_boilerplate")

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-.+_/'][a-z0-9]+)*")
_SPLIT_RE = re.compile(r"[-.+_/']")


def fold(text: str) -> str:
    """Accents folded away, NFKC-normalised and lower-cased (``"Café" -> "cafe"``): the one text folding
    of search and the conversation."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", text).lower()


def normalize(text: str) -> str:
    """The form words are compared in (``fold``)."""
    return fold(text)


_SNOWBALL = Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """The Snowball English stem of a word; numbers, codes and short words stay as they are."""
    if len(word) <= 3 or not word.isalpha():
        return word
    return _SNOWBALL.stemWord(word)


def plural_stem(word: str) -> str:
    """A light suffix stemmer: plurals and a few inflections; numbers and short words stay as they are."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl, min_len in (
        ("ies", "y", 5),
        ("sses", "ss", 5),
        ("ss", "ss", 3),
        ("us", "us", 3),
        ("is", "is", 3),
        ("s", "", 4),
    ):
        if word.endswith(suffix):
            if len(word) >= min_len:
                word = word[: len(word) - len(suffix)] + repl
            break
    for suffix, min_stem in (("ing", 4), ("ed", 4), ("ation", 4), ("ational", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= min_stem:
            return word[: len(word) - len(suffix)]
    return word


def tokenize(text: str, *, stopwords: frozenset[str] = STOPWORDS, expand: bool = True) -> list[str]:
    """Tokens for BM25. With ``expand`` a compound ("pm2.5") also yields its joined and split forms."""
    out: list[str] = []
    for raw in _TOKEN_RE.findall(normalize(text)):
        raw = raw.strip("'")
        if not raw:
            continue
        parts = [p for p in _SPLIT_RE.split(raw) if p]
        if len(parts) > 1:
            if raw.endswith("'s") or "'" in raw:
                parts = [p for p in parts if p != "s"]
                if len(parts) == 1:
                    _add_word(out, parts[0], stopwords)
                    continue
            out.append(raw)
            if expand:
                out.append("".join(parts))
                for p in parts:
                    _add_word(out, p, stopwords)
        else:
            _add_word(out, raw, stopwords)
    return out


def _add_word(out: list[str], word: str, stopwords: frozenset[str]) -> None:
    if word in stopwords or (len(word) == 1 and not word.isdigit()):
        return
    out.append(stem(word))


def content_words(text: str) -> list[str]:
    """Distinct stemmed words of a query that carry meaning (no stop words or request boilerplate)."""
    seen: dict[str, None] = {}
    for tok in tokenize(text, stopwords=STOPWORDS | QUERY_BOILERPLATE, expand=False):
        seen.setdefault(tok, None)
    return list(seen)
