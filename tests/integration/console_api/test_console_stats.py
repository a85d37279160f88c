"""Statistics on a small known data set (March 2025), on PostgreSQL and on SQLite."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from console_testkit import Clock, report, token
from fastapi.testclient import TestClient

MARCH = {"from": "2025-03-01", "to": "2025-03-31"}
# (category, created, resolved or None, rating): 24 h and 48 h on time, 384 h late, one still open.
DATA_SET = [
    ("environment", datetime(2025, 3, 3, 2, 0, tzinfo=UTC), datetime(2025, 3, 4, 2, 0, tzinfo=UTC), 5),
    ("environment", datetime(2025, 3, 3, 3, 0, tzinfo=UTC), datetime(2025, 3, 5, 3, 0, tzinfo=UTC), 3),
    ("traffic", datetime(2025, 3, 4, 2, 0, tzinfo=UTC), datetime(2025, 3, 20, 2, 0, tzinfo=UTC), 1),
    ("security", datetime(2025, 3, 5, 2, 0, tzinfo=UTC), None, None),
]


def file_data_set(service: TestClient, clock: Clock, headers: dict[str, str]) -> None:
    """File, resolve and rate the data set at its own times."""
    for category, created, resolved, rating in DATA_SET:
        clock.now = created
        body = report(token(), category=category)
        code = service.post("/api/v1/tickets", json=body, headers=headers).json()["code"]
        if resolved is None:
            continue
        clock.now = resolved
        answer = {"status": "resolved", "text": "Đã xử lý xong."}
        assert service.post(f"/api/v1/tickets/{code}/status", json=answer, headers=headers).status_code == 200
        contact = body["contact"]
        rate = {"channel": contact["channel"], "channel_user_id": contact["channel_user_id"], "score": rating}
        assert service.post(f"/api/v1/tickets/{code}/rating", json=rate, headers=headers).status_code == 200


def check_figures(stats: Callable[..., Any]) -> None:
    """The figures the data set must give."""
    march = stats(**MARCH)
    totals = march["totals"]
    assert (totals["count"], totals["open"], totals["resolved"], totals["on_time"]) == (4, 1, 3, 2)
    assert totals["on_time_pct"] == 66.7 and totals["overdue_open"] == 1
    assert totals["median_resolution_hours"] == 48.0
    assert (totals["csat_average"], totals["csat_count"]) == (3.0, 3)
    assert march["csat_distribution"] == {"1": 1, "2": 0, "3": 1, "4": 0, "5": 1}
    by_category = {row["code"]: row for row in march["by_category"]}
    assert by_category["environment"]["count"] == 2 and by_category["environment"]["on_time_pct"] == 100.0
    assert by_category["environment"]["median_resolution_hours"] == 36.0
    assert (
        by_category["traffic"]["on_time_pct"] == 0.0
        and by_category["environment"]["name"] == "Vệ sinh môi trường"
    )
    assert {row["code"]: row["count"] for row in march["by_department"]}["hoi_an_environment"] == 2
    assert march["by_unit"][0]["code"] == "hoi_an_dong" and march["by_unit"][0]["count"] == 4
    assert [(b["bucket"], b["count"]) for b in march["by_time"]] == [
        ("2025-03-03", 2),
        ("2025-03-04", 1),
        ("2025-03-05", 1),
    ]
    assert march["by_time"][0]["by_category"] == {"environment": 2}
    assert march["channels"] == [{"channel": "telegram", "count": 4}]
    assert [(b["bucket"], b["count"]) for b in stats(**MARCH, bucket="week")["by_time"]] == [
        ("2025-03-03", 4)
    ]
    assert [(b["bucket"], b["count"]) for b in stats(**MARCH, bucket="month")["by_time"]] == [
        ("2025-03-01", 4)
    ]
    assert stats(**MARCH, category="environment")["totals"]["count"] == 2
    assert stats(**MARCH, unit="hoi_an_tay")["totals"]["count"] == 0
    assert stats(**{"from": "2025-03-04", "to": "2025-03-04"})["totals"]["count"] == 1


def stats_of(client: TestClient) -> Callable[..., Any]:
    """GET /api/v1/stats with the given parameters."""

    def stats(**params: str) -> Any:
        response = client.get("/api/v1/stats", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    return stats


def test_statistics_on_postgresql(
    client_as: Callable[[str], TestClient],
    past: TestClient,
    past_clock: Clock,
    service_headers: dict[str, str],
) -> None:
    file_data_set(past, past_clock, service_headers)
    check_figures(stats_of(client_as("leader")))


def test_statistics_reject_bad_parameters(client_as: Callable[[str], TestClient]) -> None:
    leader = client_as("leader")
    assert leader.get("/api/v1/stats", params={"bucket": "year"}).status_code == 422
    assert leader.get("/api/v1/stats", params={"from": "2025-03-31", "to": "2025-03-01"}).status_code == 422
    assert client_as("officer").get("/api/v1/stats").status_code == 403


def test_statistics_on_sqlite(sqlite_app: tuple[TestClient, Callable[[str], TestClient], Clock]) -> None:
    service, client_for, clock = sqlite_app
    leader = client_for("lanh.dao")
    file_data_set(service, clock, {"Authorization": "Bearer t"})
    clock.now = datetime.now(UTC)
    check_figures(stats_of(leader))
