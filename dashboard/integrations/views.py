"""Integration pages: list, create, edit, switch, delete, detail and checks."""

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
from markupsafe import Markup

from ..auth.service import safe_next_path
from ..catalog import TYPES
from ..extensions import db
from ..models import Integration
from ..timeutil import utcnow
from . import bp, history, queries
from .contract import SECRET_FIELDS, validate_input
from .forms import (
    DEFAULT_TYPE,
    SECRET_LABELS,
    ClearSecretForm,
    DeleteForm,
    IntegrationForm,
    ListFilterForm,
    StatusForm,
    SwitchForm,
    edit_form,
    first_error,
    form_for,
    type_for_submission,
    typed_secrets,
)
from .health import failing_checks, run_checks
from .service import (
    DuplicateIdentifier,
    SaveOutcome,
    contract_document,
    delete_integration,
    get_owned,
    key_ring,
    mask_secret,
    save_integration,
    switch_integration,
    update_integration,
)

VIA = "dashboard"


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


def _requested_type(fallback: str) -> str:
    """The type named in the query string (the htmx select names it too).

    :raise 404: the named type is not in the catalog.
    """
    requested = (
        request.args.get("type") or request.args.get("integration_type") or fallback
    )
    if requested not in TYPES:
        abort(404, description=f"There is no integration type {requested!r}.")
    return requested


def _this_page() -> str:
    query = request.query_string.decode("utf-8", "replace")
    return f"{request.path}?{query}" if query else request.path


def _flash_outcome(outcome: SaveOutcome) -> None:
    """Flash a save's warnings; the likely duplicate's one links to it."""
    warnings = list(outcome.warnings)
    twin = outcome.likely_duplicate
    # The service appends the duplicate warning last; it is flashed with a link.
    duplicate_warning = warnings.pop() if twin is not None else None

    for warning in warnings:
        flash(warning, "warning")
    if duplicate_warning is not None:
        link = url_for(".detail", integration_id=twin.id)
        flash(
            Markup('{} <a href="{}">Open “{}”</a>.').format(
                duplicate_warning, link, twin.name
            ),
            "warning",
        )


# The list


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
        back=_this_page(),
    )


# Create and edit


@bp.route("/integrations/new", methods=["GET", "POST"])
@login_required
def new():
    requested = _requested_type(DEFAULT_TYPE)

    if request.method == "GET":
        form = form_for(requested)
        if _wants_fragment():
            return _type_fields_response(form, ".new")
        return _new_page(form, 200)

    form = form_for(type_for_submission(request.form, requested), request.form)
    if not form.validate():
        return _new_page(form, 422)

    try:
        outcome = save_integration(
            db.session, current_user, form.payload, via=VIA, actor=current_user.email
        )
    except DuplicateIdentifier as duplicate:
        existing = url_for(".detail", integration_id=duplicate.existing_id)
        form.mark_duplicate(existing)
        return _new_page(form, 409)

    flash(f"Saved “{outcome.integration.name}”.", "success")
    _flash_outcome(outcome)
    return redirect(url_for(".detail", integration_id=outcome.integration.id), 303)


def _new_page(form: IntegrationForm, status: int):
    page = render_template(
        "integrations/new.html",
        form=form,
        kind=form.kind,
        type_links=_type_links(".new"),
    )
    return _varying(make_response(page, status))


@bp.route("/integrations/<uuid:integration_id>/edit", methods=["GET", "POST"])
@login_required
def edit(integration_id):
    integration = get_owned_or_404(integration_id)
    requested = _requested_type(integration.integration_type)

    if request.method == "GET":
        form = edit_form(integration, requested)
        if _wants_fragment():
            return _type_fields_response(form, ".edit", integration_id=integration.id)
        return _edit_page(form, integration, 200)

    posted_type = type_for_submission(request.form, integration.integration_type)
    form = edit_form(integration, posted_type, request.form)
    if not form.validate():
        return _edit_page(form, integration, 422)

    try:
        outcome = update_integration(
            db.session,
            integration,
            form.payload,
            typed_secrets(form.payload),
            via=VIA,
            actor=current_user.email,
        )
    except DuplicateIdentifier as duplicate:
        form.mark_duplicate(url_for(".detail", integration_id=duplicate.existing_id))
        return _edit_page(form, integration, 409)

    flash(f"Saved “{outcome.integration.name}”.", "success")
    _flash_outcome(outcome)
    return redirect(url_for(".detail", integration_id=integration.id), 303)


def _edit_page(form: IntegrationForm, integration: Integration, status: int):
    ring = key_ring()
    page = render_template(
        "integrations/edit.html",
        form=form,
        kind=form.kind,
        integration=integration,
        secrets={
            field: mask_secret(integration, field, ring) for field in SECRET_FIELDS
        },
        type_links=_type_links(".edit", integration_id=integration.id),
    )
    return _varying(make_response(page, status))


def _type_links(endpoint: str, **arguments) -> dict[str, str]:
    """Each type's form address: how the type changes without JavaScript."""
    return {slug: url_for(endpoint, type=slug, **arguments) for slug in TYPES}


def _type_fields_response(form: IntegrationForm, endpoint: str, **arguments):
    """The type's fields alone, with the type links updated out of band."""
    links = _type_links(endpoint, **arguments)
    fields = render_template("partials/_type_fields.html", form=form, kind=form.kind)
    switch = render_template(
        "partials/_type_switch.html", kind=form.kind, type_links=links, oob=True
    )
    response = make_response(fields + switch, replace_url=links[form.kind.slug])
    return _varying(response)


def _varying(response):
    response.vary.add("HX-Request")
    return response


# Secrets


