"""The admin at any size: no page lists every passage, claim, institution, framework,
activity or document. Every choice of one is typed (an autocomplete), every filter on one
takes its slug; so each page's size and its number of queries stay the same however
large the knowledge base grows (`manage.py synthesize`)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    ForeignKeyRawIdWidget,
    ManyToManyRawIdWidget,
    RelatedFieldWidgetWrapper,
)
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.forms import ModelChoiceField
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from atlas.editors import EDITORS_GROUP
from engagement.models import Activity, Framework
from institutions.models import Institution
from sources.models import Citation, Document, Passage

pytestmark = pytest.mark.usefixtures("kb")

MAX_PAGE_BYTES = 400 * 1024
# The knowledge base twice the seeded one, then this many times: large enough that a page
# listing every row of a growing table would be several times the size at the first scale.
SMALL, LARGE = 2, 12
# Rows a changelist page shows while sizes are compared (`test_admin_pages_stay_small...`).
ROWS = 3
# The models whose rows grow with the knowledge base, which no form may list.
GROWING = (Passage, Citation, Institution, Framework, Activity, Document)
TYPED = (
    AutocompleteSelect,
    AutocompleteSelectMultiple,
    ForeignKeyRawIdWidget,
    ManyToManyRawIdWidget,
)


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser("root", "root@example.org", "a-long-admin-passphrase")


def admin_urls(user: User) -> list[str]:
    """Every changelist, add page and change page (of the model's first row: a seeded one,
    the same at every scale) of the admin."""
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{name}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"{name}_change", args=[first.pk]))
    # The autocompletes the forms ask as an editor types: a page of results at a time.
    for app_label, model_name, field_name in (
        ("sources", "citation", "passage"),
        ("engagement", "framework", "institutions"),
        ("engagement", "framework", "document"),
        ("engagement", "cell", "framework"),
    ):
        urls.append(
            reverse("admin:autocomplete")
            + f"?app_label={app_label}&model_name={model_name}&field_name={field_name}&term=a"
        )
    return urls


def measure(client: Client, urls: list[str]) -> dict[str, tuple[int, int]]:
    """Each page's size in bytes and number of queries."""
    found = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        found[url] = (len(response.content), len(queries))
    return found


def test_admin_pages_stay_small_and_their_queries_fixed_as_the_data_grows(
    client, superuser, monkeypatch
):
    client.force_login(superuser)
    urls = admin_urls(superuser)
    measure(client, urls)  # content types and the like, cached once per process
    small, small_rows, large, large_rows = {}, {}, {}, {}
    for scale, full, rows in ((SMALL, small, small_rows), (LARGE, large, large_rows)):
        call_command("synthesize", "--scale", str(scale))
        with monkeypatch.context() as patch:
            # A page of changelist as long as each changelist's table fills at both scales:
            # the page then shows as many rows at both, and what remains is what the data's
            # size adds (a list of every row of another table).
            for model_admin in admin.site._registry.values():
                patch.setattr(model_admin, "list_per_page", ROWS)
            rows.update(measure(client, urls))
        full.update(measure(client, urls))
    assert Passage.objects.count() >= LARGE * (Passage.objects.count() // LARGE)
    for url in urls:
        # Pages as the admin serves them: small, their queries as many whatever the rows
        # (a query per row would show: a changelist holds more of them at the larger scale).
        assert large[url][0] < MAX_PAGE_BYTES, (url, large[url][0])
        assert large[url][1] == small[url][1], (url, small[url][1], large[url][1])
        # The same rows' worth of page: only counts and row labels may differ a little.
        (small_size, _), (large_size, _) = small_rows[url], large_rows[url]
        assert large_size < small_size * 1.1 + 2048, (url, small_size, large_size)


def _widget(field):
    widget = field.widget
    return widget.widget if isinstance(widget, RelatedFieldWidgetWrapper) else widget


def test_every_choice_of_a_growing_model_in_every_admin_form_is_typed(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    listed = []
    for model, model_admin in admin.site._registry.items():
        first = model._default_manager.order_by("pk").first()
        forms = [("", model_admin.get_form(request, first, change=first is not None))]
        forms += [
            (f" inline {type(inline).__name__}", formset.form)
            for formset, inline in model_admin.get_formsets_with_inlines(request, first)
        ]
        for where, form in forms:
            for name, field in form.base_fields.items():
                if (
                    isinstance(field, ModelChoiceField)
                    and issubclass(field.queryset.model, GROWING)
                    and not isinstance(_widget(field), TYPED)
                ):
                    listed.append(f"{model._meta.label}{where}: {name}")
    assert listed == []


def test_a_filter_typed_as_a_slug_keeps_the_other_parameters(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:engagement_cell_changelist")
    response = client.get(url, {"framework__slug": "eu-ai-office-uk-aisi", "kind__exact": "empty"})
    assert response.status_code == 200
    cells = list(response.context["cl"].result_list)
    assert cells and {(c.framework.slug, c.kind) for c in cells} == {
        ("eu-ai-office-uk-aisi", "empty")
    }
    page = response.content.decode()
    assert 'name="framework__slug" value="eu-ai-office-uk-aisi"' in page
    assert '<input type="hidden" name="kind__exact" value="empty">' in page
    # An unknown slug filters everything out; it is not an error.
    nothing = client.get(url, {"framework__slug": "no-such-framework"})
    assert nothing.status_code == 200 and not nothing.context["cl"].result_list
    # Links made before keep working: a document's passages by its id.
    document = Document.objects.order_by("pk").first()
    passages = client.get(
        reverse("admin:sources_passage_changelist"), {"document__id__exact": document.pk}
    )
    assert {p.document_id for p in passages.context["cl"].result_list} == {document.pk}


def test_an_editor_types_a_passage_and_is_offered_a_page_of_matches(client):
    editor = User.objects.create_user("ed", password="a-long-editor-passphrase", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client.force_login(editor)
    call_command("synthesize", "--scale", str(SMALL))
    for app_label, model_name, field_name, term in (
        ("sources", "citation", "passage", "footnote-2"),
        ("engagement", "framework", "institutions", "aisi"),
        ("engagement", "framework", "document", "synergies"),
        ("engagement", "cell", "framework", "eu-ai-office"),
        ("engagement", "cell", "activity", "evaluations"),
        ("institutions", "mandate", "institution", "uk"),
    ):
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": app_label,
                "model_name": model_name,
                "field_name": field_name,
                "term": term,
            },
        )
        assert response.status_code == 200, (model_name, field_name)
        results = response.json()["results"]
        assert 0 < len(results) <= 20, (model_name, field_name)
    footnotes = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "sources",
            "model_name": "citation",
            "field_name": "passage",
            "term": "footnote-2",
        },
    ).json()["results"]
    assert "synergies-eu-ai-office-uk-aisi-2025#footnote-2" in {r["text"] for r in footnotes}
