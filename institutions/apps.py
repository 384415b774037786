from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = "Institutions"

    def ready(self) -> None:
        from core import registry
        from institutions.content import CONTENT

        registry.register(*CONTENT)
        # Pages, exports and API reads that show the knowledge base at a release.
        registry.register_release_views(
            "institutions:institution-detail",
            "institutions:institution-compare",
            "institutions:compare-export",
            "api:institution-list",
            "api:institution-detail",
            "api:mandate-list",
            "api:mandate-detail",
            "api:relationship-list",
            "api:relationship-detail",
        )
