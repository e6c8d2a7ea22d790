"""The base of every HTML form: it reads posted form fields and nothing else."""

from flask import Flask, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict

SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Stands for "read the request", so an explicit formdata=None still means none.
_FROM_REQUEST = object()


class HtmlForm(FlaskForm):
    """A Flask-WTF form that never fills itself from a JSON body.

    Flask-WTF falls back to ``request.get_json()`` when no form fields were
    posted, which hands numbers, lists and objects to fields that expect
    strings. An HTML form only ever posts strings, so only those are read.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _FROM_REQUEST:
                return posted_form_data()
            return super().wrap_formdata(form, formdata)

    def __init__(self, formdata=_FROM_REQUEST, **kwargs):
        super().__init__(formdata=formdata, **kwargs)


def posted_form_data():
    """Return the submitted form fields and files, or None when none were sent."""
    if not request or request.method not in SUBMIT_METHODS:
        return None
    if request.files:
        return CombinedMultiDict((request.files, request.form))
    return request.form or None


class EmptyForm(HtmlForm):
    """A form with only the CSRF token, for buttons that POST."""


def empty_form() -> EmptyForm:
    """Return a button form for a template; it never reads the request."""
    return EmptyForm(formdata=None)


def register(app: Flask) -> None:
    app.jinja_env.globals.update(empty_form=empty_form)
