from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        from django.db.models import Q

        from core.history import history_model, m2m_history_model
        from core.registry import (
            ClaimType,
            ScopeRule,
            Tracked,
            register_claim,
            register_content,
            register_release_views,
            register_scopes,
            register_tracked,
        )
        from engagement.models import Activity, Cell, EngagementLevel, Framework

        register_content(EngagementLevel, Activity, Framework, Cell)
        # What a write moves (core.scopes): a framework's pages show it and its cells; the
        # indexes list the frameworks by name, source and institution.
        register_scopes(Framework, ScopeRule("frameworks"), ScopeRule("framework", "id"))
        register_scopes(Cell, ScopeRule("framework", "framework_id"))
        register_scopes(
            Framework.institutions.through,
            ScopeRule("frameworks"),
            ScopeRule("framework", "framework_id"),
            ScopeRule("institution", "institution_id"),
        )
        register_scopes(EngagementLevel, ScopeRule("vocabulary"))
        register_scopes(Activity, ScopeRule("vocabulary"))
        for claim in (
            ClaimType(
                "cell",
                Cell,
                "Cell",
                lambda c: f"Cell {c.activity.name} / {c.level.name} ({c.framework.name})",
                related=("framework", "activity", "level"),
                owners=(("framework", "framework_id"),),
            ),
            ClaimType(
                "level",
                EngagementLevel,
                "Level",
                lambda level: level.name,
                owners=(("vocabulary", None),),
            ),
            ClaimType(
                "activity", Activity, "Activity", lambda a: a.name, owners=(("vocabulary", None),)
            ),
        ):
            register_claim(claim)

        frameworks = history_model(Framework)._default_manager
        members = m2m_history_model(Framework, "institutions")._default_manager

        def of_documents(ids):
            return frameworks.filter(document_id__in=ids).values("id")

        def of_institutions(ids):
            return members.filter(institution_id__in=ids).values("framework_id")

        register_tracked(
            Tracked(
                "level", EngagementLevel, lambda level: level.name, api="level", text="definition"
            ),
            Tracked("activity", Activity, lambda a: a.name, api="activity", text="name"),
            Tracked(
                "framework",
                Framework,
                lambda f: f.name,
                api="framework",
                text="description",
                scopes={
                    "document": lambda ids: Q(document_id__in=ids),
                    "institution": lambda ids: Q(id__in=of_institutions(ids)),
                },
            ),
            Tracked(
                "cell",
                Cell,
                lambda c: f"{c.activity.name} / {c.level.name} ({c.framework.name})",
                key="pk",
                api="cell",
                related=("framework", "activity", "level"),
                text="text",
                scopes={
                    "framework": lambda ids: Q(framework_id__in=ids),
                    "activity": lambda ids: Q(activity_id__in=ids),
                    "level": lambda ids: Q(level_id__in=ids),
                    "document": lambda ids: Q(framework_id__in=of_documents(ids)),
                    "institution": lambda ids: Q(framework_id__in=of_institutions(ids)),
                },
            ),
        )
        # Pages, exports and API reads that show the knowledge base at a release.
        register_release_views(
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
