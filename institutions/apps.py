from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "institutions"
    verbose_name = "Institutions"

    def ready(self) -> None:
        from django.db.models import Q

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
        from institutions.models import (
            Function,
            Institution,
            InstitutionAlias,
            Mandate,
            Relationship,
        )

        register_content(Institution, InstitutionAlias, Function, Mandate, Relationship)
        # What a write moves (core.scopes): an institution's page shows its names, functions,
        # ties and units (a unit's write moves its parent); the index lists institutions by
        # any of their names, and the pickers offer those with functions.
        register_scopes(
            Institution,
            ScopeRule("institutions"),
            ScopeRule("institution", "id"),
            ScopeRule("institution", "parent_id"),
        )
        register_scopes(
            InstitutionAlias, ScopeRule("institutions"), ScopeRule("institution", "institution_id")
        )
        register_scopes(Function, ScopeRule("vocabulary"))
        register_scopes(
            Mandate, ScopeRule("institutions"), ScopeRule("institution", "institution_id")
        )
        register_scopes(
            Relationship,
            ScopeRule("institution", "subject_id"),
            ScopeRule("institution", "object_id"),
        )
        for claim in (
            ClaimType(
                "institution",
                Institution,
                "Institution",
                lambda i: i.name,
                owners=(("institution", "id"),),
            ),
            ClaimType(
                "alias",
                InstitutionAlias,
                "Name",
                lambda a: f"“{a.name}”, a name of {a.institution.name}",
                url=lambda a: a.institution.get_absolute_url(),
                related=("institution",),
                owners=(("institution", "institution_id"),),
            ),
            ClaimType(
                "function",
                Function,
                "Function",
                lambda f: f.name,
                url=lambda f: None,
                owners=(("vocabulary", None),),
            ),
            ClaimType(
                "mandate",
                Mandate,
                "Function status",
                lambda m: f"{m.institution.name}: {m.function.name} ({m.statement})",
                url=lambda m: f"{m.institution.get_absolute_url()}#functions",
                related=("institution", "function"),
                owners=(("institution", "institution_id"),),
            ),
            ClaimType(
                "relationship",
                Relationship,
                "Relationship",
                lambda r: f"{r.subject.name} – {r.get_kind_display()} – {r.object.name}",
                url=lambda r: f"{r.subject.get_absolute_url()}#relationships",
                related=("subject", "object"),
                owners=(("institution", "subject_id"), ("institution", "object_id")),
            ),
        ):
            register_claim(claim)

        register_tracked(
            Tracked("institution", Institution, lambda i: i.name, api="institution", text="name"),
            Tracked(
                "alias",
                InstitutionAlias,
                lambda a: f"“{a.name}”, a name of {a.institution.name}",
                key="pk",
                url=lambda a: a.institution.get_absolute_url(),
                related=("institution",),
                text="name",
                scopes={"institution": lambda ids: Q(institution_id__in=ids)},
            ),
            Tracked(
                "function",
                Function,
                lambda f: f.name,
                api="function",
                url=lambda f: None,
                text="name",
            ),
            Tracked(
                "mandate",
                Mandate,
                lambda m: f"{m.institution.name}: {m.function.name}",
                key="pk",
                api="mandate",
                url=lambda m: f"{m.institution.get_absolute_url()}#functions",
                related=("institution", "function"),
                text="statement",
                scopes={"institution": lambda ids: Q(institution_id__in=ids)},
            ),
            Tracked(
                "relationship",
                Relationship,
                lambda r: f"{r.subject.name} – {r.get_kind_display()} – {r.object.name}",
                api="relationship",
                url=lambda r: f"{r.subject.get_absolute_url()}#relationships",
                related=("subject", "object"),
                text="description",
                scopes={"institution": lambda ids: Q(subject_id__in=ids) | Q(object_id__in=ids)},
            ),
        )
        # Pages, exports and API reads that show the knowledge base at a release.
        register_release_views(
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
