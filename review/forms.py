"""The forms of the flag pages: a reader's flag, an editor's decision."""

from __future__ import annotations

from django import forms

from review.models import NOTE_MAX, PROPOSED_TEXT_MAX, FlagReason
from review.serializers import TARGET_MAX


class FlagForm(forms.Form):
    target = forms.CharField(max_length=TARGET_MAX, widget=forms.HiddenInput, strip=False)
    reason = forms.ChoiceField(
        choices=FlagReason.choices, widget=forms.RadioSelect, label="What is amiss"
    )
    note = forms.CharField(
        max_length=NOTE_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Note",
        help_text=f"Plain text, at most {NOTE_MAX:,} characters: what is outdated, wrong or "
        "unsourced, and where you read otherwise.",
    )
    proposed_text = forms.CharField(
        max_length=PROPOSED_TEXT_MAX,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Proposed text (optional)",
        help_text="The text as it should read. An editor decides.",
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(max_length=NOTE_MAX, required=False, strip=False)
    page = forms.IntegerField(min_value=1, required=False)
