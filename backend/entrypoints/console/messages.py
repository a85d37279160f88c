"""Vietnamese wording of the services' error messages for the console pages."""

from __future__ import annotations

from backend.domain.errors import Conflict, DomainError, InvalidInput, NotFound

KNOWN = {
    "a reason is required to re-route a ticket": "Vui lòng nhập lý do chuyển phản ánh.",
    "give a new category, a new department, or both": "Vui lòng chọn đơn vị hoặc lĩnh vực mới.",
    "an answer to the citizen is required to resolve a ticket": (
        "Vui lòng nhập nội dung trả lời công dân để chuyển sang “Đã xử lý xong”."
    ),
    "a referral (who is responsible) is required to reject a ticket": (
        "Vui lòng ghi rõ cơ quan có thẩm quyền khi từ chối phản ánh."
    ),
    "reply text is required": "Vui lòng nhập nội dung trả lời.",
    "note text is required": "Vui lòng nhập nội dung ghi chú.",
    "a ticket cannot duplicate itself": "Không thể đánh dấu phản ánh trùng với chính nó.",
    "the conversation is not taken over": "Hội thoại hiện không do cán bộ tiếp quản.",
    "give a department, a status, or both": "Vui lòng chọn đơn vị hoặc trạng thái mới.",
    "not found": "Không tìm thấy phản ánh.",
    "delivery not found": "Không tìm thấy tin cần gửi lại.",
    "only a dead delivery can be sent again": (
        "Chỉ gửi lại được tin đã gửi thất bại; tin này đã được gửi lại hoặc không gửi được tới công dân."
    ),
}
PREFIXES = {
    "cannot change status": "Không thể chuyển trạng thái này",
    "the conversation is already handled by": "Hội thoại đang do cán bộ khác tiếp quản",
    "unknown department": "Đơn vị không tồn tại",
    "unknown category": "Lĩnh vực không tồn tại",
    "unknown status": "Trạng thái không hợp lệ",
    "bad ticket code": "Mã phản ánh không hợp lệ",
    "give between": "Vui lòng chọn từ 1 đến 200 phản ánh",
}


def vietnamese_error(error: DomainError | str) -> str:
    """A polite Vietnamese sentence for a service error (the English detail kept in brackets)."""
    text = str(error)
    if text in KNOWN:
        return KNOWN[text]
    for prefix, wording in PREFIXES.items():
        if text.startswith(prefix) or prefix in text:
            return f"{wording} ({text})."
    if isinstance(error, NotFound):
        return KNOWN["not found"]
    if isinstance(error, Conflict):
        return f"Thao tác không phù hợp với trạng thái hiện tại của phản ánh ({text})."
    if isinstance(error, InvalidInput):
        return f"Dữ liệu chưa hợp lệ ({text})."
    return f"Không thực hiện được thao tác ({text})."
