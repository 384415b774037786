"""Hashes for the few inline blocks of third-party templates the policy must allow."""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.util import find_spec
from pathlib import Path


def inline_style_hashes(package: str, template: str) -> list[str]:
    """CSP sources (`'sha256-...'`) for each static `<style>` block of an installed template.

    drf-spectacular's Swagger UI page has one such block. Hashing the installed file means
    an upgrade that changes it keeps working, and nothing else inline is allowed.
    """
    spec = find_spec(package)
    if spec is None or spec.origin is None:
        return []
    source = (Path(spec.origin).parent / "templates" / template).read_text(encoding="utf-8")
    hashes = []
    for block in re.findall(r"<style>(.*?)</style>", source, re.S):
        if "{" + "{" in block or "{%" in block:
            continue  # rendered per request: it has no fixed hash
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return hashes
