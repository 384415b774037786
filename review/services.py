"""Flags: a reader makes one, an editor accepts or declines it. Each write is atomic and
validates first; a refused one writes nothing.

A machine proposes, an editor decides: a reader's proposal is applied only when an editor
accepts it, as a normal write through the claim's own API serializer (its validation,
quote checks included), and the history of that write names the editor as its author and
the flag and its reader in its reason.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.text import stored_text_problem
from review.models import Flag, FlagReason, FlagStatus
from review.readers import public_name
from review.targets import Target, target_of, target_resolve
from sources.models import Passage
from sources.services import citation_attach, passage_quote

# simple-history's `history_change_reason` holds at most this many characters.
CHANGE_REASON_MAX = 100


class FlagConflict(Exception):
    """The flag cannot be settled so: it was settled already, or its proposal no longer
    applies (the claim changed or is gone, the quote is no longer in the passage)."""


def _texts_check(values: dict[str, str]) -> None:
    errors = {
        name: [problem]
        for name, value in values.items()
        for problem in [stored_text_problem(value)]
        if problem
    }
    if errors:
        raise ValidationError(errors)


def open_flag_limit() -> int:
    return settings.ATLAS_READER_OPEN_FLAGS


def _open_flags_check(reader) -> None:
    """At most `ATLAS_READER_OPEN_FLAGS` open flags a reader. The reader's row is locked
    first, so that two flags sent at once are counted one after the other."""
    User = get_user_model()
    User._default_manager.select_for_update().filter(pk=reader.pk).first()
    limit = open_flag_limit()
    if Flag.objects.open().filter(reader=reader).count() >= limit:
        raise ValidationError(
            {
                "non_field_errors": [
                    f"You have {limit} open flags, the most a reader may have; wait until "
                    "editors settle one."
                ]
            }
        )


@transaction.atomic
def flag_create(
    *,
    reader,
    target: str | Target,
    reason: str,
    note: str,
    proposed_text: str = "",
    proposed_passage: Passage | None = None,
    proposed_quote: str = "",
) -> Flag:
    """A new open flag by `reader` on the claim `target` (its `api_url`), validated whole
    before anything is written: a ValidationError names each bad field."""
    texts = {"note": note, "proposed_text": proposed_text, "proposed_quote": proposed_quote}
    _texts_check({"target": target, **texts} if isinstance(target, str) else texts)
    resolved = target_resolve(target) if isinstance(target, str) else target
    if reason not in FlagReason.values:
        raise ValidationError({"reason": [f"Use one of {', '.join(FlagReason.values)}."]})
    if not note.strip():
        raise ValidationError({"note": ["Say what is outdated, wrong or unsourced."]})
    if proposed_text and resolved.text_field is None:
        raise ValidationError({"proposed_text": ["This claim has no text to correct."]})
    if bool(proposed_quote) != (proposed_passage is not None):
        missing = "proposed_quote" if proposed_passage is not None else "proposed_passage"
        raise ValidationError({missing: ["A proposed source is a passage and its exact words."]})
    if proposed_passage is not None:
        try:
            passage_quote(proposed_passage, proposed_quote)
        except ValidationError as error:
            raise ValidationError({"proposed_quote": error.message_dict["exact"]}) from None
    flag = Flag(
        content_type=ContentType.objects.get_for_model(resolved.obj),
        object_id=resolved.obj.pk,
        reader=reader,
        reason=reason,
        note=note,
        proposed_text=proposed_text,
        proposed_passage=proposed_passage,
        proposed_quote=proposed_quote,
        target_text=resolved.text,
    )
    flag.full_clean()
    _open_flags_check(reader)
    flag.save()
    return flag


def _decision_reason_check(reason: str, *, required: bool) -> None:
    _texts_check({"reason": reason})
    if required and not reason.strip():
        raise ValidationError({"reason": ["Say why the flag is declined; its reader sees it."]})
    limit = Flag._meta.get_field("decision_reason").max_length
    if limit is not None and len(reason) > limit:
        raise ValidationError(
            {
                "reason": [
                    f"Ensure this value has at most {limit} characters (it has {len(reason)})."
                ]
            }
        )


def _lock_open(flag: Flag) -> Flag:
    """The flag read again under a row lock, if it is still open: of two editors settling it
    at once, the second finds it settled."""
    locked = Flag.objects.select_for_update().filter(pk=flag.pk).first()
    if locked is None or locked.status != FlagStatus.OPEN:
        status = "gone" if locked is None else locked.status
        raise FlagConflict(f"Flag {flag.pk} is {status} already; nothing was changed.")
    return locked


def change_reason(flag: Flag, editor) -> str:
    """The reason of the write an accepted flag makes: the flag, its reader, its editor (as
    the public sees them: names, never usernames)."""
    reader = public_name(flag.reader, fallback="a reader")
    by = public_name(editor, fallback="an editor")
    reason = f"flag {flag.pk} by {reader}, accepted by {by}"
    if len(reason) > CHANGE_REASON_MAX:
        reason = f"flag {flag.pk} by {reader[:30]}, accepted by {by[:30]}"
    return reason[:CHANGE_REASON_MAX]


def _text_apply(target: Target, text: str, *, editor, reason: str) -> None:
    """Write the proposed text through the claim's API serializer, as the API would."""
    field = target.text_field
    serializer = target.serializer_class(target.obj, data={field: text}, partial=True)
    writable = field in serializer.fields and not serializer.fields[field].read_only
    if not writable:
        raise FlagConflict(f"The {target.claim.kind.lower()}'s {field} is not written so.")
    if not serializer.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}"
            for name, messages in serializer.errors.items()
        )
        raise FlagConflict(f"The proposed text cannot be written ({problems}).")
    target.obj._history_user = editor
    target.obj._change_reason = reason
    serializer.save()


