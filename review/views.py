"""The flag pages: a reader's flag form and their own flags; the editors' queue, where each
flag is accepted or declined (POST forms, no script needed); signing in and out.

These pages are each account's own (a CSRF token, a reader's flags): never cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core.pages import breadcrumbs
from core.paging import PageParametersMixin, filtered, only_parameters, paginate
from core.text import normalise_controls
from review.filters import FlagFilter
from review.forms import DecisionForm, FlagForm
from review.models import Flag
from review.readers import can_decide, can_flag
from review.selectors import flags_for, target_info
from review.services import FlagConflict, flag_accept, flag_create, flag_decline
from review.targets import target_resolve

PER_PAGE = 20


class SignInView(LoginView):
    """Readers and editors sign in here (readers are not staff: the admin's page is not
    theirs)."""

    template_name = "review/sign_in.html"
    redirect_authenticated_user = True
    extra_context = {"breadcrumbs": breadcrumbs(("Sign in", None))}


class SignOutView(LogoutView):
    next_page = "engagement:home"


class AccountOnlyMixin:
    """Signed-in accounts only (others are sent to sign in); `allowed(user)` says which.
    The pages are never cached."""

    def allowed(self, user) -> bool:
        return True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("review:sign-in"))
        if not self.allowed(request.user):
            raise PermissionDenied("Your account may not do this.")
        response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        response["Cache-Control"] = "private, no-store"
        return response


def _cleaned(data):
    cleaned = data.copy()
    for key in cleaned:
        cleaned.setlist(key, [normalise_controls(v)[0] for v in cleaned.getlist(key)])
    return cleaned


def _with_targets(flags: list[Flag]) -> list[Flag]:
    for flag in flags:
        flag.target_shown = target_info(flag)
    return flags


class FlagCreateView(AccountOnlyMixin, View):
    """A flag sent from a claim's page: on success to the reader's flags with a message; on
    a problem, the form again with each problem beside its field (a 400)."""

    http_method_names = ["post"]

    def allowed(self, user) -> bool:
        return can_flag(user)

    def post(self, request):
        form = FlagForm(request.POST)
        if form.is_valid():
            try:
                flag = flag_create(reader=request.user, **form.cleaned_data)
            except DjangoValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, f"Thank you: flag {flag.pk} is with the editors.")
                return HttpResponseRedirect(reverse("review:flag-mine"))
        # Shown again without the characters no text may hold (a NUL in a page breaks it).
        form.data = _cleaned(form.data)
        try:
            target = target_resolve(str(form.data.get("target", "")))
        except DjangoValidationError:
            target = None
        context = {
            "form": form,
            "target": target,
            "breadcrumbs": breadcrumbs(("Flag a claim", None)),
        }
        return render(request, "review/flag_form.html", context, status=400)


class MyFlagsView(AccountOnlyMixin, PageParametersMixin, TemplateView):
    """A reader's own flags, newest first, with what became of each."""

    template_name = "review/flag_mine.html"

    def get_context_data(self, **kwargs):
        only_parameters(self.request.GET)
        flags = flags_for(self.request.user).filter(reader=self.request.user)
        page = paginate(flags, self.request.GET, per_page=PER_PAGE, path=self.request.path)
        _with_targets(page.items)
        return {**self.error_context(), "page": page, "pagination": page}

    def error_context(self, **kwargs) -> dict:
        return {"breadcrumbs": breadcrumbs(("My flags", None))}


class FlagQueueView(AccountOnlyMixin, PageParametersMixin, TemplateView):
    """The editors' queue: open flags, newest first, by framework and reason."""

    template_name = "review/flag_queue.html"

    def allowed(self, user) -> bool:
        return can_decide(user)

    def get_context_data(self, **kwargs):
        params = self.request.GET
        filters = filtered(FlagFilter, params, flags_for(self.request.user).open())
        page = paginate(filters.qs, params, per_page=PER_PAGE, path=self.request.path)
        _with_targets(page.items)
        return {**self.error_context(), "page": page, "pagination": page, "filters": filters}

    def error_context(self, **kwargs) -> dict:
        return {
            "breadcrumbs": breadcrumbs(("Readers' flags", None)),
            "filters": FlagFilter(None),
        }


class FlagDecideView(AccountOnlyMixin, View):
    """Accept or decline one flag (a POST from the queue), then back to the queue with a
    message saying what was done or why not."""

    http_method_names = ["post"]
    decision = "accept"

    def allowed(self, user) -> bool:
        return can_decide(user)

    def post(self, request, pk: int):
        flag = get_object_or_404(Flag.objects.select_related("reader"), pk=pk)
        form = DecisionForm(request.POST)
        back = reverse("review:flag-queue")
        if not form.is_valid():
            problems = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
            messages.error(request, f"Flag {pk} was not settled ({problems}).")
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        if data["page"] and data["page"] > 1:
            back += f"?page={data['page']}"
        decide = flag_accept if self.decision == "accept" else flag_decline
        try:
            decide(flag=flag, editor=request.user, reason=data["reason"])
        except FlagConflict as error:
            messages.error(request, f"Flag {pk} was not settled: {error}")
        except DjangoValidationError as error:
            problems = " ".join(m for ms in error.message_dict.values() for m in ms)
            messages.error(request, f"Flag {pk} was not settled: {problems}")
        else:
            done = "accepted" if self.decision == "accept" else "declined"
            messages.success(request, f"Flag {pk} {done}.")
        return HttpResponseRedirect(back)