@bp.route("/integrations/<uuid:integration_id>/secrets/clear", methods=["GET", "POST"])
@login_required
def clear_secret(integration_id):
    integration = get_owned_or_404(integration_id)

    if request.method == "GET":
        secret = request.args.get("secret", "")
        if secret not in SECRET_FIELDS:
            abort(404, description="There is no such secret.")
        return render_template(
            "integrations/clear_secret.html",
            integration=integration,
            secret=secret,
            label=SECRET_LABELS[secret],
            masked=mask_secret(integration, secret, key_ring()),
        )

    form = ClearSecretForm()
    if not form.validate():
        abort(400, description=first_error(form))

    secret = form.secret.data
    # The stored document, unchanged, with one secret update: only it changes.
    unchanged = validate_input(contract_document(integration))
    update_integration(
        db.session,
        integration,
        unchanged,
        {secret: None},
        via=VIA,
        actor=current_user.email,
    )
    flash(
        f"Cleared the {SECRET_LABELS[secret].lower()} of “{integration.name}”.",
        "success",
    )
    return redirect(url_for(".edit", integration_id=integration.id), 303)


# Switch, status and delete


@bp.post("/integrations/<uuid:integration_id>/switch")
@login_required
def switch(integration_id):
    integration = get_owned_or_404(integration_id)
    form = SwitchForm()
    if not form.validate():
        abort(400, description=first_error(form))

    switch_integration(
        db.session,
        integration,
        via=VIA,
        actor=current_user.email,
        active=form.switched_on,
        status=form.status.data or None,
    )
    state = "on" if integration.active else "off"
    return _after_switch(integration, form.next.data, f"switched {state}")


@bp.post("/integrations/<uuid:integration_id>/status")
@login_required
def set_status(integration_id):
    integration = get_owned_or_404(integration_id)
    form = StatusForm()
    if not form.validate():
        abort(400, description=first_error(form))

    switch_integration(
        db.session,
        integration,
        via=VIA,
        actor=current_user.email,
        status=form.status.data,
    )
    return _after_switch(
        integration, form.next.data, f"set to status “{integration.status}”"
    )


def _after_switch(integration: Integration, next_path: str | None, what: str):
    """Answer htmx with the part of the page that changed, others with a redirect.

    The list's rows are targeted by their id (``row-<id>``); anything else
    htmx targets is the detail page's header.
    """
    back = safe_next_path(next_path)
    if _wants_fragment():
        if (request.htmx.target or "").startswith("row-"):
            return _row_fragment(integration, back or url_for(".index"))
        return _header_fragment(integration)

    flash(f"“{integration.name}” is {what}.", "success")
    return redirect(back or url_for(".detail", integration_id=integration.id), 303)


def _row_fragment(integration: Integration, back: str):
    row = render_template(
        "partials/_integration_row.html",
        row=queries.list_row(integration, utcnow()),
        back=back,
    )
    return _varying(make_response(row + _out_of_band(_attention_link())))


def _header_fragment(integration: Integration):
    header = render_template(
        "partials/_integration_header.html", **_header_context(integration)
    )
    entries = render_template(
        "partials/_history.html",
        entries=history.entries_for(db.session, integration),
        oob=True,
    )
    return _varying(make_response(header + _out_of_band(entries, _attention_link())))


def _attention_link() -> str:
    return render_template("partials/_attention_link.html", oob=True)


def _out_of_band(*fragments: str) -> str:
    # Inside <template> they parse next to a table row too; htmx swaps
    # out-of-band elements it finds in templates.
    return "<template>" + "".join(fragments) + "</template>"


def _header_context(integration: Integration) -> dict:
    return {
        "integration": integration,
        "kind": TYPES[integration.integration_type],
        "failing": failing_checks(integration, utcnow()),
    }


@bp.route("/integrations/<uuid:integration_id>/delete", methods=["GET", "POST"])
@login_required
def delete(integration_id):
    integration = get_owned_or_404(integration_id)

    if request.method == "GET":
        ring = key_ring()
        stored_secrets = [
            SECRET_LABELS[field].lower()
            for field in SECRET_FIELDS
            if mask_secret(integration, field, ring).is_set
        ]
        return render_template(
            "integrations/delete.html",
            integration=integration,
            kind=TYPES[integration.integration_type],
            stored_secrets=stored_secrets,
        )

    form = DeleteForm()
    if not form.validate():
        abort(400, description=first_error(form))

    name = integration.name
    delete_integration(db.session, integration, via=VIA, actor=current_user.email)
    if _wants_fragment():
        # The list row asked: it disappears in place, and the count follows.
        return _varying(make_response(_out_of_band(_attention_link())))

    flash(f"Deleted “{name}”. Its history is kept.", "success")
    return redirect(url_for(".index"), 303)


# Detail and troubleshooting


@bp.get("/integrations/<uuid:integration_id>")
@login_required
def detail(integration_id):
    integration = get_owned_or_404(integration_id)
    ring = key_ring()

    secrets = {field: mask_secret(integration, field, ring) for field in SECRET_FIELDS}
    return render_template(
        "integrations/detail.html",
        **_header_context(integration),
        secrets=secrets,
        entries=history.entries_for(db.session, integration),
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
        back=_this_page(),
    )


@bp.get("/troubleshooting")
@login_required
def needs_attention():
    groups = queries.attention_groups(db.session, current_user, utcnow())
    return render_template(
        "integrations/needs_attention.html", groups=groups, back=_this_page()
    )


@bp.get("/troubleshooting/expiry")
@login_required
def expiry():
    now = utcnow()
    report = queries.expiry_report(db.session, current_user, now)
    return render_template("integrations/expiry.html", report=report, now=now)
