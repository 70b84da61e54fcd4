"""``/healthz``: the trivial Django view the load suite measures as its peer (issue 8).

It runs the whole middleware stack and no query, so its latency under load is
what Django and gunicorn cost on this machine; a page's figure above it is the
page's own work. Load balancers may poll it too.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@require_safe  # GET and HEAD only: it changes nothing and takes nothing
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
