#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wres_portal.settings")
    from django.core.management import execute_from_command_line

    from audit.context import command_context

    # Changes made by a command are recorded in the audit trail as `command:<name>`.
    with command_context(sys.argv):
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
