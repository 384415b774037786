"""The pages' JSON-LD under the site's Content Security Policy: a data block, never run,
so the policy (no inline script) refuses nothing, and the browser reads it back."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/documents/synergies-eu-ai-office-uk-aisi-2025/", "Report"),
        ("/documents/eu-us-ttc-ai-collaboration-2024/", "NewsArticle"),
        ("/", "Dataset"),
    ],
)
def test_json_ld_is_read_and_the_policy_refuses_nothing(browser, seeded, url, kind):
    context = browser.new_context(base_url=seeded.url)  # the policy enforced
    context.add_init_script(
        "window.violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Refused" in message.text else None,
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    response = page.goto(url)
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    blocks = page.locator('head script[type="application/ld+json"]').all_text_contents()
    assert [json.loads(block)["@type"] for block in blocks] == [kind]
    page.wait_for_load_state("load")
    assert page.evaluate("window.violations") == []
    assert refused == []
    context.close()
