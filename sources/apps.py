from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Sources"

    def ready(self) -> None:
        from django.db.models import Q

        from core import registry
        from core.history import history_model
        from sources.models import Citation, Document, Passage

        registry.register_content(Document, Passage, Citation)
        # A document's citation, as it stood at a release.
        registry.register_release_views("sources:document-cite")
        # What a write moves (core.scopes): a document's pages show its passages and the
        # quotes into them; a citation moves its passage's document and its claim's owners.
        scope = registry.ScopeRule
        registry.register_scopes(Document, scope("documents"), scope("document", "id"))
        registry.register_scopes(Passage, scope("document", "document_id"))
        registry.register_scopes(
            Citation,
            scope("document", "document_id", via=("sources_passage", "passage_id")),
            claims=True,
        )
        registry.register_claim(
            registry.ClaimType(
                "document",
                Document,
                "Document",
                lambda d: d.title,
                deferred=("text",),
                owners=(("document", "id"),),
            )
        )
        passages = history_model(Passage)._default_manager
        registry.register_tracked(
            # The text itself is too large to repeat in every change: its SHA-256 says it
            # changed, and its passages say where.
            registry.Tracked(
                "document", Document, lambda d: d.title, api="document", excluded=("text",)
            ),
            registry.Tracked(
                "passage",
                Passage,
                lambda p: f"{p.document.title}, passage {p.anchor}",
                key="pk",
                api="passage",
                related=("document",),
                text="text",
                scopes={"document": lambda ids: Q(document_id__in=ids)},
                # What the reader derives from the text.
                excluded=("html", "shown", "table_header"),
            ),
            registry.Tracked(
                "citation",
                Citation,
                lambda c: (
                    f"Citation of {c.passage.document.slug}#{c.passage.anchor}: “{c.exact[:80]}”"
                ),
                key="pk",
                api="citation",
                related=("passage__document",),
                text="exact",
                scopes={
                    "document": lambda ids: Q(
                        passage_id__in=passages.filter(document_id__in=ids).values("id")
                    )
                },
                claim_fields=("content_type", "object_id"),
            ),
        )
