"""Context every page's template shares."""

from __future__ import annotations

from functools import partial

from core.metadata import canonical_url


def page_address(request) -> dict:
    """`canonical_url`: the page's canonical address (`core.metadata.canonical_url`),
    computed only when a template shows it (the template calls it)."""
    return {"canonical_url": partial(canonical_url, request)}
