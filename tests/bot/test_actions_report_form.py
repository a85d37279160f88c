"""The report form's validation and media collection, through the actions' run()."""

from actions_support import make_tracker, responses, run_action, slot_updates, user_message

from actions.report_form import ActionCollectMedia, ValidateReportForm

pytest_plugins = ["actions_support"]

LOCATION = {"entity": "location", "value": "đường Hùng Vương", "start": 16, "end": 32}


def validate(message, domain, slots=None):
    events, messages = run_action(ValidateReportForm(), make_tracker(message, slots), domain)
    return slot_updates(events), responses(messages)


def test_clear_first_message_fills_category_description_and_place(domain):
    message = user_message(
        "Rác đổ trộm ở đường Hùng Vương",
        "report_environment",
        0.93,
        entities=[LOCATION],
        ranking=[("report_environment", 0.93), ("report_urban_order", 0.04)],
    )
    updates, _ = validate(message, domain, {"location": "đường Hùng Vương"})
    assert updates["category"] == "environment"
    assert updates["category_name"] == "Vệ sinh môi trường"
    assert updates["description"] == "Rác đổ trộm ở đường Hùng Vương"
    assert updates["place"] == "đường Hùng Vương"
    assert updates["nlu_confidence"] == 0.93
    assert updates["photo_answer"] is None


def test_low_confidence_leaves_the_category_to_be_confirmed(domain):
    message = user_message(
        "xe chở cát đổ ra đường",
        "report_traffic",
        0.52,
        ranking=[("report_traffic", 0.52), ("report_urban_order", 0.45)],
    )
    updates, _ = validate(message, domain)
    assert updates["category"] is None
    assert updates["nlu_category"] == "traffic"
    assert updates["description"] == "xe chở cát đổ ra đường"


def test_close_runner_up_also_asks_for_the_category(domain):
    message = user_message(
        "đống cát trên vỉa hè",
        "report_urban_order",
        0.7,
        ranking=[("report_urban_order", 0.7), ("report_traffic", 0.62)],
    )
    assert validate(message, domain)[0]["category"] is None


def test_category_button_confirms_the_category(domain):
    message = user_message("/report_urban_order", "report_urban_order")
    slots = {"requested_slot": "category", "description": "xe chở cát đổ ra đường"}
    updates, _ = validate(message, domain, slots)
    assert updates["category"] == "urban_order"
    assert "description" not in updates


def test_typed_place_fills_location_and_place(domain):
    message = user_message("kiệt 45 Trần Cao Vân", "inform", 0.8)
    updates, _ = validate(message, domain, {"requested_slot": "place", "description": "đèn hỏng"})
    assert updates["location"] == "kiệt 45 Trần Cao Vân"
    assert updates["place"] == "kiệt 45 Trần Cao Vân"


def test_more_detail_while_asked_for_the_place_is_added_and_the_place_asked_again(domain):
    message = user_message(
        "còn bốc mùi hôi nữa", "report_environment", 0.9, ranking=[("report_environment", 0.9)]
    )
    updates, _ = validate(message, domain, {"requested_slot": "place", "description": "rác đổ trộm"})
    assert updates == {"description": "rác đổ trộm; còn bốc mùi hôi nữa", "place": None}


def test_shared_gps_location_is_collected_from_metadata_and_fills_the_place(domain):
    metadata = {"channel": "telegram", "channel_user_id": "12345", "latitude": 15.57, "longitude": 108.47}
    message = user_message(
        '/share_location{"latitude": 15.57, "longitude": 108.47}', "share_location", metadata=metadata
    )
    events, _ = run_action(ActionCollectMedia(), make_tracker(message), domain)
    assert slot_updates(events) == {"latitude": 15.57, "longitude": 108.47}
    updates, _ = validate(
        message, domain, {"requested_slot": "place", "latitude": 15.57, "longitude": 108.47}
    )
    assert updates["place"] == "GPS 15.57000, 108.47000"


