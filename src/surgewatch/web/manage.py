"""Django's management commands (``python -m surgewatch.web.manage migrate``).

Development settings unless ``DJANGO_SETTINGS_MODULE`` says otherwise.
"""

from __future__ import annotations

import os
import sys


def main(args: list[str] | None = None) -> None:
    """Run a management command; ``args`` excludes the program name (``["migrate"]``)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "surgewatch.web.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["surgewatch manage", *(sys.argv[1:] if args is None else args)])


if __name__ == "__main__":
    main()
