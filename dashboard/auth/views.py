"""Sign in, sign out, and create the first account through /setup."""

from flask import (
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from ..extensions import db
from ..rate_limits import limit_login
from . import bp
from .forms import LoginForm, SetupForm
from .service import (
    SetupClosed,
    any_user_exists,
    authenticate,
    create_first_user,
    end_all_sessions,
    safe_next_path,
    setup_token_matches,
)

LOGIN_FAILED = "Email or password is incorrect."


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("integrations.index"))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limit_login
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        if current_user.is_authenticated:
            return redirect(_landing_page(form.next.data))

    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            _start_session(user, remember=form.remember.data)
            return redirect(_landing_page(form.next.data or request.args.get("next")))
        form.form_errors.append(LOGIN_FAILED)

    return render_template(
        "auth/login.html", form=form, setup_needed=not any_user_exists(db.session)
    )


@bp.post("/logout")
def logout():
    # Copied cookies must die with this one, so the user's token changes.
    if current_user.is_authenticated:
        end_all_sessions(db.session, current_user)
    # Clear first: logout_user then leaves its note to delete the remember cookie.
    _clear_session()
    logout_user()

    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    if any_user_exists(db.session):
        return _setup_closed()

    form = SetupForm()
    token = form.token.data if request.method == "POST" else request.args.get("token")
    if not setup_token_matches(current_app.config["SECRET_KEY"], token or ""):
        return _no_store(render_template("auth/setup_token_needed.html"), 403)

    form.token.data = token
    if form.validate_on_submit():
        try:
            user = create_first_user(db.session, form.email.data, form.password.data)
        except SetupClosed:
            return _setup_closed()
        _start_session(user, remember=False)
        flash("Your account is ready.", "success")
        return redirect(url_for("integrations.index"))

    return _no_store(render_template("auth/setup.html", form=form), 200)


def _start_session(user, remember: bool) -> None:
    # A fresh session on every sign-in, so nothing set before it carries over.
    _clear_session()
    login_user(user, remember=remember)


def _clear_session() -> None:
    session.clear()
    # Flask-WTF caches the signed CSRF token on g; the cleared session's token
    # must not be handed out again (g outlives a request when the app context
    # is shared, as in the test suite).
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def _landing_page(next_path: str | None) -> str:
    return safe_next_path(next_path) or url_for("integrations.index")


def _setup_closed():
    return render_template("auth/setup_closed.html"), 404


def _no_store(body: str, status: int):
    # The setup page carries the token in its form and its address.
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