def test_gps_from_payload_entities_without_metadata(domain):
    entities = [{"entity": "latitude", "value": 15.88}, {"entity": "longitude", "value": 108.33}]
    message = user_message("/share_location", "share_location", entities=entities, metadata={})
    events, _ = run_action(ActionCollectMedia(), make_tracker(message), domain)
    assert slot_updates(events) == {"latitude": 15.88, "longitude": 108.33}


def test_photos_on_any_message_are_collected_once(domain):
    metadata = {"photo_urls": ["http://media/a.jpg", "http://media/b.jpg"]}
    message = user_message("ảnh đây", "send_photo", metadata=metadata)
    tracker = make_tracker(message, {"photo_urls": ["http://media/a.jpg"]})
    events, _ = run_action(ActionCollectMedia(), tracker, domain)
    assert slot_updates(events) == {"photo_urls": ["http://media/a.jpg", "http://media/b.jpg"]}
    events, _ = run_action(ActionCollectMedia(), make_tracker(message, slot_updates(events)), domain)
    assert events == []


def test_a_photo_answers_the_photo_question(domain):
    message = user_message("/send_photo", "send_photo", metadata={"photo_urls": ["http://media/a.jpg"]})
    slots = {"requested_slot": "photo_answer", "place": "x", "photo_urls": ["http://media/a.jpg"]}
    assert validate(message, domain, slots)[0] == {"photo_answer": "attached"}


def test_no_photo_is_skipped_with_words_or_the_button(domain):
    for text, intent in (("không có", "inform"), ("ko co anh", "nlu_fallback"), ("/deny", "deny")):
        updates, _ = validate(user_message(text, intent), domain, {"requested_slot": "photo_answer"})
        assert updates == {"photo_answer": "skipped"}, text


def test_questions_for_other_flows_make_the_form_step_aside(domain):
    message = user_message("phản ánh PA-2026-000123 sao rồi", "ask_status")
    events, messages = run_action(
        ValidateReportForm(), make_tracker(message, {"requested_slot": "place"}), domain
    )
    assert events == [] and messages == []


def test_confirmation_yes_completes_the_form(domain):
    updates, _ = validate(user_message("/affirm", "affirm"), domain, {"requested_slot": "confirmed"})
    assert updates == {"confirmed": True}


def test_edit_clears_the_details_and_says_so(domain):
    slots = {
        "requested_slot": "confirmed",
        "description": "rác",
        "place": "x",
        "location": "x",
        "photo_answer": "skipped",
        "category": "environment",
    }
    updates, said = validate(user_message("/deny", "deny"), domain, slots)
    assert said == ["utter_report_editing"]
    assert updates["description"] is None and updates["place"] is None and updates["location"] is None
    assert "category" not in updates


def test_unfitting_answer_asks_the_same_question_again(domain):
    updates, _ = validate(user_message("vâng", "affirm"), domain, {"requested_slot": "photo_answer"})
    assert updates == {"photo_answer": None}


def test_the_typed_answer_is_the_place_even_when_only_part_of_it_is_tagged(domain):
    entities = [{"entity": "location", "value": "kiet 45"}, {"entity": "area", "value": "An Mỹ"}]
    message = user_message("kiet 45 tran cao van, phuong an my", "inform", 0.9, entities=entities)
    slots = {"requested_slot": "place", "location": "kiet 45", "area": "An Mỹ"}
    updates, _ = validate(message, domain, slots)
    assert updates["location"] == "kiet 45 tran cao van, phuong an my"
    assert updates["place"] == "kiet 45 tran cao van, phuong an my"


def test_a_category_button_as_first_message_asks_for_the_description(domain):
    updates, _ = validate(user_message("/report_environment", "report_environment"), domain)
    assert updates["category"] == "environment"
    assert updates["description"] is None and updates["nlu_category"] is None
