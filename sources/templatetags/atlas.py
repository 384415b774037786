"""Template helpers for showing source text."""

from __future__ import annotations

import re

from django import template

register = template.Library()

_DEAD_LINK = re.compile(r"\[([^\]]+)\]\(#\)")
_EMPHASIS = re.compile(r"\*\*([^*]+)\*\*")


@register.filter
def plain(text: str) -> str:
    """Source text for display: link targets lost in the copy (`[x](#)`) and `**` markers removed.

    Only the display is cleaned; quotes and citations keep the verbatim text.
    """
    return _EMPHASIS.sub(r"\1", _DEAD_LINK.sub(r"\1", text or ""))
