"""Query parameters every route checks before any view reads them (docs/pages.md, "Any
parameter, any route").

One mechanism for every page, export and API route, those added later included: a
parameter whose name or value holds a character no parameter may hold
(`core.text.parameter_problem`: control characters, byte-order marks, bidirectional
controls, bytes that are not UTF-8), a value over `MAX_VALUE_CHARS` characters, a whole
number outside what a database column holds, or more than `MAX_VALUES` values in all, is
refused with a 400 naming the parameter. A route that declares the parameters it takes
(`query_parameters` on its view class, as every export does) also has any other name
refused. `core.middleware.ParameterGuardMiddleware` applies this and answers in the shape
of the route: JSON for the API, the error page for pages, plain text for exports.

Messages never repeat a hostile value; they say which character, and where.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet

from core.text import parameter_problem, shown

MAX_NAME_CHARS = 100
MAX_VALUE_CHARS = 1000
MAX_VALUES = 200
# The largest whole number a database integer column (bigint) holds.
MAX_INTEGER = 2**63 - 1
# Parameters whose values are free text: a long run of digits there is text, not a number.
FREE_TEXT = frozenset({"q"})

_INTEGER = re.compile(r"[+-]?[0-9]+")


def value_problem(name: str, value: str) -> str | None:
    """Why `value` cannot be a value of the parameter `name`, whatever the route; or None."""
    if len(value) > MAX_VALUE_CHARS:
        return f"Too long: {len(value)} characters; at most {MAX_VALUE_CHARS}."
    problem = parameter_problem(value)
    if problem:
        return problem
    if name not in FREE_TEXT and _INTEGER.fullmatch(value.strip()):
        digits = value.strip().lstrip("+-")
        if len(digits) > 19 or int(digits) > MAX_INTEGER:
            return f"Out of range: a whole number here is at most {MAX_INTEGER}."
    return None


def name_problem(name: str) -> str | None:
    if len(name) > MAX_NAME_CHARS:
        return f"Parameter name too long: at most {MAX_NAME_CHARS} characters."
    return parameter_problem(name)


def parameter_errors(
    params: Mapping[str, Iterable[str]], *, known: AbstractSet[str] | None = None
) -> dict[str, list[str]]:
    """`{parameter: [reasons]}` for every parameter of `params` (name → its values, as
    `QueryDict.lists()` gives them) that no route may take; with `known`, also for every
    name not in it. Names with a forbidden character are shown with it escaped."""
    errors: dict[str, list[str]] = {}
    count = 0
    for name, values in params.items():
        values = list(values)
        count += len(values)
        problem = name_problem(name)
        if problem:
            errors[shown(name)] = [problem]
            continue
        if known is not None and name not in known:
            takes = ", ".join(sorted(known)) or "no parameters"
            errors[name] = [f"Unknown parameter; this address takes {takes}."]
            continue
        reasons = {reason for value in values if (reason := value_problem(name, value))}
        if reasons:
            errors[name] = sorted(reasons)
    if count > MAX_VALUES and not errors:
        most = max(params, key=lambda name: len(list(params[name])))
        errors[shown(most)] = [f"Too many values: {count}; at most {MAX_VALUES} in all."]
    return errors
