"""reverse() for pages of many links, at the cost of one reverse() per URL pattern.

reverse() matches the pattern again on every call (some 20-70 µs); a matrix page or a page of
the cells API makes a hundred or more links. `link()` reverses each pattern once per process
with numbered placeholders, keeps the pieces around them, and thereafter joins those pieces
with the quoted values, exactly as reverse() would have built the URL.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from core import registry

# reverse() quotes a path with these characters left as they are (django.urls.resolvers).
_SAFE = "!$&'()*+,;=/~:@"
# A value made only of characters quote() leaves as they are (any slug): no need to quote.
_PLAIN = re.compile(r"[A-Za-z0-9_.\-~!$&'()*+,;=:@]+")
# Placeholders are digits, which every converter in use accepts (int, slug, str, [0-9]+).
_FIRST_MARK = 9_073_000_000


@lru_cache(maxsize=512)
def _pieces(
    urlconf: str, prefix: str, viewname: str, names: tuple[str, ...] | int
) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """The URL split at its placeholders, and which value goes in each gap; None when the
    placeholders do not come back exactly once each (then every call reverses)."""
    count = names if isinstance(names, int) else len(names)
    marks = [str(_FIRST_MARK + index) for index in range(count)]
    if isinstance(names, int):
        path = reverse(viewname, urlconf=urlconf, args=marks)
    else:
        path = reverse(viewname, urlconf=urlconf, kwargs=dict(zip(names, marks, strict=True)))
    if any(path.count(mark) != 1 for mark in marks):
        return None
    order = sorted(range(count), key=lambda index: path.find(marks[index]))
    pieces = []
    for index in order:
        before, path = path.split(marks[index])
        pieces.append(before)
    pieces.append(path)
    return tuple(pieces), tuple(order)


# The tag of the release the page being made shows (`core.at_release.at_release`), if any.
_release_tag: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "atlas_link_release", default=None
)


@contextmanager
def keeping_release(tag: str | None) -> Iterator[None]:
    """Within this block, links to the views that take `?release=` carry `release=tag`."""
    token = _release_tag.set(tag)
    try:
        yield
    finally:
        _release_tag.reset(token)


def link(viewname: str, *args: object, **kwargs: object) -> str:
    """`reverse(viewname, args=args, kwargs=kwargs)`, without matching the pattern each time.

    A value that is empty or holds a "/" goes to reverse() itself, which refuses it as it
    always did; any other value is quoted into its place as reverse() quotes it. On a page
    shown at a release, a link to a view that takes `?release=` keeps it.
    """
    url = _link(viewname, *args, **kwargs)
    tag = _release_tag.get()
    if tag is not None and viewname in registry.release_views():
        return f"{url}?release={quote(tag, safe='')}"
    return url


def _link(viewname: str, *args: object, **kwargs: object) -> str:
    values = [str(value) for value in args] if args else [str(v) for v in kwargs.values()]
    if (args and kwargs) or any(not value or "/" in value for value in values):
        return reverse(viewname, args=args or None, kwargs=kwargs or None)
    names = len(args) if args else tuple(kwargs)
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    split = _pieces(urlconf, get_script_prefix(), viewname, names)
    if split is None:
        return reverse(viewname, args=args or None, kwargs=kwargs or None)
    pieces, order = split
    out = [pieces[0]]
    for index, piece in zip(order, pieces[1:], strict=True):
        value = values[index]
        out.append(value if _PLAIN.fullmatch(value) else quote(value, safe=_SAFE))
        out.append(piece)
    return "".join(out)


def linker(viewname: str, *names: str):
    """`link(viewname, **values)` for a page that makes the same kind of link many times
    (every cell of a grid): the URL conf and script prefix are read once, here, and each
    call only joins the pieces with the values, as `link()` does. Values are given by
    keyword, `names` being the pattern's."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    split = _pieces(urlconf, get_script_prefix(), viewname, names)
    # A page shown at a release keeps it in the links to the views that take it, as link().
    tag = _release_tag.get()
    suffix = (
        f"?release={quote(tag, safe='')}"
        if tag is not None and viewname in registry.release_views()
        else ""
    )

    def make(**values: str) -> str:
        if split is None or any(not value or "/" in value for value in values.values()):
            return link(viewname, **values)
        pieces, order = split
        out = [pieces[0]]
        for index, piece in zip(order, pieces[1:], strict=True):
            value = str(values[names[index]])
            out.append(value if _PLAIN.fullmatch(value) else quote(value, safe=_SAFE))
            out.append(piece)
        return "".join(out) + suffix

    return make
