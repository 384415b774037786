"""Drafting a framework from a source's table through the API (`POST
/api/v1/frameworks/drafts/`): the brief's Table 1 drafts into the seeded framework, cell by
cell; bad input is a 400 naming the field, and writes nothing; editors only."""

from __future__ import annotations

import pytest

from engagement.models import Framework
from tests.drafting import TABLE_1, assert_draft_is_table_1
from tests.seedtext import BRIEF

pytestmark = pytest.mark.usefixtures("kb")

DRAFTS = "/api/v1/frameworks/drafts/"


def test_table_1_drafts_into_the_seeded_framework(client_editor, editor):
    response = client_editor.post(
        DRAFTS,
        {"document": BRIEF, "table": TABLE_1, "institutions": ["eu-ai-office", "uk-aisi"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    draft = Framework.objects.get(slug=body["slug"])
    assert_draft_is_table_1(draft)
    assert body["status"] == "draft" and body["document"] == BRIEF
    assert body["institutions"] == ["eu-ai-office", "uk-aisi"]
    assert len(body["cells"]) == 60
