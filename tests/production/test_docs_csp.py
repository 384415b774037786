"""The Swagger UI docs render under the site's Content-Security-Policy in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.production.docs_urls")]


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_render_without_csp_violations(live_server, reseed):
    violations, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            page.on(
                "response",
                lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.expose_function("reportViolation", lambda text: violations.append(text))
            page.add_init_script(
                "document.addEventListener('securitypolicyviolation', e => "
                "window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));"
            )
            response = page.goto(f"{live_server.url}/api/v1/docs/")
            assert response.status == 200
            assert "unsafe-inline" not in response.headers["content-security-policy"]
            try:
                page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
            except Exception as error:
                raise AssertionError(
                    f"{error}\nviolations: {violations}\nerrors: {errors}\n{page.content()[:3000]}"
                ) from None
        finally:
            browser.close()
    assert violations == []
    assert errors == []
