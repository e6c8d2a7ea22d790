"""Turn integrations into the API's response shapes, never carrying a secret."""

from dataclasses import asdict
from datetime import datetime

from ..integrations.contract import SECRET_FIELDS
from ..integrations.health import failing_keys, run_checks
from ..integrations.service import to_public_dict
from ..models import Integration
from .listing import Page
from .schemas import (
    DeletedIntegration,
    IntegrationDetail,
    IntegrationListItem,
    IntegrationOut,
    IntegrationPage,
)


def integration_out(integration: Integration) -> IntegrationOut:
    return IntegrationOut.model_validate(to_public_dict(integration))


def integration_detail(integration: Integration, now: datetime) -> IntegrationDetail:
    """The integration with every health check and which secrets are stored."""
    results = run_checks(integration, now)
    return IntegrationDetail.model_validate(
        {
            **to_public_dict(integration),
            "needs_attention": not all(result.passed for result in results),
            "health": [asdict(result) for result in results],
            "secrets": secret_states(integration),
        }
    )


def secret_states(integration: Integration) -> dict:
    """Say for each secret whether it is stored and when it was set."""
    states = {}
    for field in SECRET_FIELDS:
        set_at = getattr(integration, f"{field}_set_at")
        states[field] = {
            "is_set": getattr(integration, f"{field}_encrypted") is not None,
            "set_at": set_at.isoformat() if set_at else None,
        }
    return states


def integration_page(page: Page, now: datetime) -> IntegrationPage:
    items = []
    for integration in page.items:
        failing = failing_keys(integration, now)
        items.append(
            IntegrationListItem.model_validate(
                {
                    **to_public_dict(integration),
                    "needs_attention": bool(failing),
                    "failing_checks": failing,
                }
            )
        )
    return IntegrationPage(
        items=items,
        page=page.number,
        per_page=page.size,
        total=page.total,
        pages=page.pages,
    )


def deleted(integration_id: str) -> DeletedIntegration:
    return DeletedIntegration(integration_id=integration_id, deleted=True)
