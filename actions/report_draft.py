"""How one citizen message changes the report being drafted by report_form (no Rasa imports)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from actions.categories import category_for_intent

CONFIDENT_SCORE = 0.6
CONFIDENT_MARGIN = 0.15
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
# Messages with these intents belong to another flow; the form rejects them and resumes later.
INTERRUPTING_INTENTS = frozenset({"ask_status", "rate", "greet", "goodbye", "thank", "ask_capabilities"})
MEDIA_INTENTS = frozenset({"send_photo", "share_location"})
SKIP_PHOTO_WORDS = ("khong co", "ko co", "k co", "hok co", "bo qua", "khong", "ko", "skip")
REPORT_SLOTS = ("category", "category_name", "nlu_category", "nlu_confidence", "description", "place")
FORM_SLOTS = REPORT_SLOTS + ("photo_answer", "confirmed")
CONTEXT_SLOTS = ("location", "area", "latitude", "longitude", "photo_urls")


@dataclass(frozen=True)
class Message:
    """The parts of the latest user message the draft cares about."""

    text: str
    intent: str
    ranking: tuple[tuple[str, float], ...] = ()
    entities: frozenset[str] = frozenset()

    @property
    def is_payload(self) -> bool:
        """True for button payloads and gateway events such as /share_location."""
        return self.text.startswith("/")

    def best_report(self) -> tuple[str | None, float, float]:
        """The top report intent, its confidence, and its margin over the next report intent."""
        scores = [(name, score) for name, score in self.ranking if category_for_intent(name)]
        if not scores:
            return None, 0.0, 0.0
        runner_up = scores[1][1] if len(scores) > 1 else 0.0
        return scores[0][0], scores[0][1], scores[0][1] - runner_up

    def confident_report(self) -> str | None:
        """The report intent when it is a button press or clearly understood."""
        if self.is_payload:
            return self.intent if category_for_intent(self.intent) else None
        name, score, margin = self.best_report()
        confident = name == self.intent and score >= CONFIDENT_SCORE and margin >= CONFIDENT_MARGIN
        return name if confident else None

    @property
    def is_free_text(self) -> bool:
        """Plain text that is not a button, an event or a question for another flow."""
        return not self.is_payload and self.intent not in INTERRUPTING_INTENTS | MEDIA_INTENTS


@dataclass
class Change:
    """Slot updates for one message, and a response to say first (if any)."""

    updates: dict[str, Any] = field(default_factory=dict)
    response: str | None = None


def absorb(slots: dict[str, Any], message: Message, requested: str | None) -> Change | None:
    """The change one message makes to the draft; None when the message is for another flow."""
    if requested and message.intent in INTERRUPTING_INTENTS:
        return None
    change = _start(message) if requested is None else _answer(slots, message, requested)
    merged = {**slots, **change.updates}
    change.updates.update(_derived(merged))
    if requested and requested not in change.updates:
        change.updates[requested] = None
    return change


def place_of(location: str | None, area: str | None, latitude: Any, longitude: Any) -> str | None:
    """A one-line summary of where it happened."""
    if location and area and _without_marks(area).lower() in _without_marks(location).lower():
        area = None
    named = ", ".join(part for part in (location, area) if part)
    if latitude is None or longitude is None:
        return named or None
    gps = f"GPS {float(latitude):.5f}, {float(longitude):.5f}"
    return f"{named} ({gps})" if named else gps


def _start(message: Message) -> Change:
    updates: dict[str, Any] = dict.fromkeys(FORM_SLOTS)
    name, score, _ = message.best_report()
    if name and not message.is_payload:
        updates.update(nlu_category=category_for_intent(name).code, nlu_confidence=round(score, 4))
    updates.update(_category_updates(message.confident_report()))
    if message.is_free_text:
        updates["description"] = message.text.strip()
    return Change(updates)


def _answer(slots: dict[str, Any], message: Message, requested: str) -> Change:
    handler = {
        "category": _answer_category,
        "description": _answer_description,
        "place": _answer_place,
        "photo_answer": _answer_photo,
        "confirmed": _answer_confirmation,
    }.get(requested)
    return handler(slots, message) if handler else Change()


def _answer_category(slots: dict[str, Any], message: Message) -> Change:
    chosen = message.intent if category_for_intent(message.intent) else None
    updates = _category_updates(chosen)
    if chosen and message.is_free_text:
        updates.update(_with_detail(slots, message.text))
    return Change(updates)


def _answer_description(slots: dict[str, Any], message: Message) -> Change:
    if not message.is_free_text:
        return Change(_category_updates(message.confident_report()))
    return Change({"description": message.text.strip()})


def _answer_place(slots: dict[str, Any], message: Message) -> Change:
    if not message.is_free_text:
        return Change()
    if message.confident_report():
        named_place = message.entities & {"location", "area"}
        return Change() if named_place else Change(_with_detail(slots, message.text))
    return Change({"location": message.text.strip()})


def _answer_photo(slots: dict[str, Any], message: Message) -> Change:
    if message.intent == "deny" or _means_skip(message.text):
        return Change({"photo_answer": "skipped"})
    if message.is_free_text and message.intent != "affirm":
        return Change(_with_detail(slots, message.text))
    return Change()


def _answer_confirmation(slots: dict[str, Any], message: Message) -> Change:
    if message.intent == "affirm":
        return Change({"confirmed": True})
    if message.intent == "deny":
        cleared = ("description", "place", "photo_answer", "confirmed") + CONTEXT_SLOTS
        return Change(dict.fromkeys(cleared), response="utter_report_editing")
    if message.is_free_text:
        return Change(_with_detail(slots, message.text))
    return Change()


def _category_updates(intent: str | None) -> dict[str, Any]:
    category = category_for_intent(intent)
    return {"category": category.code, "category_name": category.name_vi} if category else {}


def _with_detail(slots: dict[str, Any], text: str) -> dict[str, Any]:
    detail = text.strip()
    current = slots.get("description") or ""
    if not detail or detail in current:
        return {}
    return {"description": f"{current}; {detail}" if current else detail}


def _derived(slots: dict[str, Any]) -> dict[str, Any]:
    updates: dict[str, Any] = {}
    place = place_of(slots.get("location"), slots.get("area"), slots.get("latitude"), slots.get("longitude"))
    if place and place != slots.get("place"):
        updates["place"] = place
    if slots.get("photo_urls") and slots.get("photo_answer") != "attached":
        updates["photo_answer"] = "attached"
    return updates


def _means_skip(text: str) -> bool:
    plain = _without_marks(text).lower().strip(" .!?")
    return any(plain == word or plain.startswith(word + " ") for word in SKIP_PHOTO_WORDS)


def _without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
