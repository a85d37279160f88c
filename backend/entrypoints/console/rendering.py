"""Jinja2 templates of the console (autoescaped) and the filters that format Vietnamese text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from backend.adapters.db.parked_inbound import SqlParkedInbound
from backend.domain.access import ROLE_VI, TICKET_WORKERS, Principal, Role
from backend.domain.lifecycle import STATUS_VI
from backend.domain.sla import LOCAL_TZ
from backend.services.failed_deliveries import FailedDeliveries
from backend.services.parked_messages import ParkedMessages

HERE = Path(__file__).resolve().parent
BADGE_CAP = 99
templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True))

CHANNEL_VI = {"telegram": "Telegram", "zalo": "Zalo OA", "webchat": "Web chat"}
AUTHOR_VI = {
    "citizen": "Công dân",
    "bot": "Trợ lý ảo",
    "official": "Cán bộ",
    "internal_note": "Ghi chú nội bộ",
    "system": "Hệ thống",
}
DELIVERY_VI = {
    "pending": "Chờ gửi",
    "sending": "Đang gửi",
    "delivered": "Đã gửi tới công dân",
    "failed": "Gửi lỗi, sẽ thử lại",
    "dead": "Gửi thất bại",
    "undeliverable": "Không gửi được: công dân đã chặn hoặc quá 7 ngày không nhắn tin",
}
OUTBOX_KIND_VI = {
    "received": "Xác nhận tiếp nhận",
    "assigned": "Thông báo chuyển đơn vị",
    "in_progress": "Thông báo đang xử lý",
    "resolved": "Kết quả xử lý",
    "rejected": "Thông báo không thuộc thẩm quyền",
    "official_reply": "Trả lời của cán bộ",
    "duplicate": "Thông báo trùng phản ánh",
    "bot_reply": "Trả lời của trợ lý ảo",
    "gateway_rasa_pending": "Báo đã nhận tin (trợ lý ảo chưa trả lời kịp)",
    "gateway_unsupported": "Báo loại tin nhắn chưa hỗ trợ",
    "gateway_edited": "Báo không xử lý tin nhắn đã sửa",
    "gateway_rate_limited": "Báo gửi quá nhiều tin nhắn",
    "gateway_photo_failed": "Báo chưa nhận được ảnh, mời gửi lại",
    "gateway_message_failed": "Báo chưa xử lý được tin nhắn, mời gửi lại",
}
INBOUND_KIND_VI = {
    "text": "Tin nhắn chữ",
    "photo": "Ảnh",
    "location": "Vị trí",
    "callback": "Chọn nút",
    "start": "Bắt đầu trò chuyện",
}
AUDIT_VI = {
    "created": "Tiếp nhận phản ánh",
    "routed": "Tự động phân công",
    "status_changed": "Đổi trạng thái",
    "rerouted": "Chuyển đơn vị / lĩnh vực",
    "replied": "Trả lời công dân",
    "noted": "Thêm ghi chú nội bộ",
    "marked_duplicate": "Đánh dấu trùng",
    "duplicate_linked": "Gắn phản ánh trùng",
    "possible_duplicate": "Nghi trùng phản ánh khác",
    "contact_viewed": "Xem thông tin liên hệ",
    "handoff_started": "Tiếp quản hội thoại",
    "handoff_ended": "Trả hội thoại cho trợ lý ảo",
    "rated": "Công dân đánh giá",
    "photo_added": "Thêm ảnh",
    "delivery_resent": "Gửi lại tin cho công dân",
}
ACTOR_VI = {"citizen": "Công dân", "system": "Hệ thống", "bot": "Trợ lý ảo"}
# Confirmations after an action (?ok=<code>); fixed texts, so a crafted link cannot inject any.
FLASH_VI = {
    "replied": "Đã gửi trả lời tới công dân. Trạng thái gửi được cập nhật bên dưới.",
    "status": "Đã cập nhật trạng thái phản ánh.",
    "rerouted": "Đã chuyển phản ánh.",
    "duplicate": "Đã đánh dấu phản ánh trùng.",
    "noted": "Đã thêm ghi chú nội bộ.",
    "taken_over": "Anh/chị đã tiếp quản hội thoại; trợ lý ảo tạm dừng trả lời công dân này.",
    "handed_back": "Đã trả hội thoại cho trợ lý ảo.",
    "bulk": "Đã thực hiện thao tác hàng loạt.",
    "resent": "Đã đưa tin vào hàng đợi gửi lại; hệ thống sẽ gửi trong giây lát.",
    "logged_out": "Anh/chị đã đăng xuất.",
}


def local_time(value: datetime | None, pattern: str = "%d/%m/%Y %H:%M") -> str:
    """A timestamp in Vietnam's time, e.g. 26/11/2026 16:45."""
    return value.astimezone(LOCAL_TZ).strftime(pattern) if value else ""


