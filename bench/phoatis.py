"""PhoATIS benchmark: our pipeline against the stock Rasa pipeline and TF-IDF + LinearSVC.

    .venv-bot/bin/python bench/phoatis.py --phoatis /path/to/PhoATIS [--slot-subset 1000 --slot-epochs 10]

PhoATIS's licence forbids redistribution: pass a local copy, never commit it. Two runs:
  1. intents: every system trains on the full train split without slots (DIET entity
     recognition off, --intent-epochs) and is scored on the full test split;
  2. slots: the Rasa pipelines train with slots on a random --slot-subset of train for
     --slot-epochs (DIET's CRF over ~80 slot types is slow), scored on the full test split
     for intent accuracy, slot F1 (exact span) and sentence accuracy.
Rasa's FallbackClassifier is removed from both Rasa pipelines (PhoATIS has no out-of-scope class,
so a fallback can only be wrong) unless --keep-fallback is given.
"""

import argparse
import random
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from _nludata import Example, write_rasa_nlu
from _phoatis_format import read_split, resolve_root, slot_types
from _rasa_config import write_effective
from _report import cost_table, default_json_path, entity_table, intent_table, machine, pct, table, write_json
from _runner import REPO, System, TrainSet, run_system
from _scoring import score_run

QUICK = {"intent_epochs": 2, "slot_subset": 60, "slot_epochs": 1, "train_limit": 300}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--phoatis", type=Path, required=True, help="PhoATIS folder (syllable-level splits)")
    p.add_argument("--config", type=Path, default=REPO / "config.yml", help="our pipeline")
    p.add_argument("--baseline-config", type=Path, default=REPO / "bench" / "configs" / "rasa_default.yml")
    p.add_argument("--systems", default="ours,rasa_default,tfidf", help="comma-separated subset to run")
    p.add_argument("--intent-epochs", type=int, default=20, help="DIET epochs of the intents-only run")
    p.add_argument("--train-limit", type=int, help="cap the intents-only training set (random sample)")
    p.add_argument("--slot-subset", type=int, default=1000, help="training examples of the slot run")
    p.add_argument("--slot-epochs", type=int, default=10, help="DIET epochs of the slot run")
    p.add_argument("--no-slots", action="store_true", help="skip the slot run")
    p.add_argument(
        "--keep-fallback",
        action="store_true",
        help="keep FallbackClassifier (by default it is removed: PhoATIS has no out-of-scope class)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the random subsets")
    p.add_argument("--warmup", type=int, default=20, help="parses before latency is measured")
    p.add_argument("--quick", action="store_true", help=f"smoke run: {QUICK}")
    p.add_argument("--json", type=Path, help="results file (default results/phoatis-<time>.json)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    return args


def sample(examples: list[Example], size: int | None, seed: int) -> list[Example]:
    """A reproducible random subset (all examples when size is None or larger)."""
    if size is None or size >= len(examples):
        return examples
    return random.Random(seed).sample(examples, size)


def systems_for(args: argparse.Namespace, folder: Path, epochs: int, entities: bool) -> list[System]:
    """The requested systems, Rasa configs rewritten with the run's epochs and entity setting."""
    sources = {"ours": args.config, "rasa_default": args.baseline_config}
    systems = []
    for name in (s.strip() for s in args.systems.split(",") if s.strip()):
        if name == "tfidf":  # intents only: it has no slot tagger
            systems += [] if entities else [System(name, "tfidf")]
            continue
        drop = None if args.keep_fallback else "FallbackClassifier"
        config = write_effective(
            sources[name], folder / f"{name}.yml", epochs=epochs, entities=entities, drop=drop
        )
        systems.append(System(name, "rasa", config))
    return systems


def _fallback_note(args: argparse.Namespace) -> str:
    return "" if args.keep_fallback else "; FallbackClassifier removed from the Rasa pipelines"


def run_all(
    systems: list[System], train: list[Example], test: list[Example], folder: Path, args
) -> list[dict]:
    """Train and score each system on one training set."""
    data = folder / "train.yml"
    write_rasa_nlu(train, data)
    results = []
    for system in systems:
        print(f"[phoatis] {folder.name}: {system.name} …", file=sys.stderr, flush=True)
        run = run_system(system, TrainSet(data, train), test, folder / system.name, args.warmup)
        results.append(score_run(run, test, entity_types=slot_types(test) | slot_types(train)))
    return results


def slot_summary(results: list[dict]) -> str:
    """Intent accuracy, slot F1 and sentence accuracy of the slot run."""
    rows = [
        [
            r["system"],
            pct(r["intent"]["overall"]["accuracy"]),
            pct(r["entities"]["span"]["micro"]["f1"]),
            pct(r["entities"]["sentence_accuracy"]),
        ]
        for r in results
    ]
    return table(["system", "intent acc", "slot F1", "sentence acc"], rows)


def intent_run(args: argparse.Namespace, train: list[Example], test: list[Example], folder: Path):
    """Every system, intents only, on the (optionally capped) full train split."""
    intent_train = [replace(ex, entities=[]) for ex in sample(train, args.train_limit, args.seed)]
    results = run_all(systems_for(args, folder, args.intent_epochs, False), intent_train, test, folder, args)
    title = (
        f"### PhoATIS intents: {len(intent_train)} of {len(train)} train examples, {len(test)} test; "
        f"DIET (where a pipeline has one) {args.intent_epochs} epochs, entity recognition off"
        f"{_fallback_note(args)}"
    )
    return [title, intent_table(results), cost_table(results)], results


def slot_run(args: argparse.Namespace, train: list[Example], test: list[Example], folder: Path):
    """The Rasa pipelines with slots, on a random subset of train."""
    systems = systems_for(args, folder, args.slot_epochs, True)
    if args.no_slots or not systems:
        return [], None
    slot_train = sample(train, args.slot_subset, args.seed)
    results = run_all(systems, slot_train, test, folder, args)
    title = (
        f"### PhoATIS slots: {len(slot_train)} of {len(train)} train examples (random, seed {args.seed}), "
        f"{len(test)} test; DIET (where a pipeline has one) {args.slot_epochs} epochs with entities; "
        "only PhoATIS slot types scored"
        f"{_fallback_note(args)}"
    )
    return [title, slot_summary(results), entity_table(results), cost_table(results)], results


def main(argv: list[str] | None = None) -> int:
    """Run both PhoATIS runs, print the report and write the JSON results."""
    args = parse_args(argv)
    root = resolve_root(args.phoatis)
    train, test = read_split(root / "train"), read_split(root / "test")
    workdir = Path(tempfile.mkdtemp(prefix="bench-phoatis-"))
    try:
        intent_report, intents = intent_run(args, train, test, workdir / "intents")
        slot_report, slots = slot_run(args, train, test, workdir / "slots")
        print("\n\n".join(intent_report + slot_report))
        payload = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()}}
        path = write_json(
            {**payload, "intents": intents, "slots": slots}, args.json or default_json_path("phoatis")
        )
        print(f"\n[phoatis] results written to {path}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
