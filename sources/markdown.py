"""Markdown to safe HTML, rendered once when text is written (never per request)."""

from __future__ import annotations

import re

import markdown as markdown_lib
import nh3

# The source copies lost their link targets: `[words](#)` is shown as the words alone.
DEAD_LINK = re.compile(r"\[([^\]]+)\]\(#\)")
# `**words**`: bold in the source, shown without the markers where text is shown plain.
EMPHASIS = re.compile(r"\*\*([^*]+)\*\*")

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str, *, inline: bool = False) -> str:
    """Render Markdown and sanitise it: no script, no event handler, no javascript: or data: URL.

    `inline` drops the enclosing paragraph, for text shown inside another block.
    """
    html = markdown_lib.markdown(DEAD_LINK.sub(r"\1", text), extensions=["tables", "sane_lists"])
    safe = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    if inline and safe.startswith("<p>") and safe.endswith("</p>") and safe.count("<p>") == 1:
        safe = safe[3:-4]
    return safe


# What a passage's inline HTML may hold (`sources.passage_rendering`): phrasing tags, and links with
# the attributes footnote links need.
INLINE_TAGS = {"a", "abbr", "b", "br", "code", "em", "i", "strong", "sub", "sup"}
INLINE_ATTRIBUTES = {
    "a": {"href", "title", "id", "class", "aria-label", "rel"},
    "abbr": {"title"},
}


def sanitise_inline(html: str) -> str:
    """Inline HTML (a passage's, or a table cell's) with nothing but INLINE_TAGS: no
    script, no event handler, no javascript: or data: URL. Text is left as it is."""
    return nh3.clean(
        html,
        tags=INLINE_TAGS,
        attributes=INLINE_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
    )


def plain(text: str) -> str:
    """Source text as plain display text: dead links and `**` markers removed.

    Only the display is cleaned; quotes and citations keep the verbatim text.
    """
    return EMPHASIS.sub(r"\1", DEAD_LINK.sub(r"\1", text or ""))
