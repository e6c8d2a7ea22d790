"""Entry point for WSGI servers and the ``flask`` command."""

import sys

from dashboard import ConfigError, create_app

# Gunicorn stops for good when a worker exits with this code, rather than
# starting new workers that would fail the same way forever.
CANNOT_BOOT = 3

try:
    app = create_app()
except ConfigError as error:
    # A clear sentence instead of a traceback: the fix is in the message.
    print(f"The dashboard cannot start: {error}", file=sys.stderr)
    sys.exit(CANNOT_BOOT)
