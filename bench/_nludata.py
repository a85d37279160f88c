"""Labelled NLU examples: reading and writing Rasa YAML, and the JSON passed to workers."""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_STYLE = "standard"


@dataclass(frozen=True)
class Entity:
    entity: str
    start: int
    end: int
    value: str


@dataclass
class Example:
    text: str
    intent: str
    entities: list[Entity] = field(default_factory=list)
    style: str = DEFAULT_STYLE


def load_rasa_nlu(path: str | Path) -> list[Example]:
    """Read intent examples (with entities and style metadata) from a Rasa NLU file or folder.

    Like `rasa train`, it skips files in the folder that are not NLU data (e.g. abbreviation lists).
    """
    from rasa.shared.data import get_data_files, is_nlu_file
    from rasa.shared.nlu.training_data.loading import load_data

    files = sorted(get_data_files([str(path)], is_nlu_file))
    return [_from_message(m.as_dict()) for f in files for m in load_data(f).intent_examples]


def write_rasa_nlu(examples: list[Example], path: Path) -> None:
    """Write examples as a Rasa YAML NLU file (style goes into example metadata)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    messages = [
        Message.build(ex.text, ex.intent, [asdict(e) for e in ex.entities], None, {"style": ex.style})
        for ex in examples
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    RasaYAMLWriter().dump(path, TrainingData(training_examples=messages))


def dump_json(examples: list[Example], path: Path) -> None:
    """Write examples as JSON for a worker process."""
    path.write_text(json.dumps([asdict(ex) for ex in examples], ensure_ascii=False), encoding="utf-8")


def load_json(path: Path) -> list[Example]:
    """Read examples written by dump_json."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [_from_row(row) for row in rows]


def _from_row(row: dict) -> Example:
    entities = [Entity(**e) for e in row.get("entities", [])]
    return Example(row["text"], row["intent"], entities, row.get("style", DEFAULT_STYLE))


def _from_message(data: dict) -> Example:
    metadata = data.get("metadata") or {}
    style = (metadata.get("example") or {}).get("style") or (metadata.get("intent") or {}).get("style")
    entities = [
        Entity(e["entity"], e["start"], e["end"], str(e.get("value", data["text"][e["start"] : e["end"]])))
        for e in data.get("entities", [])
    ]
    return Example(data["text"], data["intent"], entities, style or DEFAULT_STYLE)
