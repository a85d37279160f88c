"""Rasa component that finds ticket codes: unambiguous ones anywhere (PA-2026-000123, PA2026000123,
#123, mã 000123), and "số 451" in a status question."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from .ticket_codes import STATUS_PATTERN, STRONG_PATTERN


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class TicketCodeExtractor(GraphComponent):
    """Makes every code-shaped span a `ticket_id` entity whose span is the code itself."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config."""
        return {"entity": "ticket_id", "status_intent": "ask_status"}

    def __init__(self, config: dict[str, Any]) -> None:
        self.entity = config["entity"]
        self.status_intent = config["status_intent"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TicketCodeExtractor:
        """Creates the component."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Add ticket_id entities for code spans; a code span is never another kind of entity."""
        for message in messages:
            entities = list(message.get(ENTITIES) or [])
            for start, end in self._code_spans(message):
                if any(
                    self._is_ticket(e) and (e.get("start"), e.get("end")) == (start, end) for e in entities
                ):
                    continue
                entities = [e for e in entities if not _overlaps(e, start, end)]
                entities.append(self._entity(message.get(TEXT), start, end))
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes through unchanged."""
        return training_data

    def _is_ticket(self, entity: dict[str, Any]) -> bool:
        return entity.get("entity") == self.entity

    def _code_spans(self, message: Message) -> list[tuple[int, int]]:
        """(start, end) of each code: the pattern's matched group, not the word before it."""
        text = message.get(TEXT) or ""
        patterns = [STRONG_PATTERN]
        if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == self.status_intent:
            patterns.append(STATUS_PATTERN)
        spans = [m.span(m.lastindex or 0) for p in patterns for m in p.finditer(text)]
        return sorted(set(spans))

    def _entity(self, text: str, start: int, end: int) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "start": start,
            "end": end,
            "value": text[start:end],
            "confidence_entity": 1.0,
            "extractor": self.__class__.__name__,
        }


def _overlaps(entity: dict[str, Any], start: int, end: int) -> bool:
    return entity.get("start", 0) < end and start < entity.get("end", 0)
