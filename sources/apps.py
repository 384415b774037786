from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Sources"

    def ready(self) -> None:
        from core import registry
        from sources.models import Citation, Document, Passage

        registry.register_content(Document, Passage, Citation)
        registry.register_claim(
            registry.ClaimType(
                "document", Document, "Document", lambda d: d.title, deferred=("text",)
            )
        )
