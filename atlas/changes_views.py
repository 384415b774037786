"""`/changes/` and `/changes/feed.atom`: what changed in the knowledge base, newest first,
for people and for feed readers. Both read `core.changes`, as the API does, and take the
same filters: `type`, `framework`, `document`, `institution`, `activity`, `level`."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import QueryDict
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.generic import TemplateView

from core import changes, registry
from core.exports import bad_request
from core.pages import api_link, breadcrumbs
from core.textdiff import diff_html

PAGE_SIZE = 50
# The page of each object a change concerns.
SCOPE_PAGES = {
    "framework": "engagement:framework-detail",
    "activity": "engagement:activity-detail",
    "level": "engagement:level-detail",
    "document": "sources:document-detail",
    "institution": "institutions:institution-detail",
}
FEED_SIZE = 50
CURSORS = ("before", "after")


def type_label(name: str) -> str:
    """A type of object as readers name it ("Function status" for a mandate)."""
    claims = registry.claim_types()
    return claims[name].kind if name in claims else name.capitalize()


def _filters(params) -> tuple[changes.ChangeQuery | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    for name in params:
        if name not in (*changes.PARAMETERS, *CURSORS):
            errors[name] = [
                f"Unknown parameter; this page takes {', '.join(changes.PARAMETERS)}, "
                "before, after."
            ]
    try:
        query = changes.change_query(params)
    except changes.ChangeParameterError as error:
        errors.update(error.errors)
        query = None
    return query, errors


def _cursor(params, name: str, errors: dict) -> changes.Cursor | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return changes.Cursor.decode(raw)
    except ValueError:
        errors[name] = ["Not a position in this list; follow the page's own links."]
        return None


def _with(query: changes.ChangeQuery, **extra: str) -> str:
    params = QueryDict(mutable=True)
    for name, value in {**query.params(), **extra}.items():
        params[name] = value
    return params.urlencode(safe=",")


class ChangeListView(TemplateView):
    """Changes, newest first, a page at a time; each with its word-level differences."""

    template_name = "atlas/change_list.html"

    def get(self, request, *args, **kwargs):
        query, errors = _filters(request.GET)
        before = _cursor(request.GET, "before", errors)
        after = _cursor(request.GET, "after", errors)
        if before and after:
            errors["after"] = ["Give before or after, not both."]
        context = {
            "types": [(name, type_label(name)) for name in registry.tracked_types()],
            "chosen": {
                name: ",".join(values) for name, values in (query.chosen if query else {}).items()
            },
            "scopes": changes.SCOPES,
            "breadcrumbs": breadcrumbs(("Changes", None)),
        }
        if errors or query is None:
            context["errors"] = dict(sorted(errors.items()))
            return self.render_to_response(context, status=400)
        if after is not None:
            page = changes.change_page(query, cursor=after, newest_first=False, limit=PAGE_SIZE)
            shown = list(reversed(page.changes))
            newer = page.next
            older = shown[-1].cursor if shown else None
        else:
            page = changes.change_page(query, cursor=before, newest_first=True, limit=PAGE_SIZE)
            shown = page.changes
            older = page.next
            newer = shown[0].cursor if shown and before is not None else None
        for change in shown:
            change.type_label = type_label(change.type)
            change.where = [
                (scope, slug, reverse(SCOPE_PAGES[scope], kwargs={"slug": slug}))
                for scope, slugs in change.scopes.items()
                for slug in slugs
            ]
        filters = _with(query)
        context.update(
            changes=shown,
            older=f"?{_with(query, before=older.encode())}" if older else None,
            newer=f"?{_with(query, after=newer.encode())}" if newer else None,
            filtered=bool(query.params()),
            feed_url=reverse("atlas:changes-feed") + (f"?{filters}" if filters else ""),
            api_url=api_link("change-list", **query.params()),
        )
        return self.render_to_response(context)


def change_summary(change: changes.Change) -> SafeString:
    """A change's fields as HTML for a feed reader (no stylesheet): texts as their new and
    old versions with the changed words marked, the rest before → after."""
    rows = format_html_join(
        "",
        "<li><strong>{}</strong>: {}</li>",
        (
            (
                field.name,
                diff_html(field.before or "", field.after or "", feed=True)
                if field.diff is not None
                else format_html("{} → {}", _plain(field.before), _plain(field.after)),
            )
            for field in change.fields
        ),
    )
    return format_html("<ul>{}</ul>", rows)


def _plain(value) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(none)"
    return str(value)


class BadFeedRequest(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors


class ChangesFeed(Feed):
    """The latest changes as an Atom 1.0 feed, filtered as the page is."""

    feed_type = Atom1Feed
    author_name = "Engagement Atlas"
    # A file, like an export: its errors are plain text (`core.middleware` reads this too).
    error_format = "text"

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except BadFeedRequest as error:
            return bad_request(error.errors)

    def get_object(self, request, *args, **kwargs):
        params = request.GET
        query, errors = _filters(params)
        for name in CURSORS:
            if name in params:
                errors[name] = ["The feed always starts from the latest change."]
        if errors or query is None:
            raise BadFeedRequest(dict(sorted(errors.items())))
        # Entries' ids are tag URIs on this site's host name (RFC 4151).
        query.host = request.get_host().split(":")[0]
        return query

    def title(self, query: changes.ChangeQuery) -> str:
        chosen = "; ".join(f"{name} {value}" for name, value in query.params().items())
        return "Engagement Atlas: changes" + (f" ({chosen})" if chosen else "")

    def subtitle(self, query: changes.ChangeQuery) -> str:
        return "Every creation, change and deletion in the knowledge base, newest first."

    def link(self, query: changes.ChangeQuery) -> str:
        filters = _with(query)
        return reverse("atlas:change-list") + (f"?{filters}" if filters else "")

    def feed_url(self, query: changes.ChangeQuery) -> str:
        filters = _with(query)
        return reverse("atlas:changes-feed") + (f"?{filters}" if filters else "")

    def items(self, query: changes.ChangeQuery) -> list[changes.Change]:
        page = changes.change_page(query, cursor=None, newest_first=True, limit=FEED_SIZE)
        for change in page.changes:
            change.guid = f"tag:{query.host},2025:change/{change.type}/{change.cursor.history_id}"
        return page.changes

    def item_title(self, change: changes.Change) -> str:
        return f"{change.action.capitalize()}: {type_label(change.type)} {change.label}"

    def item_description(self, change: changes.Change) -> str:
        who = f" by {change.editor}" if change.editor else ""
        return str(
            format_html(
                "<p>Dataset version {}{}.</p>{}", change.version, who, change_summary(change)
            )
        )

    def item_link(self, change: changes.Change) -> str:
        if change.html_url:
            return change.html_url
        return f"{reverse('atlas:change-list')}?type={change.type}#{anchor(change)}"

    def item_guid(self, change: changes.Change) -> str:
        return change.guid

    item_guid_is_permalink = False

    def item_pubdate(self, change: changes.Change):
        return change.time

    def item_updateddate(self, change: changes.Change):
        return change.time

    def item_author_name(self, change: changes.Change) -> str | None:
        return change.editor


def anchor(change: changes.Change) -> str:
    return f"change-{change.type}-{change.cursor.history_id}"
