"""The Swagger UI docs and the explorer pages render under the site's Content-Security-Policy
in a real browser (Debian's Chromium), with no violation and no console error.

The browser runs in a subprocess: the browser tests of tests/browser/ keep a Playwright
session open in this process, and a second synchronous one cannot start beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.server]

_SCRIPT = r"""
import json, sys
from playwright.sync_api import sync_playwright

base, pages = sys.argv[1], json.loads(sys.argv[2])
report = {}
with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
    for path, selector in pages:
        page = browser.new_page()
        found = []
        # Failed loads are reported with their URL below; the browser's own /favicon.ico
        # probe is not the page's doing.
        page.on("console", lambda m: found.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        page.on("pageerror", lambda e: found.append(str(e)))
        page.on("response", lambda r: found.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        page.expose_function("reportViolation", lambda text: found.append("CSP " + text))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));"
        )
        response = page.goto(base + path)
        try:
            page.wait_for_selector(selector, timeout=15000)
        except Exception as error:
            found.append(f"{selector} never appeared: {error}")
        page.wait_for_timeout(300)
        report[path] = {
            "status": response.status,
            "csp": response.headers.get("content-security-policy", ""),
            "problems": found,
        }
        page.close()
    browser.close()
print(json.dumps(report))
"""

PAGES = [
    ("/api/v1/docs/", ".swagger-ui .info .title"),
    ("/", "table"),
    ("/frameworks/eu-ai-office-uk-aisi/?level=collaboration", "table"),
    ("/documents/synergies-eu-ai-office-uk-aisi-2025/", "main h1"),
    ("/institutions/", "main h1"),
    ("/search/?q=evaluations", "main h1"),
]


@pytest.mark.django_db(transaction=True)
def test_docs_and_pages_render_without_csp_violations(live_server, reseed):
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, live_server.url, json.dumps(PAGES)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for path, _ in PAGES:
        assert report[path]["status"] == 200, (path, report[path])
        assert "unsafe-inline" not in report[path]["csp"]
        assert report[path]["problems"] == [], (path, report[path]["problems"])
