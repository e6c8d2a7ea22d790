"""Reading the integrations list: filters, search and pages, all in the database."""

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..models import Integration, User
from .health import Check, failing_checks, needs_attention_sql

# These two checks have their own columns in the list (status and on/off),
# so repeating them as badges would only add noise.
SHOWN_AS_COLUMNS = ("status", "switched_off")


@dataclass(frozen=True)
class ListFilters:
    integration_type: str | None = None
    status: str | None = None
    needs_attention: bool = False
    search: str = ""

    @property
    def any_set(self) -> bool:
        return bool(self.as_args())

    def as_args(self) -> dict[str, str]:
        """The query parameters that reproduce these filters, for page links."""
        args = {
            "q": self.search,
            "type": self.integration_type or "",
            "status": self.status or "",
            "needs_attention": "y" if self.needs_attention else "",
        }
        return {name: value for name, value in args.items() if value}


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.size), 1)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


@dataclass(frozen=True)
class ListRow:
    integration: Integration
    badges: list[Check]
    healthy: bool


def parse_page_number(raw: str | None) -> int:
    """Read a ``page`` parameter; anything that is not a positive number is 1."""
    try:
        number = int((raw or "").strip())
    except ValueError:
        return 1
    return max(number, 1)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filtered(owner: User, filters: ListFilters, now: datetime) -> Select:
    """Select the owner's integrations that pass ``filters``, in list order."""
    statement = select(Integration).where(Integration.owner_id == owner.id)

    if filters.integration_type:
        statement = statement.where(
            Integration.integration_type == filters.integration_type
        )
    if filters.status:
        statement = statement.where(Integration.status == filters.status)
    if filters.needs_attention:
        statement = statement.where(needs_attention_sql(now))
    if filters.search:
        pattern = f"%{_escape_like(filters.search)}%"
        statement = statement.where(Integration.name.ilike(pattern, escape="\\"))

    # The id breaks ties so a row never shows on two pages or none.
    return statement.order_by(
        func.lower(Integration.name), Integration.created_at, Integration.id
    )


def paginate(session: Session, statement: Select, number: int, size: int) -> Page:
    """Fetch one page of ``statement``; a page past the end shows the last one."""
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    last = max(math.ceil(total / size), 1)
    number = min(max(number, 1), last)

    items = list(session.scalars(statement.limit(size).offset((number - 1) * size)))
    return Page(items, number, size, total)


def list_rows(items: list[Integration], now: datetime) -> list[ListRow]:
    """Pair each integration with the health badges the list shows for it."""
    rows = []
    for item in items:
        failing = failing_checks(item, now)
        badges = [check for check in failing if check.key not in SHOWN_AS_COLUMNS]
        rows.append(ListRow(item, badges, healthy=not failing))
    return rows
