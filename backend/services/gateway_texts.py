"""What the gateway itself says to citizens (everything else comes from Rasa or the outbox
templates). Kept as data in one place; Python logic only picks the key."""

from __future__ import annotations

GATEWAY_TEXTS: dict[str, str] = {
    "rasa_pending": (
        "Đã nhận tin nhắn, hệ thống sẽ trả lời ngay khi có thể. " "Xin cảm ơn anh/chị đã kiên nhẫn chờ."
    ),
    "unsupported": (
        "Xin lỗi, hiện tại hệ thống chỉ hiểu tin nhắn chữ, hình ảnh và vị trí. "
        "Anh/chị vui lòng gửi lại bằng một trong các cách đó."
    ),
    "edited": (
        "Hệ thống không xử lý được tin nhắn đã sửa. "
        "Anh/chị vui lòng gửi nội dung mới thành một tin nhắn riêng."
    ),
    "photo_failed": (
        "Xin lỗi, hệ thống chưa nhận được ảnh anh/chị vừa gửi. "
        "Anh/chị vui lòng gửi lại ảnh (kèm nội dung mô tả, nếu có). Xin cảm ơn!"
    ),
    "message_failed": (
        "Xin lỗi, hệ thống chưa xử lý được tin nhắn anh/chị vừa gửi. "
        "Anh/chị vui lòng gửi lại nội dung đó. Xin cảm ơn!"
    ),
    "rate_limited": (
        "Anh/chị đang gửi quá nhiều tin nhắn trong thời gian ngắn. "
        "Vui lòng chờ khoảng một phút rồi gửi tiếp. Xin cảm ơn!"
    ),
}

PHOTO_MARK = "[Ảnh]"
LOCATION_MARK = "[Vị trí]"
