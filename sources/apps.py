from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "sources"
    verbose_name = "Sources"

    def ready(self) -> None:
        from core import registry
        from sources.content import CONTENT

        registry.register(*CONTENT)
        # A document's citation, as it stood at a release.
        registry.register_release_views("sources:document-cite")
