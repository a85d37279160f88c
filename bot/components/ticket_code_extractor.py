"""Rasa component that finds unambiguous ticket codes (PA-2026-000123, PA2026000123, #123)."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from .ticket_codes import STRONG_PATTERN


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class TicketCodeExtractor(GraphComponent):
    """Adds a `ticket_id` entity for code-shaped spans the statistical extractor missed."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config."""
        return {"entity": "ticket_id"}

    def __init__(self, config: dict[str, Any]) -> None:
        self.entity = config["entity"]

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
            for match in STRONG_PATTERN.finditer(message.get(TEXT) or ""):
                if any(self._is_ticket(e) and _overlaps(e, *match.span()) for e in entities):
                    continue
                entities = [e for e in entities if not _overlaps(e, *match.span())]
                entities.append(self._entity(match))
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes through unchanged."""
        return training_data

    def _is_ticket(self, entity: dict[str, Any]) -> bool:
        return entity.get("entity") == self.entity

    def _entity(self, match: Any) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "start": match.start(),
            "end": match.end(),
            "value": match.group(0),
            "confidence_entity": 1.0,
            "extractor": self.__class__.__name__,
        }


def _overlaps(entity: dict[str, Any], start: int, end: int) -> bool:
    return entity.get("start", 0) < end and start < entity.get("end", 0)
