"""Count-vector features of the diacritic-stripped token lemmas ("cẩm châu" and "cam chau" agree)."""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from .text_normalization import strip_diacritics


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class AccentlessCountVectorsFeaturizer(CountVectorsFeaturizer):
    """CountVectorsFeaturizer over lemmas with diacritics removed, next to the accented one."""

    def _get_message_tokens_by_attribute(self, message: Message, attribute: str) -> list[str]:
        tokens = super()._get_message_tokens_by_attribute(message, attribute)
        return [strip_diacritics(t) for t in tokens] if attribute == TEXT else tokens
