"""Browser tests: Playwright driving Debian's Chromium, headless, against the live server.

The browser is never downloaded: `make test` installs Debian's package where it is missing.
If Chromium cannot be launched, these tests fail; they are never skipped.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from atlas.seeding import knowledge_base_seed
from engagement.models import Cell

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
ESBUILD = NODE_MODULES / ".bin" / "esbuild"
ANCHORING_PACKAGES = [
    "dom-anchor-text-quote",
    "dom-anchor-text-position",
    "text-fragments-polyfill",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# fixtures around it (the live server's flush, `reseed`) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module", autouse=True)
def reseed_after_module(reseed_after_module):
    """Put the seeded knowledge base back once each module's live-server tests are over:
    the fixture of tests/conftest.py, on in every browser module."""
    return reseed_after_module


@pytest.fixture
def seeded(live_server):
    """The seeded knowledge base, committed so the live server sees it.

    The first live-server test finds the session's seed; each one empties the database
    when it ends, so the next one loads it again.
    """
    if not Cell.objects.exists():
        knowledge_base_seed(directory=settings.ATLAS_FIXTURES_DIR)
    return live_server


@pytest.fixture
def page(browser, seeded):
    # bypass_csp: axe is injected by evaluate, and a strict CSP must not stop the audit.
    context = browser.new_context(
        base_url=seeded.url, viewport={"width": 1366, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE.name}: run `make test`, which installs it")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def anchoring_source(tmp_path_factory) -> str:
    """dom-anchor-text-quote, dom-anchor-text-position and the text fragments polyfill (npm,
    CommonJS and ES modules), bundled by esbuild into one script that sets
    `window.AtlasAnchoring`."""
    missing = [name for name in ANCHORING_PACKAGES if not (NODE_MODULES / name).is_dir()]
    if missing or not ESBUILD.exists():
        pytest.fail(
            f"{', '.join(missing) or 'esbuild'} missing from node_modules: run `make test`, "
            "which installs them"
        )
    bundle = tmp_path_factory.mktemp("anchoring") / "anchoring.bundle.js"
    entry = Path(__file__).with_name("anchoring.js")
    result = subprocess.run(
        [str(ESBUILD), str(entry), "--bundle", "--format=iife", f"--outfile={bundle}"],
        cwd=NODE_MODULES.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"esbuild could not bundle the anchoring libraries: {result.stderr}")
    return bundle.read_text(encoding="utf-8")


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page, axe_source: str, url: str) -> list[str]:
    """axe-core's WCAG 2.2 A/AA violations on the page at `url`, one line each."""
    page.goto(url)
    page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    assert result["passes"], f"axe ran no check on {url}"
    return [
        f"{url}: {violation['id']} ({violation['help']}) at "
        f"{[', '.join(node['target']) for node in violation['nodes'][:3]]}"
        for violation in result["violations"]
    ]
