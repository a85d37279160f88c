"""VietnameseTokenizer: offsets slice the original text; codes and numbers stay whole."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.components.vietnamese_tokenizer import VietnameseTokenizer

MESSAGES = [
    "Ở phường Cẩm Châu bị ngập nước",
    "o phuong cam chau bi ngap nuoc qua troi",
    "ko bít j hết, mn ơi  r  sao z",
    "rác   thải\tđổ \n bừa bãi",
    "Đèn đường hỏng 😡😡👍🏻 ai xử lý giùm!!!",
    '(hẻm 12/3) "đường" Phan Châu Trinh... ok?',
    "Hoà Thuận thuý khoẻ",
    "Hòa Thuận, Tam Kỳ",
    "  khoảng trắng ở đầu và cuối  ",
]


@pytest.fixture(scope="module")
def tokenizer():
    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


def tokens_of(tokenizer, text, **data):
    message = Message({"text": text, **data})
    tokenizer.process([message])
    return message.get("text_tokens")


@pytest.mark.parametrize("text", MESSAGES)
def test_offsets_slice_the_original_text(tokenizer, text):
    tokens = tokens_of(tokenizer, text)
    assert tokens
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert all(t.text == t.text.strip() for t in tokens)
    assert [t.start for t in tokens] == sorted(t.start for t in tokens)
    covered = "".join(t.text for t in tokens).replace(" ", "")
    assert covered == "".join(text.split())


def test_nfd_input_keeps_offsets_and_composes_lemma(tokenizer):
    text = "Ho\u0300a Thua\u0323\u0302n"  # NFD: Hòa Thuận
    tokens = tokens_of(tokenizer, text)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert "hòa" in "_".join(t.lemma for t in tokens)


def test_multi_syllable_words_are_grouped(tokenizer):
    tokens = tokens_of(tokenizer, "rác thải đổ ở phường cẩm châu")
    assert "rác thải" in [t.text for t in tokens]
    assert "cẩm châu" in [t.text for t in tokens]
    assert "cẩm châu" in [t.lemma for t in tokens]


def test_unaccented_area_names_stay_one_word(tokenizer):
    tokens = tokens_of(tokenizer, "o phuong cam chau bi ngap")
    assert "cam chau" in [t.text for t in tokens]


@pytest.mark.parametrize(
    "code",
    [
        "PA-2026-000123",
        "PA2026000123",
        "pa-2025-45",
        "#123",
        "0905123456",
        "0905 123 456",
        "+84 905 123 456",
        "0235.3812.345",
        "https://dichvucong.gov.vn/p/home",
        "dichvucong.gov.vn",
        "nguyenvana@gmail.com",
        "10/11/2026",
        "22h30",
        "5k",
        "1.500.000",
    ],
)
def test_codes_numbers_and_links_stay_single_tokens(tokenizer, code):
    text = f"xem giúp {code}, cảm ơn"
    texts = [t.text for t in tokens_of(tokenizer, text)]
    assert code in texts
    assert texts[:2] == ["xem", "giúp"] or texts[0] == "xem giúp"


def test_codes_are_not_merged_with_neighbouring_words(tokenizer):
    texts = [t.text for t in tokens_of(tokenizer, "mã PA2026000123 đã xử lý chưa sđt 0905123456")]
    assert "PA2026000123" in texts and "0905123456" in texts
    assert not any(("PA" in t or "0905" in t) and t not in ("PA2026000123", "0905123456") for t in texts)


def test_teencode_goes_into_lemmas_not_text(tokenizer):
    tokens = tokens_of(tokenizer, "ko dc j hết, mn ơi")
    assert [t.text for t in tokens][:3] == ["ko", "dc", "j"]
    lemmas = [t.lemma for t in tokens]
    assert {"không", "được", "gì", "mọi người"} <= set(lemmas)


def test_placeholders_for_codes(tokenizer):
    lemmas = {t.text: t.lemma for t in tokens_of(tokenizer, "hồ sơ #12 gọi 0905123456")}
    assert lemmas["#12"] == "__ticket__" and lemmas["0905123456"] == "__phone__"


def test_training_entities_keep_their_edges(tokenizer):
    text = "ngập ở cẩm châu bị nặng"
    start = text.index("châu")
    entities = [{"start": start, "end": start + len("châu bị"), "value": "châu bị", "entity": "x"}]
    tokens = tokens_of(tokenizer, text, entities=entities)
    assert start in [t.start for t in tokens]
    assert start + len("châu bị") in [t.end for t in tokens]


def test_a_score_is_split_but_a_date_is_not(tokenizer):
    texts = [t.text for t in tokens_of(tokenizer, "chấm 3/5 nha, hẹn 3/5/2026")]
    assert texts[1:4] == ["3", "/", "5"]
    assert "3/5/2026" in texts


def test_training_entity_inside_a_code_splits_it(tokenizer):
    text = "số nhà 12A đường Hùng Vương"
    entities = [{"start": 7, "end": 9, "value": "12", "entity": "x"}]
    tokens = tokens_of(tokenizer, text, entities=entities)
    assert [(t.start, t.end) for t in tokens if t.start >= 7][:2] == [(7, 9), (9, 10)]


def test_area_names_are_not_glued_to_the_next_word(tokenizer):
    texts = [t.text for t in tokens_of(tokenizer, "đèn đường ở xã tam thanh hư r")]
    assert "tam thanh" in texts and "hư" in texts
