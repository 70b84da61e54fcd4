"""The exercise page of an organisation (issue 7): pick or upload a script, run it in
the request (it is in memory and quick), and replay its timeline.

``?run=<id>`` shows one run from the organisation's exercise log. Reading needs a
role in the organisation; running needs a role of the plan (``permissions``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from surgewatch.web.exercises import selectors
from surgewatch.web.exercises.examples import examples_for
from surgewatch.web.exercises.forms import ExerciseForm
from surgewatch.web.exercises.models import ExerciseRun
from surgewatch.web.exercises.permissions import can_run, require_run
from surgewatch.web.exercises.services import run_script
from surgewatch.web.orgs.models import Organisation
from surgewatch.web.orgs.packs import pack_of
from surgewatch.web.orgs.requests import signed_in_user, viewable_organisation


@login_required
@require_http_methods(["GET", "POST"])
def exercises(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in_user(request)
    organisation = viewable_organisation(request, slug)
    if request.method == "POST":
        require_run(user, organisation)
    pack = pack_of(organisation.framework)
    posted = request.method == "POST"
    form = ExerciseForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        examples=examples_for(pack.id),
    )
    if posted and form.is_valid():
        try:
            run = run_script(user, organisation, form.script(), timezone.now())
        except ValidationError as error:
            field = "script_file" if form.cleaned_data.get("script_file") else "example"
            form.add_error(field, error.messages)
        else:
            done = f"Exercise run: {run.title}. Nothing live changed; nothing was sent."
            messages.success(request, done)
            return redirect(f"{reverse('exercises', args=[slug])}?run={run.pk}#timeline")
    shown = _shown(request, organisation)
    context = {
        "organisation": organisation,
        "pack": pack,
        "form": form,
        "can_run": can_run(user, organisation),
        "runs": selectors.runs_of(organisation)[:20],
        "shown": shown,
        "rows": selectors.timeline(shown, pack) if shown else [],
        **(selectors.overview(shown) if shown else {}),
    }
    return render(request, "exercises/exercises.html", context, status=400 if form.errors else 200)


def _shown(request: HttpRequest, organisation: Organisation) -> ExerciseRun | None:
    wanted = request.GET.get("run", "")
    if not wanted:
        return None
    if not wanted.isdigit():
        raise Http404("no such exercise run")
    return selectors.run_of(organisation, int(wanted))
