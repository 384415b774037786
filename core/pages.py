"""What every page's context shares: its breadcrumbs and the link to its JSON twin."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import QueryDict
from django.template import engines
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.generic import TemplateView

from core import registry
from core.at_release import ReleasePageMixin, current_release
from core.forms import PairForm


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


class ComparePageView(ReleasePageMixin, TemplateView):
    """A page that sets two objects side by side, `a` and `b` picked by slug or name
    (`core.forms.PairForm`, from `pair_form()`). A pair named by names is redirected to its
    slugs, the one address of the comparison; a pair that names nothing is a 400 with the
    picker (`picker()`, around `crumbs`) and the errors; else `compared(a, b)` adds the
    comparison to the picker's context."""

    crumbs: tuple[str, str]  # the index the comparison belongs to: its title and URL name

    def get(self, request, *args, **kwargs):
        form = self.pair_form(request.GET)
        valid = form.is_valid()
        if (moved := self.pair_redirect(form)) is not None:
            return moved
        title, index = self.crumbs
        context = self.picker(
            compare_a=form.slugs["a"],
            compare_b=form.slugs["b"],
            compare_choices=form.choice_links(request.path),
            breadcrumbs=breadcrumbs((title, reverse(index)), ("Compare", None)),
        )
        if not valid:
            context["errors"] = {name: list(errors) for name, errors in form.errors.items()}
            return self.render_to_response(context, status=400)
        context.update(self.compared(form.cleaned_data["a"], form.cleaned_data["b"]))
        return self.render_to_response(context)

    def pair_form(self, params: QueryDict) -> PairForm:
        raise NotImplementedError

    def picker(self, **context) -> dict:
        raise NotImplementedError

    def compared(self, a, b) -> dict:
        raise NotImplementedError
