"""WSGI entry point; production runs with ``surgewatch.web.settings.prod``."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surgewatch.web.settings.prod")

application = get_wsgi_application()
