"""Turns one system's predictions on a test set into the benchmark's numbers."""

from _metrics import (
    canonical_intent,
    entity_scores,
    intent_scores,
    per_label_f1,
    percentile,
    sentence_accuracy,
    span_key,
    value_key,
)
from _nludata import Entity, Example
from _runner import SystemRun

STYLES = ("standard", "no_diacritics", "chat")


def score_run(run: SystemRun, test: list[Example], entity_types: set[str] | None = None) -> dict:
    """All numbers for one system: intents overall/by style/per intent, entities, cost."""
    predicted = [canonical_intent(name) for name in run.intents]
    gold = [ex.intent for ex in test]
    result = {
        "system": run.system.name,
        "kind": run.system.kind,
        "config": str(run.system.config) if run.system.config else None,
        "intent": {
            "overall": intent_scores(gold, predicted),
            "by_style": _by_style(test, predicted),
            "per_intent": per_label_f1(gold, predicted),
        },
        "entities": _entities(run, test, predicted, entity_types) if run.system.kind == "rasa" else None,
        **_cost(run),
        "errors": _errors(test, predicted),
    }
    return result


def _by_style(test: list[Example], predicted: list[str]) -> dict:
    styles = list(STYLES) + sorted({ex.style for ex in test} - set(STYLES))
    scores = {}
    for style in styles:
        pairs = [(ex.intent, p) for ex, p in zip(test, predicted, strict=True) if ex.style == style]
        if pairs:
            scores[style] = intent_scores([g for g, _ in pairs], [p for _, p in pairs])
    return scores


def _entities(run: SystemRun, test: list[Example], predicted: list[str], types: set[str] | None) -> dict:
    kept = [_keep(ents, types) for ents in run.entities]
    gold = [ex.entities for ex in test]
    return {
        "span": entity_scores(gold, kept),
        "value": entity_scores(gold, kept, key=value_key),
        "sentence_accuracy": sentence_accuracy(test, predicted, kept),
        "types_scored": sorted(types) if types else None,
    }


def _keep(entities: list[Entity], types: set[str] | None) -> list[Entity]:
    """Entities of the scored types, each span once (two extractors may find the same span)."""
    kept = {span_key(e): e for e in reversed(entities) if types is None or e.entity in types}
    return sorted(kept.values(), key=lambda e: (e.start, e.end, e.entity))


def _cost(run: SystemRun) -> dict:
    latencies = run.latencies_ms
    return {
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "mean": sum(latencies) / len(latencies) if latencies else None,
            "cpu_p50": percentile(run.cpu_ms, 50),
            "cpu_p95": percentile(run.cpu_ms, 95),
        },
        "train_seconds": run.train_seconds,
        "train_wall_seconds": run.train_wall_seconds,
        "train_cpu_seconds": run.train_cpu_seconds,
        "train_peak_rss_mb": run.train_peak_rss_mb,
        "serve_peak_rss_mb": run.serve_peak_rss_mb,
        "load_seconds": run.load_seconds,
    }


def _errors(test: list[Example], predicted: list[str]) -> list[dict]:
    return [
        {"text": ex.text, "style": ex.style, "gold": ex.intent, "predicted": p}
        for ex, p in zip(test, predicted, strict=True)
        if ex.intent != p
    ]
