"""Markdown tables and the JSON results file of a benchmark run."""

import json
import os
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from _runner import REPO
from _scoring import STYLES


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal, or a dash."""
    return "—" if value is None else f"{100 * value:.1f}"


def num(value: float | None, digits: int = 1) -> str:
    """A number with fixed decimals, or a dash."""
    return "—" if value is None else f"{value:.{digits}f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def intent_table(results: list[dict]) -> str:
    """Intent accuracy / macro-F1 overall and by style, one row per system."""
    styles = [s for s in STYLES if any(s in r["intent"]["by_style"] for r in results)]
    header = ["system", "accuracy", "macro-F1"] + [f"{s} acc / F1 (n)" for s in styles]
    rows = []
    for r in results:
        overall, by_style = r["intent"]["overall"], r["intent"]["by_style"]
        cells = [_style_cell(by_style.get(s)) for s in styles]
        rows.append([r["system"], pct(overall["accuracy"]), pct(overall["macro_f1"]), *cells])
    return table(header, rows)


def _style_cell(scores: dict | None) -> str:
    if not scores:
        return "—"
    return f"{pct(scores['accuracy'])} / {pct(scores['macro_f1'])} ({scores['n']})"


def per_intent_table(results: list[dict]) -> str:
    """F1 per gold intent (support in brackets), one column per system."""
    first = results[0]["intent"]["per_intent"]
    labels = sorted(label for label, row in first.items() if row["support"])
    rows = [
        [f"{label} ({first[label]['support']})"]
        + [pct(r["intent"]["per_intent"].get(label, {}).get("f1")) for r in results]
        for label in labels
    ]
    return table(["intent (n)"] + [r["system"] for r in results], rows)


def entity_table(results: list[dict], per_type_limit: int = 8) -> str:
    """Entity precision/recall/F1 (exact span), sentence accuracy, span F1 of the commonest types."""
    scored = [r for r in results if r["entities"]]
    if not scored:
        return "(no system extracts entities)"
    support = scored[0]["entities"]["span"]["per_entity"]
    shown = sorted((t for t in support if support[t]["support"]), key=lambda t: -support[t]["support"])
    shown = shown[:per_type_limit]
    header = ["system", "span P", "span R", "span F1", "sentence acc"]
    header += [f"{t} F1 ({support[t]['support']})" for t in shown]
    return table(header, [_entity_row(r, shown) for r in scored])


def _entity_row(result: dict, shown: list[str]) -> list[str]:
    span = result["entities"]["span"]
    micro = [pct(span["micro"][k]) for k in ("precision", "recall", "f1")]
    per_type = [pct(span["per_entity"].get(t, {}).get("f1")) for t in shown]
    return [result["system"], *micro, pct(result["entities"]["sentence_accuracy"]), *per_type]


COST_COLUMNS = (  # header, result key path, decimals
    ("train s", ("train_seconds",), 1),
    ("train process s", ("train_wall_seconds",), 1),
    ("train process CPU s", ("train_cpu_seconds",), 1),
    ("train peak RSS MB", ("train_peak_rss_mb",), 0),
    ("parse p50 ms", ("latency_ms", "p50"), 2),
    ("parse p95 ms", ("latency_ms", "p95"), 2),
    ("parse CPU p50 ms", ("latency_ms", "cpu_p50"), 2),
    ("serve peak RSS MB", ("serve_peak_rss_mb",), 0),
)


def cost_table(results: list[dict]) -> str:
    """Training time, CPU and peak memory, and parse latency per system."""
    rows = [[r["system"]] + [num(_dig(r, path), digits) for _, path, digits in COST_COLUMNS] for r in results]
    return table(["system"] + [header for header, _, _ in COST_COLUMNS], rows)


def _dig(result: dict, path: tuple[str, ...]) -> float | None:
    for key in path:
        result = result.get(key) if isinstance(result, dict) else None
    return result


def machine() -> dict:
    """Where and when the run happened."""
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_1_5_15": os.getloadavg(),
        "commit": _git_commit(),
    }


NLU_INPUTS = ("config.yml", "nlu_data", "bot/components", "bench/data")


def _git_commit() -> str | None:
    """HEAD, marked "+changes" when the NLU config, data or held-out set differ from it."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        changed = _git("status", "--porcelain", "--", *NLU_INPUTS)
    except OSError:
        return None
    return (head + (" +changes" if changed else "")) or None


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()


def write_json(payload: dict, path: Path) -> Path:
    """Write the run's results as JSON (results/ is not committed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def default_json_path(prefix: str) -> Path:
    """results/<prefix>-<timestamp>.json under the repository root."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return REPO / "results" / f"{prefix}-{stamp}.json"
