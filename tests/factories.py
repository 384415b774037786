"""factory_boy factories for the objects tests build themselves, beside the seeded ones.

Every object made is valid as the product's own writes would make it: a document's passages
are split from its text (`document_upsert`), a passage's offsets hold in its document, a
citation quotes its passage where its offsets say. Slugs and ordinals come from sequences
well clear of the seeded knowledge base's, so both live in the same test database.
"""

from __future__ import annotations

import factory
from django.db.models import Max
from factory.django import DjangoModelFactory

from engagement.models import Activity, Cell, CellKind, EngagementLevel, Framework
from institutions.models import (
    Function,
    Institution,
    InstitutionKind,
    Mandate,
    MandateStatus,
    Relationship,
    RelationshipKind,
)
from sources.models import Citation, CitationRole, Document, DocumentKind, Passage, PassageKind
from sources.passage_rendering import render_passage
from sources.quotes import quote_context
from sources.services import document_upsert, text_sha256

# --- sources -------------------------------------------------------------------------------


class DocumentFactory(DjangoModelFactory):
    """A document and its passages, through `document_upsert` as an editor adds one."""

    class Meta:
        model = Document

    slug = factory.Sequence(lambda n: f"test-document-{n}")
    title = factory.Sequence(lambda n: f"Test document {n}")
    kind = DocumentKind.REPORT
    text = "Findings\n\nThe two institutions share evaluation methods.\n\nThey meet twice a year.\n"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        document, _summary = document_upsert(**kwargs)
        return document


class PassageFactory(DjangoModelFactory):
    """A paragraph added at the end of its document's text, so that its offsets hold there."""

    class Meta:
        model = Passage

    document = factory.SubFactory(DocumentFactory)
    anchor = factory.Sequence(lambda n: f"added-p{n}")
    kind = PassageKind.PARAGRAPH
    text = factory.Sequence(lambda n: f"Added paragraph {n}, with words to quote.")

    @classmethod
    def _create(cls, model_class, *args, document, text, **kwargs):
        document.text = f"{document.text.rstrip()}\n\n{text}\n"
        document.sha256 = text_sha256(document.text)
        document.save(update_fields=["text", "sha256"])
        start = len(document.text) - len(text) - 1
        last = document.passages.aggregate(last=Max("ordinal"))["last"] or 0
        kwargs.setdefault("ordinal", last + 1)
        rendered = render_passage(text, kind=kwargs.get("kind", PassageKind.PARAGRAPH))
        kwargs.setdefault("shown", rendered.shown)
        kwargs.setdefault("html", rendered.html)
        return model_class.objects.create(
            document=document, text=text, start=start, end=start + len(text), **kwargs
        )


# --- institutions --------------------------------------------------------------------------


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = Institution

    slug = factory.Sequence(lambda n: f"test-institution-{n}")
    name = factory.Sequence(lambda n: f"Test institution {n}")
    kind = InstitutionKind.SAFETY_INSTITUTE
    jurisdiction = "EU"


class FunctionFactory(DjangoModelFactory):
    class Meta:
        model = Function

    slug = factory.Sequence(lambda n: f"test-function-{n}")
    name = factory.Sequence(lambda n: f"Test function {n}")
    ordinal = factory.Sequence(lambda n: 20_000 + n)


class MandateFactory(DjangoModelFactory):
    class Meta:
        model = Mandate

    institution = factory.SubFactory(InstitutionFactory)
    function = factory.SubFactory(FunctionFactory)
    status = MandateStatus.YES
    statement = "Yes"


class RelationshipFactory(DjangoModelFactory):
    class Meta:
        model = Relationship

    slug = factory.Sequence(lambda n: f"test-tie-{n}")
    kind = RelationshipKind.MOU
    subject = factory.SubFactory(InstitutionFactory)
    object = factory.SubFactory(InstitutionFactory)
    description = "A tie."


# --- engagement ----------------------------------------------------------------------------


class EngagementLevelFactory(DjangoModelFactory):
    class Meta:
        model = EngagementLevel

    slug = factory.Sequence(lambda n: f"test-level-{n}")
    name = factory.Sequence(lambda n: f"Test level {n}")
    ordinal = factory.Sequence(lambda n: 20_000 + n)
    definition = "What the level means."
    conditions = "When it fits."


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    slug = factory.Sequence(lambda n: f"test-activity-{n}")
    name = factory.Sequence(lambda n: f"Test activity {n}")
    ordinal = factory.Sequence(lambda n: 20_000 + n)


class FrameworkFactory(DjangoModelFactory):
    """A framework on its source document; `institutions=[...]` sets its institutions."""

    class Meta:
        model = Framework
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"test-framework-{n}")
    name = factory.Sequence(lambda n: f"Test framework {n}")
    document = factory.SubFactory(DocumentFactory)

    @factory.post_generation
    def institutions(self, create, extracted, **kwargs):
        if create and extracted:
            self.institutions.set(extracted)


class CellFactory(DjangoModelFactory):
    """An analyst's cell; `CellFactory(empty=True)` for a position the source left blank."""

    class Meta:
        model = Cell

    class Params:
        empty = factory.Trait(kind=CellKind.EMPTY, text="")

    framework = factory.SubFactory(FrameworkFactory)
    activity = factory.SubFactory(ActivityFactory)
    level = factory.SubFactory(EngagementLevelFactory)
    kind = CellKind.ANALYST
    text = "An analyst's reading of the source."


class CitationFactory(DjangoModelFactory):
    """A valid citation of a claim (a new cell unless given): the quote is its passage's
    shown text from `start` to `end` (the whole passage unless given), with the prefix and
    suffix `sources.quotes` gives it within the passage."""

    class Meta:
        model = Citation
        exclude = ["context"]

    claim = factory.SubFactory(CellFactory)
    role = CitationRole.SOURCE
    passage = factory.SubFactory(PassageFactory)
    start = 0
    end = factory.LazyAttribute(lambda o: len(o.passage.shown))
    exact = factory.LazyAttribute(lambda o: o.passage.shown[o.start : o.end])
    context = factory.LazyAttribute(lambda o: quote_context(o.passage.shown, o.start, o.end))
    prefix = factory.LazyAttribute(lambda o: o.context[0])
    suffix = factory.LazyAttribute(lambda o: o.context[1])
