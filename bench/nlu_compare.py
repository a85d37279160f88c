"""Compare our NLU pipeline with the stock Rasa pipeline and TF-IDF + LinearSVC on the held-out set.

    .venv-bot/bin/python bench/nlu_compare.py [--quick] [--systems ours,rasa_default,tfidf]

Prints Markdown tables and writes results/nlu_compare-<time>.json. Models train in a temporary
folder, never in models/. With --phoatis PATH (or PHOATIS_DIR set) it then runs bench/phoatis.py.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _nludata import Example, load_rasa_nlu
from _rasa_config import diet_epochs, write_effective
from _report import (
    cost_table,
    default_json_path,
    entity_table,
    intent_table,
    machine,
    per_intent_table,
    write_json,
)
from _runner import REPO, System, TrainSet, run_system
from _scoring import score_run

QUICK_EPOCHS = 5
TARGET_STYLE_ACCURACY = 0.95
TARGET_P50_MS = 15.0
TARGET_TRAIN_SECONDS = 180.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", type=Path, default=REPO / "config.yml", help="our pipeline")
    p.add_argument("--data", type=Path, default=REPO / "nlu_data", help="training data (file or folder)")
    p.add_argument("--heldout", type=Path, default=REPO / "bench" / "data" / "heldout_nlu.yml")
    p.add_argument("--baseline-config", type=Path, default=REPO / "bench" / "configs" / "rasa_default.yml")
    p.add_argument("--systems", default="ours,rasa_default,tfidf", help="comma-separated subset to run")
    p.add_argument("--extra", action="append", default=[], metavar="NAME=CONFIG", help="another Rasa config")
    p.add_argument(
        "--ablate",
        action="append",
        default=[],
        metavar="TEXT",
        help="also run ours without components matching TEXT",
    )
    p.add_argument("--epochs", type=int, help="override DIET epochs in every Rasa config")
    p.add_argument("--warmup", type=int, default=20, help="parses before latency is measured")
    p.add_argument("--quick", action="store_true", help=f"smoke run: DIET {QUICK_EPOCHS} epochs")
    p.add_argument("--json", type=Path, help="results file (default results/nlu_compare-<time>.json)")
    p.add_argument("--keep", action="store_true", help="keep the temporary training folder")
    p.add_argument("--phoatis", type=Path, default=os.environ.get("PHOATIS_DIR") or None)
    return p.parse_args(argv)


def build_systems(args: argparse.Namespace, workdir: Path) -> list[System]:
    """The systems to run, with effective Rasa configs written into workdir."""
    ours_epochs = diet_epochs(args.config) if args.config.exists() else None
    epochs = QUICK_EPOCHS if args.quick else args.epochs
    baseline_epochs = epochs or ours_epochs  # the stock pipeline trains as long as ours
    configs = {
        "ours": (args.config, epochs),
        "rasa_default": (args.baseline_config, baseline_epochs),
        **{name: (Path(path), epochs) for name, path in (item.split("=", 1) for item in args.extra)},
    }
    wanted = [s.strip() for s in args.systems.split(",") if s.strip()] + [
        e.split("=", 1)[0] for e in args.extra
    ]
    systems = []
    for name in wanted:
        if name == "tfidf":
            systems.append(System("tfidf", "tfidf"))
            continue
        src, ep = configs[name]
        systems.append(System(name, "rasa", write_effective(src, workdir / "configs" / f"{name}.yml", ep)))
    for text in args.ablate:
        name = f"ours_without_{text}"
        config = write_effective(args.config, workdir / "configs" / f"{name}.yml", epochs, drop=text)
        systems.append(System(name, "rasa", config))
    return systems


def leaked(train: list[Example], test: list[Example]) -> list[str]:
    """Held-out texts that also occur (case-folded) in the training data."""
    seen = {ex.text.strip().casefold() for ex in train}
    return [ex.text for ex in test if ex.text.strip().casefold() in seen]


def target_checks(results: list[dict]) -> list[str]:
    """Plain statements of which targets our pipeline meets."""
    by_name = {r["system"]: r for r in results}
    ours = by_name.get("ours")
    if not ours:
        return []
    lines = []
    for name in ("rasa_default", "tfidf"):
        if name in by_name:
            mine, theirs = ours["intent"]["overall"], by_name[name]["intent"]["overall"]
            beat = mine["accuracy"] > theirs["accuracy"] and mine["macro_f1"] >= theirs["macro_f1"]
            lines.append(f"beats {name} on intent accuracy and macro-F1: {'yes' if beat else 'NO'}")
    for style, scores in ours["intent"]["by_style"].items():
        ok = scores["accuracy"] >= TARGET_STYLE_ACCURACY
        lines.append(
            f"≥95% intent accuracy on {style}: {'yes' if ok else 'NO'} ({100 * scores['accuracy']:.1f}%)"
        )
    p50 = ours["latency_ms"]["p50"]
    lines.append(
        f"parse p50 ≤{TARGET_P50_MS:.0f} ms: {'yes' if p50 <= TARGET_P50_MS else 'NO'} ({p50:.2f} ms)"
    )
    t = ours["train_wall_seconds"]
    lines.append(
        f"training ≤3 min (whole process): {'yes' if t <= TARGET_TRAIN_SECONDS else 'NO'} ({t:.0f} s)"
    )
    return lines


def render(results: list[dict], header: list[str], checks: list[str]) -> str:
    """The whole Markdown report."""
    parts = header + [
        "### Intents (held-out set)",
        intent_table(results),
        "### Intent F1 per intent",
        per_intent_table(results),
        "### Entities (exact span)",
        entity_table(results),
        "### Cost",
        cost_table(results),
    ]
    if checks:
        parts += ["### Targets (our pipeline)", "\n".join(f"- {line}" for line in checks)]
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison, print the report and write the JSON results."""
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-nlu-"))
    try:
        report, payload = compare(args, workdir)
        print(report)
        path = write_json(payload, args.json or default_json_path("nlu_compare"))
        print(f"\n[bench-nlu] results written to {path}", file=sys.stderr)
    finally:
        if args.keep:
            print(f"[bench-nlu] kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return _run_phoatis(args) if args.phoatis else 0


def compare(args: argparse.Namespace, workdir: Path) -> tuple[str, dict]:
    """Train and score every system; returns the Markdown report and the JSON payload."""
    started, env = time.perf_counter(), machine()  # the commit the data and config come from
    train, test = load_rasa_nlu(args.data), load_rasa_nlu(args.heldout)
    systems = build_systems(args, workdir)
    results = []
    for system in systems:
        print(f"[bench-nlu] {system.name}: training and parsing …", file=sys.stderr, flush=True)
        run = run_system(system, TrainSet(args.data, train), test, workdir / system.name, args.warmup)
        results.append(score_run(run, test))
    env["load_average_at_end"] = machine()["load_average_1_5_15"]
    overlap, checks = leaked(train, test), target_checks(results)
    header = [
        f"Run {env['date']} on {env['cpus']} CPUs (1-min load at the end "
        f"{env['load_average_at_end'][0]:.1f}), "
        f"commit {env['commit']}; {len(train)} training examples, {len(test)} held-out; "
        f"DIET epochs: {_epochs_note(systems)}; wall time {time.perf_counter() - started:.0f} s."
    ]
    if overlap:
        header.append(f"WARNING: {len(overlap)} held-out texts also occur in the training data.")
    payload = {
        "machine": env,
        "args": _jsonable(vars(args)),
        "train_examples": len(train),
        "heldout_examples": len(test),
        "heldout_in_training": overlap,
        "targets": checks,
        "results": results,
    }
    return render(results, header, checks), payload


def _epochs_note(systems: list[System]) -> str:
    return ", ".join(f"{s.name} {diet_epochs(s.config) or 'no DIET'}" for s in systems if s.config)


def _jsonable(values: dict) -> dict:
    return {k: str(v) if isinstance(v, Path) else v for k, v in values.items()}


def _run_phoatis(args: argparse.Namespace) -> int:
    import phoatis

    return phoatis.main(
        ["--phoatis", str(args.phoatis), "--config", str(args.config)] + (["--quick"] * args.quick)
    )


if __name__ == "__main__":
    sys.exit(main())
