#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiebang.settings")
    # manage.py is the developer's entry point: DEBUG unless told otherwise. Servers start through
    # jiebang.wsgi (gunicorn) or Celery, where DEBUG defaults to off and the default key is refused.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
