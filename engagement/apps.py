from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        from core import registry, visibility
        from engagement.content import CONTENT

        registry.register(*CONTENT)
        # The reader links each table's draft page for editors.
        registry.register_table_action(
            registry.TableAction(
                label="Draft a framework from this table",
                viewname="engagement:framework-draft",
                permission="engagement.add_framework",
            )
        )
        # Editors who may change frameworks see the drafts (`core.visibility`).
        visibility.register_viewer_permission("engagement.change_framework")
        # Pages, exports and API reads that show the knowledge base at a release.
        registry.register_release_views(
            "engagement:home",
            "engagement:framework-detail",
            "engagement:framework-compare",
            "engagement:cell-detail",
            "engagement:activity-detail",
            "engagement:level-detail",
            "engagement:framework-export",
            "engagement:cell-cite",
            "api:cell-list",
            "api:cell-detail",
            "api:level-list",
            "api:level-detail",
            "api:activity-list",
            "api:activity-detail",
        )
