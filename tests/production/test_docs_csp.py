"""The Swagger UI docs render under the site's Content-Security-Policy in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.production.docs_urls")]


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_render_without_csp_violations(live_server, settings, reseed):
    settings.REST_FRAMEWORK = {
        **getattr(settings, "REST_FRAMEWORK", {}),
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    }
    settings.SPECTACULAR_SETTINGS = {
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
    }
    violations, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            page.expose_function("reportViolation", lambda text: violations.append(text))
            page.add_init_script(
                "document.addEventListener('securitypolicyviolation', e => "
                "window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));"
            )
            response = page.goto(f"{live_server.url}/api/v1/docs/")
            assert response.status == 200
            assert "unsafe-inline" not in response.headers["content-security-policy"]
            page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
        finally:
            browser.close()
    assert violations == []
    assert errors == []
