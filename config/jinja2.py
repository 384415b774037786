"""The Jinja2 environment of the pages' hottest parts (the matrix), beside Django's templates.

Django's template language renders the site; the few fragments that loop over many cells on
every request are Jinja2, which compiles a template to Python and renders it several times
faster. Autoescaping is on, as in Django's templates; a value marked safe (`__html__`) is
kept as it is.
"""

from __future__ import annotations

from django.contrib.humanize.templatetags.humanize import intcomma
from django.templatetags.static import static
from jinja2 import Environment, StrictUndefined

from core.links import link


def pluralize(count: int, suffixes: str = "s") -> str:
    """Django's `pluralize` filter: "s", or "y,ies" style singular and plural suffixes."""
    singular, _, plural = suffixes.rpartition(",") if "," in suffixes else ("", "", suffixes)
    return singular if count == 1 else plural


def environment(**options) -> Environment:
    # A name the template does not have is an error, never an empty string.
    options["undefined"] = StrictUndefined
    env = Environment(**options)
    env.globals.update(static=static, link=link)
    env.filters["pluralize"] = pluralize
    env.filters["intcomma"] = intcomma
    return env
