from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        from core.registry import ClaimType, register_claim, register_content
        from engagement.models import Activity, Cell, EngagementLevel, Framework

        register_content(EngagementLevel, Activity, Framework, Cell)
        for claim in (
            ClaimType(
                "cell",
                Cell,
                "Cell",
                lambda c: f"Cell {c.activity.name} / {c.level.name} ({c.framework.name})",
                related=("framework", "activity", "level"),
            ),
            ClaimType("level", EngagementLevel, "Level", lambda level: level.name),
            ClaimType("activity", Activity, "Activity", lambda a: a.name),
        ):
            register_claim(claim)
