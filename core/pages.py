"""What every page's context shares: its breadcrumbs and the link to its JSON twin."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import QueryDict
from django.template import engines
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from core import registry
from core.at_release import current_release


def breadcrumbs(*items: tuple[str, str | None]) -> list[dict]:
    """The trail above a page (Home comes first on its own), as (label, URL or None)."""
    return [{"label": label, "url": url} for label, url in items]


def api_link(viewname: str, *args: object, query: QueryDict | None = None, **params: object) -> str:
    """The API URL `viewname` (under the `api` namespace), for a page's
    `<link rel="alternate" type="application/json">`: with `query` (a page's own query
    string, kept as it is) or `params` (empty values left out)."""
    url = reverse(f"api:{viewname}", args=args or None)
    if query is not None:
        encoded = query.urlencode(safe=",")
    else:
        pairs = [(name, value) for name, value in params.items() if value not in (None, "")]
        release = current_release()
        if release is not None and f"api:{viewname}" in registry.release_views():
            pairs.append(("release", release.tag))
        encoded = urlencode(pairs, safe=",")
    return f"{url}?{encoded}" if encoded else url


def fragment(template_name: str, context: dict) -> SafeString:
    """A Jinja2 template (under templates/jinja2/) rendered for a Django page to show as it
    is: the page's hottest part, where Django's template language would take several times
    longer. Jinja2 escapes every value it renders (autoescape, `config.jinja2`), so the
    result is safe markup."""
    return mark_safe(engines["jinja2"].get_template(template_name).render(context))
