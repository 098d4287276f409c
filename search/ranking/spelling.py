"""Misspelt query words: a word no record has, read as well as the catalog's closest name word.

"electricty tarrifs singapore" finds nothing on the lexical side and little on the embedding's (the model has not
seen "tarrifs"). A query word of five letters or more that no field of any record holds is compared with the words of
the catalog's names (titles and alternate names): the closest within one edit (two from seven letters on; a swap of
two letters is one edit), among equals the one sharing the longest beginning, then the one most records use, is added to
the query. The user's word stays: a name the catalog does not hold yet ("Waymo") costs nothing, and the embedding still
reads it.
"""

from __future__ import annotations

import re
from os.path import commonprefix

from rapidfuzz import process
from rapidfuzz.distance import OSA

from search.text import STOPWORDS, normalize, stem

NAME_FIELD = "names"  # the lexical field of titles and alternate names (search.lexical.FIELD_WEIGHTS)
MIN_LENGTH = 5  # shorter words are too often codes or acronyms ("ERP", "COE")
_WORD_RE = re.compile(r"[a-z]+")


def max_edits(word: str) -> int:
    return 1 if len(word) < 7 else 2


def _base(lexical):
    """The full-build index of a lexical scorer (a delta stack keeps it as ``base``)."""
    return getattr(lexical, "base", lexical)


def _known(index, token: str) -> bool:
    return any(index.document_frequency(name, token) for name in index.fields)


def corrections(query: str, lexical) -> dict[str, str]:
    """Misspelt word of ``query`` -> the catalog's name word it most likely means (stemmed as the index holds it)."""
    index = _base(lexical)
    if not hasattr(index, "vocabulary"):
        return {}
    out: dict[str, str] = {}
    for word in dict.fromkeys(_WORD_RE.findall(normalize(query or ""))):
        token = stem(word)
        if len(word) < MIN_LENGTH or word in STOPWORDS or _known(index, token):
            continue
        words, counts = index.vocabulary(NAME_FIELD)
        if not words:
            return out
        found = process.extract(token, words, scorer=OSA.distance, score_cutoff=max_edits(word), limit=50)
        found = [hit for hit in found if hit[0].isalpha() and len(hit[0]) >= MIN_LENGTH - 1]  # words, not codes
        if not found:
            found = _stem_matches(word, words)
        if not found:
            continue
        # the fewest edits, then the longest shared beginning (a slip is rarely in the first letters), then the commonest
        best = min(found, key=lambda hit: (hit[1], -len(commonprefix((token, hit[0]))), -counts[hit[2]], hit[0]))
        if best[0] != token:
            out[word] = best[0]
    return out


def _stem_matches(word: str, words: list[str]) -> list[tuple[str, int, int]]:
    """Stems within reach of the word's beginning of their length, as ``process.extract`` gives hits (stem,
    edits, position). A stem drops a word's ending ("electricity" -> "electr") and a slip there changes the
    misspelt word's stem ("electricty" -> "electricti"), so the whole stems are too far apart to compare."""
    out = []
    for length in range(max(MIN_LENGTH, len(word) - 4), len(word)):  # a stem 1-4 letters shorter than the word
        head = word[:length]
        for stem_, edits, k in process.extract(head, words, scorer=OSA.distance, score_cutoff=max_edits(head), limit=None):
            if len(stem_) == length and stem_[:2] == word[:2] and stem_.isalpha():
                out.append((stem_, int(edits), k))
    return out


def spelled(query: str, lexical) -> str:
    """``query`` with the catalog's words for its misspelt ones added ("electricty tarrifs" + "electricity tariff")."""
    fixed = corrections(query, lexical)
    return f"{query} {' '.join(fixed.values())}" if fixed else query
