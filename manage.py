#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    if sys.argv[1:2] != ["runserver"]:
        # Commands (migrations, reports, upkeep) may run long: not the web request deadlines (common.db).
        from common.db import use_long_running_timeouts

        use_long_running_timeouts()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
