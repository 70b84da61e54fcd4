"""Pages: a person's channels and choices, and the outbox. Thin: validate, call, render."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from surgewatch.web.accounts.models import User
from surgewatch.web.notify.forms import ChannelForm, OutboxFilterForm, PreferencesForm
from surgewatch.web.notify.models import Channel, Preference
from surgewatch.web.notify.selectors import memberships_with_names, outbox, visible_message
from surgewatch.web.notify.services import (
    add_channel,
    choose_channels,
    remove_channel,
    retry_now,
)
from surgewatch.web.orgs.requests import signed_in_user as _user

OUTBOX_PAGE_SIZE = 50


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    return _settings_page(request)


@login_required
@require_POST
def channel_add(request: HttpRequest) -> HttpResponse:
    form = ChannelForm(request.POST)
    if form.is_valid():
        kind, target = form.cleaned_data["kind"], form.cleaned_data["target"]
        try:
            channel = add_channel(_user(request), kind, target, timezone.now())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Added {channel}.")
            return redirect("notification-settings")
    return _settings_page(request, form=form, status=400)


@login_required
@require_POST
def channel_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        remove_channel(_user(request), pk)
    except Channel.DoesNotExist:
        raise Http404("no such channel of yours") from None
    messages.success(request, "Channel removed. Messages already sent through it stay listed.")
    return redirect("notification-settings")


@login_required
@require_POST
def preferences_save(request: HttpRequest) -> HttpResponse:
    form = _preferences_form(_user(request), request.POST)
    if form.is_valid():
        choose_channels(_user(request), form.choices())
        messages.success(request, "Your choices are saved.")
        return redirect("notification-settings")
    return _settings_page(request, form=form, status=400)


def _settings_page(
    request: HttpRequest, form: ChannelForm | PreferencesForm | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    context = {
        "form": form,  # the form just sent, for the error summary
        "channel_form": form if isinstance(form, ChannelForm) else ChannelForm(),
        "preferences_form": (
            form if isinstance(form, PreferencesForm) else _preferences_form(user, None)
        ),
        "channels": user.notify_channels.order_by("pk"),
    }
    return render(request, "notify/settings.html", context, status=status)


def _preferences_form(user: User, data: Mapping[str, Any] | None) -> PreferencesForm:
    chosen: dict[int, list[int]] = {}
    ticked = Preference.objects.filter(membership__user=user)
    for membership_id, channel_id in ticked.values_list("membership_id", "channel_id"):
        chosen.setdefault(membership_id, []).append(channel_id)
    channels = list(user.notify_channels.order_by("pk"))
    return PreferencesForm(data, memberships_with_names(user), channels, chosen)


@login_required
def outbox_page(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(outbox(_user(request), status), OUTBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notify/outbox.html", {"filter_form": form, "page": page})


@login_required
def outbox_message(request: HttpRequest, pk: int) -> HttpResponse:
    message = visible_message(_user(request), pk)
    if message is None:
        raise Http404("no such message in your outbox")
    attempts = message.attempts.select_related("requested_by").order_by("number")
    return render(request, "notify/message.html", {"message": message, "attempts": attempts})


@login_required
@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    if not user.is_superuser:
        raise PermissionDenied("only an administrator can retry a message")
    if retry_now(pk, by=user, now=timezone.now()):
        messages.success(request, f"Message {pk} is queued to be sent again.")
    else:
        messages.info(request, f"Message {pk} is not failed, so it was not retried.")
    return redirect("outbox")
