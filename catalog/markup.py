"""Catalog descriptions (often Markdown, always untrusted) as sanitised HTML.

Markdown is rendered by markdown-it-py with raw HTML off, then cleaned by nh3 against an allow-list:
no scripts, no event handlers, no styles, and links only to http(s) URLs, all marked
``rel="nofollow noopener noreferrer"``.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "hr", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https"}
LINK_REL = "nofollow noopener noreferrer"
_HEADING = re.compile(r"<(/?)h[12]>")  # the page owns h1/h2: a description's headings start at h3

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def markdown_html(text: str) -> str:
    """Sanitised HTML for a Markdown description; safe to mark safe in a template."""
    if not (text or "").strip():
        return ""
    rendered = _HEADING.sub(r"<\1h3>", _md.render(text))
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
