"""Short human reasons for a hit ("title matches 'HDB'", "published by ...")."""

from __future__ import annotations

import re

from search.ranking.columns import column_reason, matched_columns
from search.ranking.documents import DocFields, doc_names
from search.ranking.intent import QueryIntent, publisher_matches, query_intent
from search.ranking.popularity import POPULARITY_EXPLAINED
from search.text import STOPWORDS, normalize, stem, tokenize


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
    columns: list[str] | None = None,
) -> list[str]:
    """Short human reasons for a hit, most telling first. ``columns``: the dataset's column names (else
    ``doc.column_names``); a column the query names comes first ("has columns 'town', 'resale_price'")."""
    intent = intent or query_intent(query)
    reasons: list[str] = []
    named = matched_columns(query, list(columns if columns is not None else doc.column_names))
    if named:
        reasons.append(column_reason(named))
    title_words = _matched_words(query, " ".join(doc_names(doc)))
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
