from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = "Institutions"

    def ready(self) -> None:
        from core.registry import ClaimType, register_claim, register_content
        from institutions.models import (
            Function,
            Institution,
            InstitutionAlias,
            Mandate,
            Relationship,
        )

        register_content(Institution, InstitutionAlias, Function, Mandate, Relationship)
        for claim in (
            ClaimType("institution", Institution, "Institution", lambda i: i.name),
            ClaimType(
                "alias",
                InstitutionAlias,
                "Name",
                lambda a: f"“{a.name}”, a name of {a.institution.name}",
                url=lambda a: a.institution.get_absolute_url(),
                related=("institution",),
            ),
            ClaimType("function", Function, "Function", lambda f: f.name, url=lambda f: None),
            ClaimType(
                "mandate",
                Mandate,
                "Function status",
                lambda m: f"{m.institution.name}: {m.function.name} ({m.statement})",
                url=lambda m: f"{m.institution.get_absolute_url()}#functions",
                related=("institution", "function"),
            ),
            ClaimType(
                "relationship",
                Relationship,
                "Relationship",
                lambda r: f"{r.subject.name} – {r.get_kind_display()} – {r.object.name}",
                url=lambda r: f"{r.subject.get_absolute_url()}#relationships",
                related=("subject", "object"),
            ),
        ):
            register_claim(claim)
