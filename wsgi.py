"""Entry point for WSGI servers and the ``flask`` command."""

import sys

from dashboard import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:
    # A clear sentence instead of a traceback: the fix is in the message.
    sys.exit(f"The dashboard cannot start: {error}")
