"""Loading the seeded knowledge base from the data files under fixtures/.

The files are TOML, transcribed from the source documents (see fixtures/knowledge_base/).
Loading is one transaction and idempotent: a row is written only when its values differ,
so a second run writes nothing and leaves the dataset version where it was. Nothing is
deleted: facts an editor added beside the seeded ones are kept.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction

from core.writes import row_upsert
from engagement.models import (
    Activity,
    Cell,
    CellKind,
    EngagementLevel,
    Framework,
    evidence_fitting,
    evidence_problems,
)
from institutions.models import Function, Institution, InstitutionAlias, Mandate, Relationship
from sources.models import CitationRole, Document, Passage
from sources.services import citation_attach, document_upsert


class SeedError(Exception):
    """The data files are inconsistent with themselves or with the source texts."""


@dataclass
class SeedReport:
    written: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    def count(self, label: str, changed: bool) -> None:
        (self.written if changed else self.unchanged)[label] += 1

    @property
    def changed(self) -> bool:
        return any(self.written.values())

    def lines(self) -> list[str]:
        labels = sorted(set(self.written) | set(self.unchanged))
        return [
            f"{label}: {self.written[label]} written, {self.unchanged[label]} unchanged"
            for label in labels
        ]


class _Loader:
    def __init__(self, directory: Path):
        self.directory = directory
        self.report = SeedReport()
        self.passages: dict[tuple[str, str], Passage] = {}

    def read(self, name: str) -> dict:
        path = self.directory / "knowledge_base" / name
        try:
            with path.open("rb") as handle:
                return tomllib.load(handle)
        except FileNotFoundError:
            raise SeedError(f"{path}: file not found") from None
        except tomllib.TOMLDecodeError as error:
            raise SeedError(f"{path}: {error}") from None

    def passage(self, document: str, anchor: str) -> Passage:
        try:
            return self.passages[(document, anchor)]
        except KeyError:
            raise SeedError(f"No passage {document}#{anchor}") from None

    def cite(
        self,
        claim: models.Model,
        specs: list[dict],
        *,
        default_document: str,
        role: str,
        default_exact: str | None = None,
    ) -> None:
        if not specs:
            raise SeedError(f"{claim!r} has no citation: every seeded fact needs one")
        for spec in specs:
            passage = self.passage(spec.get("document", default_document), spec["passage"])
            exact = spec.get("exact", default_exact if default_exact is not None else passage.text)
            try:
                _, created = citation_attach(
                    claim=claim,
                    passage=passage,
                    exact=exact,
                    role=role,
                    occurrence=spec.get("occurrence", 1),
                )
            except ValidationError as error:
                raise SeedError(f"{claim!r}: {'; '.join(error.messages)}") from None
            self.report.count("citations", created)

    def documents(self) -> None:
        for entry in self.read("documents.toml")["documents"]:
            path = self.directory / entry["file"]
            text = path.read_text(encoding="utf-8")
            document, summary = document_upsert(
                slug=entry["slug"],
                title=entry["title"],
                kind=entry["kind"],
                text=text,
                format=entry.get("format", "text"),
                authors=entry.get("authors", []),
                publisher=entry.get("publisher", ""),
                published=entry.get("published"),
                published_precision=entry.get("published_precision", "day"),
                url=entry.get("url", ""),
                language=entry.get("language", "en"),
            )
            self.report.count("documents", summary.changed)
            for passage in Passage.objects.filter(document=document):
                self.passages[(document.slug, passage.anchor)] = passage

    def institutions(self) -> None:
        data = self.read("institutions.toml")
        brief = data["brief"]
        by_slug = self._institutions(data["institutions"], brief)
        self._functions(data["functions"], brief, by_slug)
        self._relationships(data["relationships"], brief, by_slug)

    def _institutions(self, entries: list[dict], brief: str) -> dict[str, Institution]:
        """The institutions, then their parents, citations and other names."""
        by_slug: dict[str, Institution] = {}
        for entry in entries:
            values = {
                "name": entry["name"],
                "short_name": entry.get("short_name", ""),
                "kind": entry["kind"],
                "jurisdiction": entry["jurisdiction"],
            }
            institution, changed = row_upsert(
                Institution, lookup={"slug": entry["slug"]}, values=values
            )
            by_slug[institution.slug] = institution
            self.report.count("institutions", changed)
        for entry in entries:
            institution = by_slug[entry["slug"]]
            if "parent" in entry:
                _, changed = row_upsert(
                    Institution,
                    lookup={"pk": institution.pk},
                    values={"parent": by_slug[entry["parent"]]},
                )
                self.report.count("institutions", changed)
            self.cite(institution, entry["cite"], default_document=brief, role=CitationRole.SOURCE)
            for alias in entry.get("aliases", []):
                values = {
                    "is_former": alias.get("is_former", False),
                    "valid_from": alias.get("valid_from"),
                    "valid_until": alias.get("valid_until"),
                    "note": alias.get("note", ""),
                }
                row, changed = row_upsert(
                    InstitutionAlias,
                    lookup={"institution": institution, "name": alias["name"]},
                    values=values,
                )
                self.report.count("aliases", changed)
                self.cite(row, alias["cite"], default_document=brief, role=CitationRole.SOURCE)
        return by_slug

    def _functions(self, entries: list[dict], brief: str, by_slug: dict[str, Institution]) -> None:
        """The functions, each with every institution's status for it."""
        for entry in entries:
            function, changed = row_upsert(
                Function,
                lookup={"slug": entry["slug"]},
                values={"name": entry["name"], "ordinal": entry["ordinal"]},
            )
            self.report.count("functions", changed)
            self.cite(function, entry["cite"], default_document=brief, role=CitationRole.SOURCE)
            row_anchor = entry["cite"][0]["passage"]
            for mandate_entry in entry["mandates"]:
                mandate, changed = row_upsert(
                    Mandate,
                    lookup={
                        "institution": by_slug[mandate_entry["institution"]],
                        "function": function,
                    },
                    values={
                        "status": mandate_entry["status"],
                        "statement": mandate_entry["statement"],
                    },
                )
                self.report.count("mandates", changed)
                spec = {
                    "passage": row_anchor,
                    "exact": mandate_entry["statement"],
                    "occurrence": mandate_entry.get("occurrence", 1),
                }
                self.cite(mandate, [spec], default_document=brief, role=CitationRole.SOURCE)

    def _relationships(
        self, entries: list[dict], brief: str, by_slug: dict[str, Institution]
    ) -> None:
        for entry in entries:
            values = {
                "kind": entry["kind"],
                "subject": by_slug[entry["subject"]],
                "object": by_slug[entry["object"]],
                "description": entry["description"],
                "date": entry.get("date"),
                "date_note": entry.get("date_note", ""),
            }
            relationship, changed = row_upsert(
                Relationship, lookup={"slug": entry["slug"]}, values=values
            )
            self.report.count("relationships", changed)
            self.cite(relationship, entry["cite"], default_document=brief, role=CitationRole.SOURCE)

    def engagement(self) -> None:
        data = self.read("engagement.toml")
        brief = data["brief"]
        levels = self._levels(data["levels"], brief)
        activities = self._activities(data["activities"], brief)
        frameworks = self._frameworks(data["frameworks"])
        self._cells(data, brief, frameworks=frameworks, activities=activities, levels=levels)

    def _levels(self, entries: list[dict], brief: str) -> dict[str, EngagementLevel]:
        levels = {}
        for entry in entries:
            values = {k: entry[k] for k in ("name", "ordinal", "definition", "conditions")}
            level, changed = row_upsert(
                EngagementLevel, lookup={"slug": entry["slug"]}, values=values
            )
            levels[level.slug] = level
            self.report.count("levels", changed)
            self.cite(
                level,
                entry["definition_cite"],
                default_document=brief,
                role=CitationRole.DEFINITION,
                default_exact=entry["definition"],
            )
            self.cite(
                level,
                entry["conditions_cite"],
                default_document=brief,
                role=CitationRole.CONDITIONS,
            )
        return levels

    def _activities(self, entries: list[dict], brief: str) -> dict[str, Activity]:
        activities = {}
        for entry in entries:
            activity, changed = row_upsert(
                Activity,
                lookup={"slug": entry["slug"]},
                values={"name": entry["name"], "ordinal": entry["ordinal"]},
            )
            activities[activity.slug] = activity
            self.report.count("activities", changed)
            self.cite(
                activity,
                entry["cite"],
                default_document=brief,
                role=CitationRole.SOURCE,
                default_exact=entry["name"],
            )
        return activities

    def _frameworks(self, entries: list[dict]) -> dict[str, Framework]:
        frameworks = {}
        for entry in entries:
            values = {
                "name": entry["name"],
                "description": entry.get("description", ""),
                "ordinal": entry.get("ordinal", 100),
                "document": Document.objects.defer("text").get(slug=entry["document"]),
            }
            framework, changed = row_upsert(
                Framework, lookup={"slug": entry["slug"]}, values=values
            )
            wanted = set(Institution.objects.filter(slug__in=entry["institutions"]))
            if set(framework.institutions.all()) != wanted:
                framework.institutions.set(wanted)
                changed = True
            frameworks[framework.slug] = framework
            self.report.count("frameworks", changed)
        return frameworks

    def _cells(
        self,
        data: dict,
        brief: str,
        *,
        frameworks: dict[str, Framework],
        activities: dict[str, Activity],
        levels: dict[str, EngagementLevel],
    ) -> None:
        """The cells, each cited, and the narrative's emphasis on some of them."""
        emphasis = {
            (e["framework"], e["activity"], e["level"]): e["cite"] for e in data["emphasis"]
        }
        seen = set()
        for entry in data["cells"]:
            key = (entry["framework"], entry["activity"], entry["level"])
            if key in seen:
                raise SeedError(f"Cell {key} is listed twice")
            seen.add(key)
            framework = frameworks[entry["framework"]]
            values = {
                "kind": entry["kind"],
                "text": entry.get("text", ""),
                "emphasised": key in emphasis,
                **_evidence(entry, key),
            }
            cell, changed = row_upsert(
                Cell,
                lookup={
                    "framework": framework,
                    "activity": activities[entry["activity"]],
                    "level": levels[entry["level"]],
                },
                values=values,
            )
            self.report.count("cells", changed)
            if cell.kind != CellKind.EMPTY:
                self.cite(
                    cell,
                    entry["cite"],
                    default_document=framework.document.slug,
                    role=CitationRole.SOURCE,
                    default_exact=cell.text,
                )
            if key in emphasis:
                self.cite(cell, emphasis[key], default_document=brief, role=CitationRole.EMPHASIS)
        missing = set(emphasis) - seen
        if missing:
            raise SeedError(f"Emphasis on cells that are not listed: {sorted(missing)}")


def _evidence(entry: dict, key: tuple) -> dict:
    """A cell's evidence and note as the data file gives them (the evidence that fits its
    kind where it gives none); a mismatch is an error naming the cell."""
    kind, note = entry["kind"], entry.get("note", "")
    evidence = entry.get("evidence") or evidence_fitting(kind, "")
    problems = evidence_problems(kind=kind, evidence=evidence, note=note)
    if problems:
        raise SeedError(f"Cell {key}: " + "; ".join(problems.values()))
    return {"evidence": evidence, "note": note}


@transaction.atomic
def knowledge_base_seed(*, directory: Path) -> SeedReport:
    """Load (or reload) the seeded knowledge base from `directory`; all or nothing."""
    loader = _Loader(directory)
    loader.documents()
    loader.institutions()
    loader.engagement()
    return loader.report
