"""EXPLAIN ANALYZE of every SQL statement a console query service runs (to find why it is slow)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event


def captured(engine: Engine, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The (SQL, parameters) of the SELECTs `call` sends through `engine`."""
    statements: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return statements


def explain(engine: Engine, call: Callable[[], Any], title: str, min_ms: float = 5.0) -> None:
    """Print the plan of each statement of `call` that takes at least `min_ms`."""
    print(f"\n#### EXPLAIN ANALYZE: {title}\n", flush=True)
    for statement, parameters in captured(engine, call):
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            plan = [row[0] for row in raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)]
        took = next((line for line in plan if line.startswith("Execution Time")), "")
        if float(took.split()[2]) >= min_ms:
            print("```\n" + " ".join(statement.split())[:600] + "\n" + "\n".join(plan) + "\n```", flush=True)
