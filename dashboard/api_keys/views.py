"""The API keys page: list, create (shown once) and revoke."""

from uuid import UUID

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user, login_required

from ..extensions import db
from . import bp
from .forms import CreateApiKeyForm
from .service import create_api_key, curl_example, keys_of, revoke_api_key


@bp.get("")
@login_required
def index():
    return _render_page(CreateApiKeyForm())


@bp.post("")
@login_required
def create():
    form = CreateApiKeyForm()
    if not form.validate_on_submit():
        return _render_page(form)

    new_key = create_api_key(db.session, current_user, form.name.data)
    # The key lives only in this response: no redirect, flash or session copy.
    response = _render_page(
        CreateApiKeyForm(formdata=None),
        new_key=new_key,
        curl=curl_example(
            url_for("api.save_integration", _external=True), new_key.plaintext
        ),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<uuid:key_id>/revoke")
@login_required
def revoke(key_id: UUID):
    """Revoke one of the signed-in user's keys.

    :raise 404: the key does not exist or belongs to someone else.
    """
    if not revoke_api_key(db.session, current_user, str(key_id)):
        abort(404)

    flash("The API key is revoked; requests that use it now get 401.", "success")
    return redirect(url_for("api_keys.index"))


def _render_page(form: CreateApiKeyForm, **extra):
    keys = keys_of(db.session, current_user)
    return make_response(
        render_template("api_keys/index.html", form=form, keys=keys, **extra)
    )