def _span(seconds: int) -> str:
    days, rest = divmod(abs(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} ngày {hours} giờ"
    return f"{hours} giờ {rest // 60} phút" if hours else f"{max(rest // 60, 1)} phút"


def remaining(seconds: int | None) -> str:
    """'Còn 2 ngày 3 giờ' or 'Quá hạn 5 giờ 10 phút' (empty once the ticket is closed)."""
    if seconds is None:
        return ""
    return f"Còn {_span(seconds)}" if seconds >= 0 else f"Quá hạn {_span(seconds)}"


def actor_name(actor: str | None) -> str:
    """How the audit trail's actor reads in Vietnamese."""
    if not actor:
        return ""
    role, _, name = actor.partition(":")
    if name and role in Role.__members__.values():
        return f"{name} ({ROLE_VI[Role(role)]})"
    return ACTOR_VI.get(actor, actor)


def number(value: int) -> str:
    """An integer in Vietnamese notation: 10000 → '10.000'."""
    return f"{value:,}".replace(",", ".")


def query_with(request: Request, **changes: Any) -> str:
    """The current query string with some parameters replaced (None removes them)."""
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    items += [(k, str(v)) for k, v in changes.items() if v is not None]
    return "?" + urlencode(items)


for name, function in {
    "local_time": local_time,
    "remaining": remaining,
    "actor_name": actor_name,
    "number": number,
}.items():
    templates.env.filters[name] = function
templates.env.globals.update(
    CHANNEL_VI=CHANNEL_VI,
    AUTHOR_VI=AUTHOR_VI,
    DELIVERY_VI=DELIVERY_VI,
    OUTBOX_KIND_VI=OUTBOX_KIND_VI,
    INBOUND_KIND_VI=INBOUND_KIND_VI,
    AUDIT_VI=AUDIT_VI,
    ROLE_VI=ROLE_VI,
    statuses_vi={status.value: label for status, label in STATUS_VI.items()},
    query_with=query_with,
)


def failed_badge(request: Request, user: Principal | None) -> str:
    """The navigation's count of failed deliveries and parked inbound messages the official may
    see ('' when none; '99+')."""
    if user is None or user.role not in TICKET_WORKERS:
        return ""
    container = request.app.state.container
    count, capped = FailedDeliveries(container.session_factory, container.clock).count(user, BADGE_CAP)
    if not capped:
        parked_messages = ParkedMessages(SqlParkedInbound(container.session_factory))
        parked, capped = parked_messages.count(user, BADGE_CAP - count)
        count += parked
    return f"{count}+" if capped else str(count or "")


def render(
    request: Request, name: str, user: Principal | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a template with the signed-in official, the CSRF token and the flash message."""
    base = {
        "user": user,
        "csrf_token": str(getattr(request.state, "csrf_token", "")),
        "flash": FLASH_VI.get(request.query_params.get("ok", "")),
        "error": context.pop("error", None),
        "failed_badge": failed_badge(request, user),
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
