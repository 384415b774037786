"""Reads of flags shared by the pages and the API: whose flags a user sees, the queue's
filters, each flag's claim in words."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Q

from core import registry
from review.models import Flag, FlagQuerySet
from review.readers import can_decide
from review.targets import api_path


def flags_for(user) -> FlagQuerySet:
    """The flags `user` may see: every one for an editor, their own for anyone else."""
    flags = Flag.objects.for_list().prefetch_related(targets_prefetch())
    return flags if can_decide(user) else flags.filter(reader=user)


def targets_prefetch() -> GenericPrefetch:
    """Each flagged claim with what its label and page need: one query per claim type."""
    return GenericPrefetch(
        "target", [claim.queryset() for claim in registry.claim_types().values()]
    )


def of_framework(framework_id: int) -> Q:
    """Flags on claims a framework's pages show (its cells): the claim types owned by
    `framework`, whichever they are (`ClaimType.owners`)."""
    condition = Q(pk__in=[])
    for claim in registry.claim_types().values():
        for kind, column in claim.owners:
            if kind == "framework" and column is not None:
                ids = claim.model._default_manager.filter(**{column: framework_id}).values("pk")
                condition |= Q(
                    content_type=ContentType.objects.get_for_model(claim.model),
                    object_id__in=ids,
                )
    return condition


@dataclass(frozen=True)
class TargetInfo:
    kind: str  # "Cell"
    type: str  # "cell", as the API names claim types
    label: str
    url: str | None  # its page
    api_path: str | None


def target_info(flag: Flag) -> TargetInfo | None:
    """The flagged claim in words, with its page and API address (None once it is gone).
    Expects `targets_prefetch()`."""
    claim = flag.target
    content_type = flag.content_type
    claim_type = registry.claim_type(content_type.app_label, content_type.model)
    if claim is None or claim_type is None:
        return None
    return TargetInfo(
        claim_type.kind,
        claim_type.name,
        claim_type.label(claim),
        claim_type.url(claim),
        api_path(claim),
    )
