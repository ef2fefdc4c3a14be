#!/usr/bin/env python
"""Django's command-line utility for Lumeire."""

import os
import sys
from pathlib import Path

# The local secrets file that `make run` writes, for commands typed by hand on a developer
# machine; a deployment sets real environment variables and has no such file.
LOCAL_SECRETS = Path(__file__).resolve().parent / "var" / "secrets.env"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if LOCAL_SECRETS.is_file():
        os.environ.setdefault("LUMEIRE_ENV_FILE", str(LOCAL_SECRETS))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
