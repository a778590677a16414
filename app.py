"""The WSGI entry point: `flask --app app run`, or `gunicorn "app:app"`."""

import sys

from survey import create_app
from survey.content import ContentError
from survey.db import StartupError

try:
    app = create_app()
except (ContentError, StartupError) as error:
    # one line naming the file and the field, instead of a traceback
    sys.exit(f"Starting Point cannot start: {error}")
