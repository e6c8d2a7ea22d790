"""Integration pages: the list, the new form with its type swap, detail, checks."""

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from htmx_flask import make_response

from ..catalog import TYPES
from ..extensions import db
from ..models import Integration
from ..timeutil import utcnow
from . import bp, queries
from .contract import SECRET_FIELDS
from .forms import (
    DEFAULT_TYPE,
    IntegrationForm,
    ListFilterForm,
    form_for,
    type_for_submission,
)
from .health import failing_checks, run_checks
from .service import (
    DuplicateIdentifier,
    get_owned,
    key_ring,
    mask_secret,
    save_integration,
)


def get_owned_or_404(integration_id) -> Integration:
    """Return the signed-in user's integration.

    :raise 404: it does not exist or belongs to someone else.
    """
    integration = get_owned(db.session, current_user, str(integration_id))
    if integration is None:
        abort(404)
    return integration


def _wants_fragment() -> bool:
    # htmx restores history with a full-page request that also says HX-Request.
    return bool(request.htmx) and not request.htmx.history_restore_request


@bp.get("/integrations")
@login_required
def index():
    filter_form = ListFilterForm(formdata=request.args)
    filters = filter_form.to_filters()
    now = utcnow()

    statement = queries.filtered(current_user, filters, now)
    page = queries.paginate(
        db.session,
        statement,
        queries.parse_page_number(request.args.get("page")),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "integrations/list.html",
        filter_form=filter_form,
        filters=filters,
        page=page,
        rows=queries.list_rows(page.items, now),
    )


@bp.route("/integrations/new", methods=["GET", "POST"])
@login_required
def new():
    # The type select's htmx request names its value integration_type.
    requested = (
        request.args.get("type") or request.args.get("integration_type") or DEFAULT_TYPE
    )
    if requested not in TYPES:
        abort(404, description=f"There is no integration type {requested!r}.")

    if request.method == "GET":
        form = form_for(requested)
        if _wants_fragment():
            return _type_fields_response(form)
        return _form_page(form, 200)

    form = form_for(type_for_submission(request.form, requested), request.form)
    if not form.validate():
        return _form_page(form, 422)

    try:
        outcome = save_integration(
            db.session, current_user, form.payload, via="dashboard"
        )
    except DuplicateIdentifier as duplicate:
        existing = url_for(".detail", integration_id=duplicate.existing_id)
        form.mark_duplicate(existing)
        return _form_page(form, 409)

    flash(f"Saved “{outcome.integration.name}”.", "success")
    for warning in outcome.warnings:
        flash(warning, "warning")
    return redirect(url_for(".detail", integration_id=outcome.integration.id), 303)


def _form_page(form: IntegrationForm, status: int):
    page = render_template("integrations/new.html", form=form, kind=form.kind)
    response = make_response(page, status)
    response.vary.add("HX-Request")
    return response


def _type_fields_response(form: IntegrationForm):
    """The type's fields alone, with the type links updated out of band."""
    fields = render_template("partials/_type_fields.html", form=form, kind=form.kind)
    links = render_template("partials/_type_switch.html", kind=form.kind, oob=True)
    response = make_response(
        fields + links, replace_url=url_for(".new", type=form.kind.slug)
    )
    response.vary.add("HX-Request")
    return response


@bp.get("/integrations/<uuid:integration_id>")
@login_required
def detail(integration_id):
    integration = get_owned_or_404(integration_id)
    ring = key_ring()

    secrets = {field: mask_secret(integration, field, ring) for field in SECRET_FIELDS}
    return render_template(
        "integrations/detail.html",
        integration=integration,
        kind=TYPES[integration.integration_type],
        failing=failing_checks(integration, utcnow()),
        secrets=secrets,
    )


@bp.get("/integrations/<uuid:integration_id>/troubleshoot")
@login_required
def troubleshoot(integration_id):
    integration = get_owned_or_404(integration_id)

    results = run_checks(integration, utcnow())
    return render_template(
        "integrations/troubleshoot.html",
        integration=integration,
        kind=TYPES[integration.integration_type],
        results=results,
        failed=[result for result in results if not result.passed],
    )
