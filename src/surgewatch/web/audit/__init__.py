"""The audit log: every state change with who, when, before and after (issue 8).

Capture is generic: the app listens to every model of the project and wraps
the ORM's bulk paths, so other apps record nothing themselves. Importing
this package loads no Django, so the command line can name its actor first.
"""

from __future__ import annotations

from surgewatch.web.audit.context import acting_as

__all__ = ["acting_as"]
