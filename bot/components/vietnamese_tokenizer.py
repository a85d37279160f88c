"""Rasa tokenizer for Vietnamese: underthesea word segmentation with offsets on the original text."""

from __future__ import annotations

from typing import Any

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from .segmentation import Span, WordSegmenter, pre_tokenize, split_at, split_spans, syllable_runs
from .text_normalization import DEFAULT_ABBREVIATIONS_FILE, AbbreviationTable, normalize_words, resolve_path

PLACEHOLDER_LEMMAS = {"ticket": "__ticket__", "phone": "__phone__", "url": "__url__", "email": "__email__"}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """Tokens are underthesea words; `text`/`start`/`end` slice the original, `lemma` is normalised."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Returns the component's default config."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            "segment_words": True,
            # how the syllables of a word are joined in its lemma: " " lets the featurizers see
            # syllables (measured best), "_" keeps compounds whole
            "lemma_joiner": " ",
            "abbreviations_file": DEFAULT_ABBREVIATIONS_FILE,
            "fixed_words_file": "nlu_data/gazetteer/areas.yml",
        }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.abbreviations = AbbreviationTable.load(config["abbreviations_file"])
        fixed = _lookup_elements(config.get("fixed_words_file"))
        self.joiner = config["lemma_joiner"]
        self.segmenter = WordSegmenter(fixed, enabled=config["segment_words"])

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokenize the attribute's text into words with exact original offsets."""
        text = message.get(attribute)
        boundaries = _entity_boundaries(message) if attribute == TEXT else []
        tokens: list[Token] = []
        for run in syllable_runs(text, split_spans(pre_tokenize(text), boundaries)):
            lemmas = dict(zip(run, self._lemmas(text, run), strict=False))
            words = split_at(self.segmenter.group(text, run, [lemmas[s] for s in run]), boundaries)
            tokens.extend(self._run_tokens(text, words, lemmas))
        return self._apply_token_pattern(tokens)

    def _run_tokens(self, text: str, words: list[list[Span]], lemmas: dict[Span, str]) -> list[Token]:
        return [
            Token(
                text[word[0].start : word[-1].end],
                word[0].start,
                end=word[-1].end,
                lemma=self.joiner.join(lemmas[s] for s in word).replace(" ", self.joiner),
                data={"kind": word[0].kind},
            )
            for word in words
        ]

    def _lemmas(self, text: str, spans: list[Span]) -> list[str]:
        if spans[0].kind != "word":
            return [PLACEHOLDER_LEMMAS.get(s.kind, text[s.start : s.end].lower()) for s in spans]
        return normalize_words([text[s.start : s.end] for s in spans], self.abbreviations)


def _entity_boundaries(message: Message) -> list[int]:
    entities = message.get(ENTITIES) or []
    return [e[key] for e in entities for key in ("start", "end") if key in e]


def _lookup_elements(path: str | None) -> list[str]:
    """Read all lookup-table elements from a Rasa NLU YAML file (missing file: none)."""
    if not path or not resolve_path(path).exists():
        return []
    data = yaml.safe_load(resolve_path(path).read_text(encoding="utf-8")) or {}
    items = [entry for entry in data.get("nlu", []) if "lookup" in entry]
    return [
        line[2:].strip()
        for entry in items
        for line in str(entry.get("examples", "")).splitlines()
        if line.startswith("- ")
    ]
