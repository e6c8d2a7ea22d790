"""Forms of the API keys page."""

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..forms import HtmlForm
from .service import MAX_NAME_LENGTH


class CreateApiKeyForm(HtmlForm):
    name = StringField(
        "Name",
        validators=[DataRequired(), Length(max=MAX_NAME_LENGTH)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description="Say where the key will be used, e.g. “deploy script”.",
        render_kw={"maxlength": MAX_NAME_LENGTH, "autocomplete": "off"},
    )
