"""Signing in and out, and creating the first account."""

from flask import Blueprint, flash, make_response, redirect, request
from flask_login import login_url

from ..extensions import db, login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"


@login_manager.unauthorized_handler
def sign_in_first():
    """Send a signed-out visitor to the login page, then back where they were.

    An htmx request would otherwise swap the login page into a fragment, so it
    is told to load the login page as a whole page instead.
    """
    if request.htmx:
        came_from = request.htmx.current_url or request.url
        response = make_response("", 401)
        response.headers["HX-Redirect"] = login_url("auth.login", came_from)
        return response

    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url("auth.login", request.url))


@login_manager.user_loader
def load_user(session_id: str):
    from .service import user_for_session_id

    return user_for_session_id(db.session, session_id)


from . import views  # noqa: E402, F401
