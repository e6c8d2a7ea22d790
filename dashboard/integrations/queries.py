"""Reading integrations: the list's filters and pages, and what needs attention.

Every selection runs in the database: the list's filters, the health checks'
SQL twins for the attention groups, and the token expiry lists.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..catalog import TYPES
from ..models import Integration, User
from .health import CHECKS, Check, failing_checks, needs_attention_sql

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


def list_row(integration: Integration, now: datetime) -> ListRow:
    return list_rows([integration], now)[0]


def _owned(owner: User) -> Select:
    return select(Integration).where(Integration.owner_id == owner.id)


def _by_name(statement: Select) -> Select:
    return statement.order_by(func.lower(Integration.name), Integration.id)


def attention_count(session: Session, owner: User, now: datetime) -> int:
    """How many of the owner's integrations fail at least one health check."""
    return session.scalar(
        select(func.count(Integration.id)).where(
            Integration.owner_id == owner.id, needs_attention_sql(now)
        )
    )


@dataclass(frozen=True)
class AttentionItem:
    integration: Integration
    reason: str
    fix: str


@dataclass(frozen=True)
class AttentionGroup:
    check: Check
    items: list[AttentionItem]

    @property
    def shared_fix(self) -> str | None:
        """The fix, when it is worded the same for every item of the group."""
        fixes = {item.fix for item in self.items}
        return fixes.pop() if len(fixes) == 1 else None


def attention_groups(
    session: Session, owner: User, now: datetime
) -> list[AttentionGroup]:
    """Group the owner's failing integrations by check, in the checks' order.

    Each check's SQL twin picks its group's members; the Python side only
    words the reason and the fix for each one.
    """
    groups = []
    for check in CHECKS:
        members = session.scalars(_by_name(_owned(owner).where(check.fails_sql(now))))
        items = [_attention_item(check, item, now) for item in members]
        if items:
            groups.append(AttentionGroup(check, items))
    return groups


def _attention_item(check: Check, item: Integration, now: datetime) -> AttentionItem:
    reason, fix = check.explain(item, TYPES[item.integration_type], now)
    return AttentionItem(item, reason, fix)


@dataclass(frozen=True)
class ExpiryReport:
    expired: list[Integration]
    expiring: list[Integration]
    without_refresh_token: list[Integration]

    @property
    def empty(self) -> bool:
        return not (self.expired or self.expiring or self.without_refresh_token)


def _check(key: str) -> Check:
    return next(check for check in CHECKS if check.key == key)


def expiry_report(session: Session, owner: User, now: datetime) -> ExpiryReport:
    """The owner's tokens that expired, expire within 7 days, or cannot renew.

    The first two lists use the health checks' own SQL, so they always agree
    with the badges.
    """
    by_expiry = (Integration.expires_at, func.lower(Integration.name), Integration.id)
    expired = _owned(owner).where(_check("expired").fails_sql(now))
    expiring = _owned(owner).where(_check("expiring_soon").fails_sql(now))
    without_refresh = _owned(owner).where(
        Integration.has_auth_data, Integration.refresh_token_encrypted.is_(None)
    )
    return ExpiryReport(
        expired=list(session.scalars(expired.order_by(*by_expiry))),
        expiring=list(session.scalars(expiring.order_by(*by_expiry))),
        without_refresh_token=list(session.scalars(_by_name(without_refresh))),
    )
