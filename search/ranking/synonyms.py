"""Everyday words for the catalog's own terms: "second-hand flats" is "resale flat", "layoffs" is "retrenchment".

People search in their words; titles use an agency's. ``search/data/synonyms.tsv`` maps one to the other
(``everyday phrase<TAB>catalog term``, written from the catalog's vocabulary, every right side a term the
catalog uses). ``catalog_terms`` finds the everyday phrases of a query (longest first, as whole words; a
singular also matches its plural, a plural only itself) and returns the catalog terms the query does not
already say; ``expand_query`` appends them, so both BM25 and the embedding see the catalog's wording beside
the user's.
"""

from __future__ import annotations

import re
from functools import cache

from search.text import DATA_DIR, normalize

_WORD_RE = re.compile(r"[a-z0-9]+")
_MAX_WORDS = 4


def _words(text: str) -> tuple[str, ...]:
    """Words as typed: no stemming ("parking" is not "park", "trains" not "train a model")."""
    return tuple(_WORD_RE.findall(normalize(text)))


def _plural(words: tuple[str, ...]) -> tuple[str, ...]:
    """The phrase with its last word in the plural ("layoff" -> "layoffs", "facility" -> "facilities")."""
    last = words[-1]
    if not last.isalpha() or len(last) < 3 or last.endswith("s"):
        return words
    if last.endswith("y") and last[-2] not in "aeiou":
        return (*words[:-1], last[:-1] + "ies")
    return (*words[:-1], last + ("es" if last.endswith(("ch", "sh", "x", "z")) else "s"))


@cache
def synonym_table() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Everyday phrase (as written, and a singular's plural) -> the catalog terms it stands for."""
    table: dict[tuple[str, ...], list[str]] = {}
    for line in (DATA_DIR / "synonyms.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#") or "\t" not in line:
            continue
        left, right = (part.strip() for part in line.split("\t", 1))
        key = _words(left)
        if key and right and len(key) <= _MAX_WORDS:
            table.setdefault(key, []).append(right)
            if _plural(key) != key:  # a singular also stands for its plural; a plural only for itself ("trains")
                table.setdefault(_plural(key), []).append(right)
    return {key: tuple(dict.fromkeys(terms)) for key, terms in table.items()}


def catalog_terms(query: str) -> list[str]:
    """The catalog terms for the everyday phrases of ``query`` that it does not already contain."""
    table = synonym_table()
    words = _words(query)
    found: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(_MAX_WORDS, len(words) - i), 0, -1):
            terms = table.get(words[i : i + n])
            if terms:
                found.extend(terms)
                i += n
                break
        else:
            i += 1
    present = set(words)
    return [t for t in dict.fromkeys(found) if not set(_words(t)) <= present]


def expand_query(query: str) -> str:
    """``query`` with the catalog terms of its everyday phrases appended: "power bill (electricity tariffs)"."""
    terms = catalog_terms(query)
    return f"{query} ({'; '.join(terms)})" if terms else query
