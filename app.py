"""The WSGI entry point: `flask --app app run`, or `gunicorn "app:app"`."""

import sys

from survey import create_app
from survey.content import ContentError
from survey.db import StartupError

try:
    app = create_app()
except (ContentError, StartupError, OSError) as error:
    # one line saying why (the file and the field, the folder, the disk), not a traceback
    sys.exit(f"Starting Point cannot start: {error}")
