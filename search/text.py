"""Text helpers shared by the lexical index and the ranking functions (pure, no Django).

The tokenizer keeps dataset names such as "CIFAR-10", "COVID-19" or "PM2.5" matchable however a
user spells them: a compound token is indexed whole ("cifar-10"), joined ("cifar10") and as its
parts ("cifar", "10"). Words are lower-cased, English stop words dropped and a light, conservative
suffix stemmer maps plurals and common inflections together ("prices" -> "price").
"""

from __future__ import annotations

import re
import unicodedata

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "i'm",
        "if",
        "in",
        "into",
        "is",
        "it",
        "it's",
        "its",
        "itself",
        "just",
        "let",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "ought",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "via",
        "per",
        "etc",
        "e.g",
        "i.e",
        "us",
        "may",
        "might",
        "must",
        "shall",
    ]
)

# Words that say nothing about which dataset a person wants ("I want a dataset about ...").
QUERY_BOILERPLATE = frozenset(
    [
        "want",
        "wants",
        "wanted",
        "need",
        "needs",
        "needed",
        "like",
        "would",
        "build",
        "building",
        "built",
        "design",
        "designing",
        "designed",
        "develop",
        "developing",
        "developed",
        "propose",
        "proposed",
        "proposing",
        "present",
        "presents",
        "presenting",
        "introduce",
        "introducing",
        "create",
        "creating",
        "make",
        "making",
        "use",
        "using",
        "used",
        "study",
        "studying",
        "studies",
        "investigate",
        "investigating",
        "explore",
        "exploring",
        "looking",
        "look",
        "find",
        "finding",
        "search",
        "searching",
        "dataset",
        "datasets",
        "data",
        "show",
        "give",
        "get",
        "help",
        "interested",
        "research",
        "researching",
        "work",
        "working",
        "paper",
        "approach",
        "method",
        "methods",
        "novel",
        "new",
        "system",
        "systems",
        "framework",
        "problem",
        "problems",
        "goal",
        "aim",
        "able",
        "way",
        "ways",
        "idea",
        "ideas",
        "project",
        "information",
        "info",
    ]
)

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:[-.+_/'][a-z0-9]+)*")
_SPLIT_RE = re.compile(r"[-.+_/']")


def normalize(text: str) -> str:
    """NFKC-normalise, lower-case and fold accents away (``"Café" -> "cafe"``)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", text).lower()


def fold(text: str) -> str:
    """Text folded for matching: NFKD, combining marks dropped, NFKC, lower-case (``"Café" -> "cafe"``)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", text).lower()


def stem(word: str) -> str:
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
