"""Citing from the reader: the claims an editor may pick, and a citation made from words
selected on a page or typed.

A claim is named in a form as `<claim type>:<id>` ("cell:12"), the claim types being the
ones the apps registered (`core.registry`). A citation is written by the citations API's own
serializer (`CitationResourceSerializer`): the same checks of the claim, the passage and the
quote (`sources.quotes`), the same offsets, prefix and suffix, whichever way it is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db.models import Q

from core import registry
from sources.models import Citation, Passage
from sources.serializers import CitationResourceSerializer

# The claim picker offers at most this many claims, whatever the number that match.
CLAIMS_OFFERED = 20
# Words of a claim search read; the rest are ignored.
SEARCH_WORDS = 8


@dataclass(frozen=True)
class ClaimChoice:
    """A claim as the picker offers it: its form value, its kind and its label."""

    value: str
    kind: str
    label: str

    @property
    def text(self) -> str:
        """The claim as the picker lists it: its label, after its kind unless it says it."""
        return self.label if self.label.startswith(self.kind) else f"{self.kind}: {self.label}"


def claim_search(text: str, *, limit: int = CLAIMS_OFFERED) -> tuple[list[ClaimChoice], bool]:
    """The claims whose naming fields (`ClaimType.search`) hold every word of `text`, at
    most `limit` of them, and whether more match. Each claim type that matches gets its
    share of the list (a word that names a thousand cells leaves room for the level it also
    names), listed in claim type order. One query per claim type; none for a text without
    words."""
    words = text.split()[:SEARCH_WORDS]
    if not words:
        return [], False
    matches: list[list[ClaimChoice]] = []
    for name, claim_type in registry.claim_types().items():
        if not claim_type.search:
            continue
        condition = reduce(
            and_,
            (
                reduce(or_, (Q(**{f"{field}__icontains": word}) for field in claim_type.search))
                for word in words
            ),
        )
        claims = claim_type.queryset().filter(condition).order_by("pk")[: limit + 1]
        found = [
            ClaimChoice(f"{name}:{claim.pk}", claim_type.kind, claim_type.label(claim))
            for claim in claims
        ]
        if found:
            matches.append(found)
    # Round by round, one more claim of each type that has one left, until `limit`.
    shares, room, grew = [0] * len(matches), limit, True
    while room and grew:
        grew = False
        for index, found in enumerate(matches):
            if room and shares[index] < len(found):
                shares[index], room, grew = shares[index] + 1, room - 1, True
    more = sum(len(found) for found in matches) > limit
    return [c for index, found in enumerate(matches) for c in found[: shares[index]]], more


def claim_choice(value: str) -> ClaimChoice | None:
    """The claim a form value (`cell:12`) names, or None when it names none."""
    name, _, number = value.partition(":")
    claim_type = registry.claim_types().get(name)
    if claim_type is None or not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    claim = claim_type.queryset().filter(pk=int(number)).first()
    if claim is None:
        return None
    return ClaimChoice(f"{name}:{claim.pk}", claim_type.kind, claim_type.label(claim))


def selection_quote(passage: Passage, start: int, end: int) -> tuple[str, int]:
    """The words a reader selected at `start`..`end` of the passage's shown text, without
    the spaces around them, and where they start; ValueError when they are not words of it."""
    shown = passage.shown
    if not 0 <= start < end <= len(shown):
        raise ValueError(f"The selection {start}-{end} is not within the passage.")
    exact = shown[start:end]
    stripped = exact.strip()
    if not stripped:
        raise ValueError("The selection holds no words.")
    return stripped, start + len(exact) - len(exact.lstrip())


def citation_from_form(
    *, passage: Passage, claim: str, role: str, exact: str, start: int | None
) -> tuple[Citation | None, dict[str, list[str]]]:
    """Cite `passage` for the claim the form value `claim` names: the citation, or the
    errors by form field (`claim`, `role`, `exact`) and nothing written. `start` is where
    the quote was selected; without it the quote is found in the passage."""
    errors: dict[str, list[str]] = {}
    name, _, number = claim.partition(":")
    if name not in registry.claim_types() or not number.isascii() or not number.isdigit():
        errors["claim"] = ["Choose a claim from the list (search for it first)."]
    if not exact.strip():
        errors["exact"] = ["A quote cannot be empty."]
    if errors:
        return None, errors
    data = {
        "claim_type": name,
        "claim_id": number,
        "document": passage.document.slug,
        "passage": passage.anchor,
        "role": role,
        "exact": exact,
    }
    if start is not None:
        data["start"] = start
    serializer = CitationResourceSerializer(data=data)
    if not serializer.is_valid():
        return None, _form_errors(serializer.errors)
    return serializer.save(), {}


# The serializer's fields as the form names them.
_FIELDS = {"claim_type": "claim", "claim_id": "claim", "start": "exact", "occurrence": "exact"}


def _form_errors(api_errors: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field, messages in api_errors.items():
        if not isinstance(messages, list):
            messages = [messages]
        errors.setdefault(_FIELDS.get(field, field), []).extend(str(m) for m in messages)
    return errors