def _source_apply(flag: Flag, target: Target, *, editor, reason: str) -> None:
    """Cite the proposed passage for the claim, with the history naming editor and reader."""
    if flag.proposed_passage is None:
        raise FlagConflict("The proposed passage is gone from its document.")
    try:
        citation, written = citation_attach(
            claim=target.obj, passage=flag.proposed_passage, exact=flag.proposed_quote
        )
    except ValidationError as error:
        raise FlagConflict(
            f"The proposed quote no longer stands: {' '.join(error.messages)}"
        ) from None
    if written:
        citation.history.filter(history_id=citation.history.latest().history_id).update(
            history_user=editor, history_change_reason=reason
        )


def _proposal_apply(flag: Flag, *, editor) -> None:
    if not (flag.proposed_text or flag.proposed_quote):
        return  # a flag without a proposal: the editor fixed what it says, or will
    obj = flag.target  # None once the claim is deleted
    target = target_of(obj) if obj is not None else None
    if target is None:
        raise FlagConflict("The flagged claim is gone; its proposal no longer applies.")
    reason = change_reason(flag, editor)
    if flag.proposed_text:
        if target.text != flag.target_text:
            raise FlagConflict(
                f"The {target.claim.kind.lower()}'s text changed since it was flagged; the "
                "proposal was made against the old text. Decline it, or apply it by hand."
            )
        if target.text != flag.proposed_text:
            _text_apply(target, flag.proposed_text, editor=editor, reason=reason)
    if flag.proposed_quote:
        _source_apply(flag, target, editor=editor, reason=reason)


@transaction.atomic
def flag_accept(*, flag: Flag, editor, reason: str = "") -> Flag:
    """Accept an open flag: its proposal (text, source) is applied as a normal write, then
    the flag is settled, with the editor's optional word to the reader (`reason`).
    FlagConflict if it is settled already or its proposal no longer applies; then nothing
    is written."""
    _decision_reason_check(reason, required=False)
    flag = _lock_open(flag)
    _proposal_apply(flag, editor=editor)
    flag.status = FlagStatus.ACCEPTED
    flag.decided_by = editor
    flag.decided_at = timezone.now()
    flag.decision_reason = reason
    flag.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return flag


@transaction.atomic
def flag_decline(*, flag: Flag, editor, reason: str) -> Flag:
    """Decline an open flag, saying why (`reason`, shown to its reader). FlagConflict if it
    is settled already."""
    _decision_reason_check(reason, required=True)
    flag = _lock_open(flag)
    flag.status = FlagStatus.DECLINED
    flag.decided_by = editor
    flag.decided_at = timezone.now()
    flag.decision_reason = reason
    flag.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return flag
