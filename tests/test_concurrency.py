"""Many saves at once through a real multi-process server lose nothing.

Four client processes send 25 saves each, released together by a barrier, to
a four-worker gunicorn. Several requests share each unique_identifier, so the
database's unique constraint, not a check in Python, must decide the winner.
"""

import multiprocessing
from collections import Counter

from sqlalchemy import func, select

from dashboard.extensions import db
from dashboard.models import Integration

from .conftest import KEYS
from .servers import call, gunicorn

CLIENTS = 4
REQUESTS_EACH = 25
IDENTIFIERS = 10


def _send_saves(base_url, api_key, client_number, barrier, results):
    barrier.wait()
    statuses = []
    for n in range(REQUESTS_EACH):
        identifier = f"shared-{(client_number * REQUESTS_EACH + n) % IDENTIFIERS}"
        status, body, headers = call(
            base_url + "/api/v2/integrations/save",
            method="POST",
            body={
                "name": f"Race {client_number}-{n}",
                "integration_type": "slack",
                "unique_identifier": identifier,
                "scope_data": {"workspace_id": "T0001"},
                "auth_data": {"access_token": "xoxb-race-token-0000"},
            },
            headers={"x-api-key": api_key},
        )
        statuses.append((identifier, status))
    results.put(statuses)


def test_racing_saves_give_one_row_per_identifier_and_no_5xx(
    app, user, api_key, database_url, tmp_path
):
    db.session.commit()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(CLIENTS)
    results = context.Queue()

    with gunicorn(database_url, KEYS[0], tmp_path / "server.log") as base_url:
        clients = [
            context.Process(
                target=_send_saves, args=(base_url, api_key, n, barrier, results)
            )
            for n in range(CLIENTS)
        ]
        for process in clients:
            process.start()
        outcomes = [pair for _ in clients for pair in results.get(timeout=120)]
        for process in clients:
            process.join(timeout=30)

    statuses = Counter(status for _, status in outcomes)
    created = Counter(identifier for identifier, status in outcomes if status == 200)
    rows = db.session.scalar(
        select(func.count(Integration.id)).where(Integration.owner_id == user.id)
    )

    assert len(outcomes) == CLIENTS * REQUESTS_EACH
    assert set(statuses) <= {200, 409}, statuses
    assert statuses[200] == IDENTIFIERS
    assert all(count == 1 for count in created.values())
    assert rows == IDENTIFIERS
    assert "xoxb-race-token-0000" not in (tmp_path / "server.log").read_text()


def test_saves_of_distinct_identifiers_all_land(
    app, user, api_key, database_url, tmp_path
):
    db.session.commit()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(CLIENTS)
    results = context.Queue()

    with gunicorn(database_url, KEYS[0], tmp_path / "server.log") as base_url:
        for n in range(CLIENTS):
            context.Process(
                target=_send_many_distinct,
                args=(base_url, api_key, n, barrier, results),
            ).start()
        statuses = [s for _ in range(CLIENTS) for s in results.get(timeout=120)]

    assert statuses == [200] * (CLIENTS * REQUESTS_EACH)
    assert db.session.scalar(select(func.count(Integration.id))) == len(statuses)


def _send_many_distinct(base_url, api_key, client_number, barrier, results):
    barrier.wait()
    statuses = []
    for n in range(REQUESTS_EACH):
        status, _, _ = call(
            base_url + "/api/v2/integrations/save",
            method="POST",
            body={
                "name": f"Distinct {client_number}-{n}",
                "integration_type": "github",
            },
            headers={"x-api-key": api_key},
        )
        statuses.append(status)
    results.put(statuses)
