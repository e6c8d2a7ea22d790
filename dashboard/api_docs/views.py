"""The API page: base address, links and one example call per route."""

from flask import render_template, request, url_for
from flask_login import login_required

from . import bp
from .examples import build_examples


@bp.get("")
@login_required
def index():
    examples = build_examples(
        save_url=url_for("api.save_integration", _external=True),
        list_url=url_for("api.list_integrations", _external=True),
        openapi_url=url_for("api.openapi", _external=True),
    )
    return render_template(
        "api_docs/index.html", base_url=request.url_root, examples=examples
    )
