"""The integrations dashboard: a Flask app to save and look after integrations."""

from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from . import rate_limits
from .config import ConfigError, build_config
from .extensions import csrf, db, htmx, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

__all__ = ["ConfigError", "create_app"]


def create_app(config: Mapping | None = None) -> Flask:
    """Build the app; ``config`` overrides what the environment says.

    :raise ConfigError: a required setting is missing or malformed.
    """
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(build_config(config, app.instance_path))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    trust_proxies(app)
    # Logging first: its request hook must run before any extension's hook
    # can refuse a request, so every answer carries a request id.
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_request_guards(app)
    register_security_headers(app)
    register_commands(app)
    register_template_helpers(app)
    check_key_ring(app)
    return app


def check_key_ring(app: Flask) -> None:
    """Refuse to start with keys that cannot read the stored secrets."""
    from .keyring_check import KeyRingMismatch, check_at_start

    with app.app_context():
        try:
            check_at_start(
                db.session, app.config["KEY_RING"], app.config["ENCRYPTION_KEYS"]
            )
        except KeyRingMismatch as error:
            db.session.remove()
            db.engine.dispose()  # this app will never serve; free its connections
            raise ConfigError(str(error)) from None
        db.session.remove()


def trust_proxies(app: Flask) -> None:
    """Read client address, scheme and host from TRUSTED_PROXIES proxy hops."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    rate_limits.register(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _tune_sqlite)

    from . import auth  # noqa: F401  (registers the user loader)


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers run beside a writer; the busy timeout makes concurrent
    # writers wait their turn instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def register_blueprints(app: Flask) -> None:
    from .api import bp as api_bp
    from .api_docs import bp as api_docs_bp
    from .api_keys import bp as api_keys_bp
    from .auth import bp as auth_bp
    from .integrations import bp as integrations_bp
    from .ops import bp as ops_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(integrations_bp)
    app.register_blueprint(api_keys_bp)
    app.register_blueprint(api_docs_bp)
    rate_limits.limit_api(api_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(ops_bp)
    csrf.exempt(api_bp)


def register_error_handlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_logging(app: Flask) -> None:
    from .logs import configure_logging

    configure_logging(app)


def register_request_guards(app: Flask) -> None:
    # After logging, so a refused request is still logged with its id.
    from .request_guards import register

    register(app)


def register_security_headers(app: Flask) -> None:
    from .security import register

    register(app)


def register_commands(app: Flask) -> None:
    from . import cli, maintenance

    cli.register(app)
    maintenance.register(app)


def register_template_helpers(app: Flask) -> None:
    from . import forms, templating

    templating.register(app)
    forms.register(app)
