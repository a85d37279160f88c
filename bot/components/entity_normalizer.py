"""Rasa component that rewrites extracted entity values to canonical forms (area, ticket_id)."""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from .area_gazetteer import AreaGazetteer
from .area_names import matching_key
from .ticket_codes import normalize_ticket_code

logger = logging.getLogger(__name__)
_FILE = "area_gazetteer.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class EntityValueNormalizer(GraphComponent):
    """Maps `area` to the canonical unit name and `ticket_id` to PA-YYYY-NNNNNN; keeps offsets."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config."""
        return {"area_entity": "area", "ticket_entity": "ticket_id"}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        gazetteer: AreaGazetteer | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self.gazetteer = gazetteer or AreaGazetteer({})

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityValueNormalizer:
        """Creates a new untrained component."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Build the area index from the `area` lookup table and synonyms, and persist it."""
        self.gazetteer = AreaGazetteer.from_training_data(training_data, self._config["area_entity"])
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _FILE).write_text(
                json.dumps(self.gazetteer.aliases, ensure_ascii=False), encoding="utf-8"
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EntityValueNormalizer:
        """Loads the persisted area index."""
        try:
            with model_storage.read_from(resource) as directory:
                aliases = json.loads((directory / _FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("No area gazetteer in the model; area values stay as extracted.")
            aliases = {}
        return cls(config, model_storage, resource, AreaGazetteer(aliases))

    def process(self, messages: list[Message]) -> list[Message]:
        """Rewrite entity values in place; start/end keep pointing into the original text."""
        for message in messages:
            entities = [e for e in message.get(ENTITIES) or [] if not self._only_a_type_word(e)]
            for entity in entities:
                self._normalize(entity)
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data passes through unchanged."""
        return training_data

    def _only_a_type_word(self, entity: dict[str, Any]) -> bool:
        """An `area` that is just "tp" or "phường" names no place."""
        value = entity.get("value")
        is_area = entity.get("entity") == self._config["area_entity"]
        return is_area and isinstance(value, str) and not matching_key(value)

    def _normalize(self, entity: dict[str, Any]) -> None:
        name, value = entity.get("entity"), entity.get("value")
        if not isinstance(value, str):
            return
        if name == self._config["area_entity"]:
            canonical = self.gazetteer.canonical(value)
        elif name == self._config["ticket_entity"]:
            canonical = normalize_ticket_code(value)
        else:
            return
        if canonical and canonical != value:
            entity["value"] = canonical
            entity.setdefault("processors", []).append(self.__class__.__name__)
