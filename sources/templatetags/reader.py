"""Template helpers of the reader: a passage's text with a cited quote marked."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sources.markdown import DEAD_LINK, EMPHASIS

register = template.Library()

# The same display cleaning as `sources.markdown.plain`, expressed as offsets to hide, so a
# quote can be marked at its offsets in the verbatim text.


def _hidden(text: str) -> set[int]:
    hidden: set[int] = set()
    for match in DEAD_LINK.finditer(text):
        hidden.add(match.start())
        hidden.update(range(match.end(1), match.end()))
    for match in EMPHASIS.finditer(text):
        hidden.update((match.start(), match.start() + 1, match.end() - 2, match.end() - 1))
    return hidden


def marked_text(text: str, start: int | None = None, end: int | None = None) -> SafeString:
    """The passage text, cleaned for display as `plain` does, with text[start:end] in <mark>.

    The offsets are those of the verbatim text (a citation's `start`/`end`), so the mark
    lands exactly on the quote even where display cleaning removes characters around it.
    """
    text = text or ""
    hidden = _hidden(text)
    out: list[str] = []
    for index, char in enumerate(text):
        if index == start:
            out.append('<mark class="quote">')
        if index == end:
            out.append("</mark>")
        if index in hidden:
            continue
        out.append("<br>\n" if char == "\n" else escape(char))
    if start is not None and end is not None and end >= len(text) and start < len(text):
        out.append("</mark>")
    return mark_safe("".join(out))  # every character above is escaped


@register.simple_tag
def passage_marked(passage, citation=None) -> SafeString:
    """A passage's text with `citation`'s quote marked, if it is valid and in this passage."""
    if citation and citation.passage_id == passage.pk and citation.valid:
        return marked_text(passage.text, citation.start, citation.end)
    return marked_text(passage.text)
