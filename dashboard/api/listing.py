"""The API list: read its query string, filter in the database, cut one page."""

from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import Boolean, Select, false, func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..integrations.contract import InvalidRequest
from ..integrations.health import needs_attention_sql
from ..integrations.queries import ListFilters, Page, filtered
from ..models import Integration, User
from .schemas import ListQuery


def parse_list_query(args: MultiDict) -> ListQuery:
    """Check the query string; an unknown or repeated parameter is a problem too.

    :raise InvalidRequest: listing every problem, each located under "query".
    """
    repeated = [
        {
            "loc": ["query", name],
            "msg": "Give this parameter at most once",
            "type": "multiple_values",
        }
        for name, values in args.lists()
        if len(values) > 1
    ]
    if repeated:
        raise InvalidRequest(repeated)

    # An empty known parameter is absent, as an HTML form would send it.
    given = {
        name: value
        for name, value in args.items()
        if value.strip() or name not in ListQuery.model_fields
    }
    try:
        return ListQuery.model_validate(given)
    except ValidationError as error:
        raise InvalidRequest(_query_problems(error)) from None


def _query_problems(error: ValidationError) -> list[dict]:
    return [
        {
            "loc": ["query", *problem["loc"]],
            "msg": _message(problem),
            "type": problem["type"],
        }
        for problem in error.errors(
            include_url=False, include_context=False, include_input=False
        )
    ]


def _message(problem: dict) -> str:
    if problem["type"] == "extra_forbidden":
        names = ", ".join(ListQuery.model_fields)
        return f"Unknown parameter; the list takes {names}"
    return problem["msg"]


def matching(owner: User, query: ListQuery, now: datetime) -> Select:
    """Select the owner's integrations that pass every filter, in the list's order."""
    # The web list's filters and order, then the ones only the API offers.
    statement = filtered(
        owner,
        ListFilters(integration_type=query.type, status=query.status),
        now,
    )
    if query.active is not None:
        statement = statement.where(Integration.active == query.active)
    if query.org_slug is not None:
        statement = statement.where(Integration.org_slug == query.org_slug)
    if query.workspace_id is not None:
        statement = statement.where(Integration.workspace_id == query.workspace_id)
    if query.needs_attention is True:
        statement = statement.where(needs_attention_sql(now))
    elif query.needs_attention is False:
        # A check on a NULL column is NULL, not false: count it as passing.
        attention = func.coalesce(needs_attention_sql(now), false(), type_=Boolean)
        statement = statement.where(~attention)
    return statement


def find_page(session: Session, owner: User, query: ListQuery, now: datetime) -> Page:
    """Fetch one page; a page past the end is empty rather than the last one."""
    statement = matching(owner, query, now)
    total = session.scalar(select(func.count()).select_from(statement.subquery()))

    offset = (query.page - 1) * query.per_page
    items = []
    if offset < total:
        items = list(session.scalars(statement.limit(query.per_page).offset(offset)))
    return Page(items, query.page, query.per_page, total)
