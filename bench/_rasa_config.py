"""Effective Rasa configs for a benchmark run: same DIET epochs across pipelines, optional overrides."""

from pathlib import Path

DIET = "DIETClassifier"
# Trainable entity extractors besides DIET: left out of a run without entities.
ENTITY_TAGGERS = {"CRFEntityExtractor"}
DIET_DEFAULT_EPOCHS = 300  # Rasa 3.6's default when a config does not say


def read_config(path: Path) -> dict:
    """Read a Rasa config file."""
    from rasa.shared.utils.io import read_yaml_file

    return dict(read_yaml_file(str(path)))


def diet_epochs(path: Path) -> int | None:
    """Epochs of the (first) DIETClassifier in a config, or None if it has none."""
    diets = [c for c in read_config(path).get("pipeline", []) if _is_diet(c)]
    return int(diets[0].get("epochs", DIET_DEFAULT_EPOCHS)) if diets else None


def write_effective(
    src: Path, dest: Path, epochs: int | None = None, entities: bool | None = None, drop: str | None = None
) -> Path:
    """Copy a config, setting DIET epochs when given; returns dest.

    `entities=False` turns DIET's entity recognition off and leaves out other trainable entity
    taggers (CRFEntityExtractor); `entities=True` makes sure entities are learnt: DIET's entity
    recognition is turned on, unless another tagger in the pipeline does that job.
    `drop` removes every pipeline component whose name contains it (case-insensitive): an ablation.
    """
    from rasa.shared.utils.io import write_yaml

    config = read_config(src)
    if drop:
        kept = [c for c in config["pipeline"] if drop.lower() not in str(c.get("name", "")).lower()]
        if len(kept) == len(config["pipeline"]):
            raise ValueError(f"no component of {src} matches {drop!r}")
        config["pipeline"] = kept
    if entities is False:
        config["pipeline"] = [c for c in config["pipeline"] if _short_name(c) not in ENTITY_TAGGERS]
    other_tagger = any(_short_name(c) in ENTITY_TAGGERS for c in config.get("pipeline", []))
    for component in config.get("pipeline", []):
        if _is_diet(component) and epochs is not None:
            component["epochs"] = epochs
        if _is_diet(component) and entities is not None:
            component["entity_recognition"] = entities and not other_tagger
    dest.parent.mkdir(parents=True, exist_ok=True)
    write_yaml(config, dest)
    return dest


def _short_name(component: dict) -> str:
    return str(component.get("name", "")).split(".")[-1]


def _is_diet(component: dict) -> bool:
    return _short_name(component) == DIET
