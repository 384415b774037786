"""`{% flag_this target what %}`: the "Flag this" section of a claim's page, for any app's
template, without that app knowing the flags."""

from __future__ import annotations

from django import template

from review.forms import FlagForm
from review.readers import can_flag

register = template.Library()


@register.inclusion_tag("review/_flag_this.html", takes_context=True)
def flag_this(context, target: str, what: str) -> dict:
    """The form for a signed-in account that may flag; a sign-in link for anyone else;
    nothing on a page shown at a release (a flag is about the knowledge base as it is)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    allowed = user is not None and can_flag(user)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "release": context.get("release"),
        "signed_in": user is not None and user.is_authenticated,
        "allowed": allowed,
        "form": FlagForm(initial={"target": target}) if allowed else None,
        "flag_what": what,
    }
