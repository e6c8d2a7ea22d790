"""Entry point for WSGI servers and the ``flask`` command."""

from dashboard import create_app

app = create_app()
