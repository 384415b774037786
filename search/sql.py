"""SQL written as text with its parameters beside it, and rows read back by column name.

The search composes its SQL from pieces (a back end's match, a facet's filter) whose
parameters must reach the cursor in the order of their placeholders; `Sql` keeps the two
together and `Params` collects them as the text is written left to right. User text only
ever travels as a parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

Row = TypeVar("Row")


@dataclass(frozen=True)
class Sql:
    """A piece of SQL and its parameters, in the order of its placeholders."""

    text: str
    params: tuple = ()


class Params(list):
    """The parameters of SQL written left to right: `f"... {params(piece)} ..."` puts the
    piece's text in and appends its parameters (an f-string evaluates in order)."""

    def __call__(self, piece: Sql) -> str:
        self.extend(piece.params)
        return piece.text


def placeholders(values: Collection[Any]) -> Sql:
    """`%s, %s, …`, one placeholder per value, with the values as parameters (for `IN (…)`)."""
    return Sql(", ".join(["%s"] * len(values)), tuple(values))


def named_rows(cursor: Any, row_type: Callable[..., Row]) -> list[Row]:
    """The cursor's rows as `row_type`, each field filled from the column of its name.

    A SELECT whose columns (their `AS` names) differ from the row type's fields raises
    TypeError here, rather than leaving values in the wrong fields.
    """
    names = [column[0] for column in cursor.description]
    return [row_type(**dict(zip(names, row, strict=True))) for row in cursor.fetchall()]
