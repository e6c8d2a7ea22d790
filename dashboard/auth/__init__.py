"""Signing in and out, and creating the first account."""

from flask import Blueprint

from ..extensions import db, login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(public_id: str):
    from .service import find_user_by_public_id

    return find_user_by_public_id(db.session, public_id)


from . import views  # noqa: E402, F401
