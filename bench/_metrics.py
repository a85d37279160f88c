"""Scores: intent accuracy and macro-F1, entity precision/recall/F1, latency percentiles."""

from collections import Counter
from collections.abc import Callable, Iterable

from _nludata import Entity, Example

# Rasa's FallbackClassifier answers nlu_fallback; our contract calls that out_of_scope.
INTENT_ALIASES = {"nlu_fallback": "out_of_scope"}


def canonical_intent(name: str | None) -> str:
    """Map a predicted intent name onto the label set of the gold data."""
    name = name or "none"
    return INTENT_ALIASES.get(name, name)


def intent_scores(gold: list[str], predicted: list[str]) -> dict:
    """Accuracy and macro-F1 for one set; the macro average runs over the gold intents.

    A wrong prediction (a fallback included) already costs the true intent's recall and the
    predicted intent's precision; a label that is only ever predicted adds no class of its own.
    """
    if not gold:
        return {"n": 0, "accuracy": None, "macro_f1": None}
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    per_label = per_label_f1(gold, predicted)
    macro = sum(per_label[label]["f1"] for label in set(gold)) / len(set(gold))
    return {"n": len(gold), "accuracy": correct / len(gold), "macro_f1": macro}


def per_label_f1(gold: list[str], predicted: list[str]) -> dict[str, dict]:
    """Precision, recall, F1 and support per label."""
    pairs = list(zip(gold, predicted, strict=True))
    labels = sorted(set(gold) | set(predicted))
    return {
        label: prf(
            tp=sum(g == p == label for g, p in pairs),
            n_pred=sum(p == label for _, p in pairs),
            n_gold=sum(g == label for g, _ in pairs),
        )
        for label in labels
    }


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    """Precision, recall and F1 from counts (0 where undefined)."""
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": n_gold}


def span_key(e: Entity) -> tuple:
    """An entity matches when type and character span are identical."""
    return (e.entity, e.start, e.end)


def value_key(e: Entity) -> tuple:
    """An entity matches when type and (case-folded) normalised value are identical."""
    return (e.entity, e.value.casefold())


def entity_scores(
    gold: list[list[Entity]], predicted: list[list[Entity]], key: Callable[[Entity], tuple] = span_key
) -> dict:
    """Micro and per-entity-type precision/recall/F1 over multisets of matching keys."""
    tp, n_pred, n_gold = Counter(), Counter(), Counter()
    for gold_ents, pred_ents in zip(gold, predicted, strict=True):
        gold_keys, pred_keys = Counter(map(key, gold_ents)), Counter(map(key, pred_ents))
        for k, count in (gold_keys & pred_keys).items():
            tp[k[0]] += count
        n_gold.update(k[0] for k in gold_keys.elements())
        n_pred.update(k[0] for k in pred_keys.elements())
    types = sorted(set(n_gold) | set(n_pred))
    per_type = {t: prf(tp[t], n_pred[t], n_gold[t]) for t in types}
    micro = prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return {"micro": micro, "per_entity": per_type}


def sentence_accuracy(examples: list[Example], intents: list[str], entities: list[list[Entity]]) -> float:
    """Share of sentences whose intent and complete set of entity spans are both right."""
    right = sum(
        ex.intent == intent and Counter(map(span_key, ex.entities)) == Counter(map(span_key, ents))
        for ex, intent, ents in zip(examples, intents, entities, strict=True)
    )
    return right / len(examples) if examples else 0.0


def percentile(values: Iterable[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation, or None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
