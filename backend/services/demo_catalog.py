"""Vietnamese material for the demo data set: reports per category, places, names, answers."""

from __future__ import annotations

import struct
import zlib

PASSWORD = "demo-ioc-2026"
# (username, full name, role, department)
ACCOUNTS = (
    ("admin", "Nguyễn Quản Trị", "administrator", None),
    ("dieuphoi", "Trần Thị Điều Phối", "dispatcher", None),
    ("canbo.moitruong.tk", "Lê Văn Minh", "officer", "tam_ky_environment"),
    ("canbo.hatang.tk", "Phạm Thị Hạnh", "officer", "tam_ky_infrastructure"),
    ("canbo.giaothong.ha", "Võ Đức Thắng", "officer", "hoi_an_traffic_police"),
    ("canbo.attp.ha", "Huỳnh Thị Lan", "officer", "hoi_an_food_safety"),
    ("lanhdao", "Đặng Văn Lãnh Đạo", "leader", None),
)

# (town, area as citizens name it, streets, centre latitude, centre longitude)
PLACES = (
    (
        "tam_ky",
        "phường Tam Kỳ",
        ("Phan Châu Trinh", "Hùng Vương", "Trần Cao Vân", "Nguyễn Hoàng"),
        15.5736,
        108.4740,
    ),
    ("tam_ky", "phường Bàn Thạch", ("Huỳnh Thúc Kháng", "Tôn Đức Thắng", "Lê Lợi"), 15.5850, 108.4870),
    ("tam_ky", "phường Hương Trà", ("Trưng Nữ Vương", "Nguyễn Du", "Bạch Đằng"), 15.5620, 108.4880),
    ("tam_ky", "phường Quảng Phú", ("Lý Thường Kiệt", "Nguyễn Văn Trỗi"), 15.5980, 108.4600),
    ("hoi_an", "phường Hội An", ("Trần Phú", "Nguyễn Thái Học", "Bạch Đằng", "Lê Lợi"), 15.8770, 108.3280),
    ("hoi_an", "phường Hội An Đông", ("Cửa Đại", "Lạc Long Quân", "Âu Cơ"), 15.8900, 108.3600),
    ("hoi_an", "phường Hội An Tây", ("Hùng Vương", "Lý Thường Kiệt", "Trần Nhân Tông"), 15.8820, 108.3130),
)

REPORTS: dict[str, tuple[str, ...]] = {
    "environment": (
        "Rác thải sinh hoạt đổ trộm thành đống ven đường {street}, bốc mùi hôi thối mấy ngày nay.",
        "Xe thu gom rác không đến khu vực kiệt {n} {street} gần một tuần, rác tràn ra lòng đường.",
        "Cống thoát nước trên đường {street} bị tắc, nước đen ứ đọng và bốc mùi.",
        "Có người đốt rác, khói bay mù mịt vào khu dân cư gần đường {street} vào buổi tối.",
        "Cây xanh trên vỉa hè đường {street} bị gãy cành lớn, có nguy cơ rơi trúng người đi đường.",
        "Bãi đất trống cạnh số {n} {street} bị biến thành nơi tập kết xà bần, phế thải xây dựng.",
    ),
    "infrastructure": (
        "Mặt đường {street} đoạn gần số {n} bị sụt lún, xuất hiện ổ gà lớn rất nguy hiểm.",
        "Đèn chiếu sáng công cộng trên đường {street} bị hỏng cả dãy, ban đêm tối om.",
        "Nắp hố ga trước nhà số {n} {street} bị vỡ, xe máy đi qua dễ bị sa bánh.",
        "Vỉa hè đường {street} bị bong tróc gạch, người đi bộ rất dễ vấp ngã.",
        "Đường ống cấp nước bị vỡ trên đường {street}, nước chảy lênh láng ra đường.",
    ),
    "traffic": (
        "Đèn tín hiệu giao thông tại ngã tư {street} không hoạt động từ sáng, xe cộ lộn xộn.",
        "Nhiều xe tải đỗ dưới lòng đường {street} gây ùn tắc vào giờ tan tầm.",
        "Nhóm thanh niên thường xuyên chạy xe lạng lách, rú ga trên đường {street} vào ban đêm.",
        "Biển báo giao thông ở đầu đường {street} bị cây che khuất, tài xế không nhìn thấy.",
        "Xe khách dừng đón trả khách tùy tiện trên đường {street} gây nguy hiểm.",
    ),
    "security": (
        "Có đối tượng tụ tập đánh bạc tại quán nước gần số {n} {street} vào buổi chiều.",
        "Tối qua có người lạ đi rình rập, nghi trộm xe máy trong kiệt {n} {street}.",
        "Quán karaoke trên đường {street} mở nhạc rất to đến sau 23 giờ, ảnh hưởng người dân.",
        "Nhóm người gây gổ, ẩu đả trước cửa hàng tiện lợi đường {street}.",
    ),
    "food_safety": (
        "Quán ăn trên đường {street} chế biến thực phẩm mất vệ sinh, để thức ăn sống gần rác.",
        "Gia đình tôi bị đau bụng sau khi ăn bánh mì mua tại xe đẩy đầu đường {street}.",
        "Cơ sở sản xuất giò chả ở kiệt {n} {street} nghi sử dụng hàn the.",
        "Cửa hàng tạp hóa trên đường {street} bán bánh kẹo đã hết hạn sử dụng.",
    ),
    "urban_order": (
        "Hộ kinh doanh lấn chiếm toàn bộ vỉa hè đường {street} để bày bán hàng hóa.",
        "Công trình xây dựng tại số {n} {street} không che chắn, vật liệu rơi xuống đường.",
        "Nhà số {n} {street} đang xây thêm tầng, nghi không có giấy phép xây dựng.",
        "Bảng quảng cáo dựng tràn lan trên vỉa hè đường {street}, che khuất tầm nhìn.",
    ),
    "public_service": (
        "Tôi nộp hồ sơ cấp đổi giấy chứng nhận quyền sử dụng đất đã quá hẹn nhưng chưa có kết quả.",
        "Cổng dịch vụ công báo lỗi khi nộp hồ sơ đăng ký khai sinh trực tuyến cho con.",
        "Bộ phận một cửa {area} đông người, không có số thứ tự, người dân chờ rất lâu.",
        "Đề nghị hướng dẫn thủ tục đăng ký thường trú cho người từ tỉnh khác chuyển đến.",
    ),
}
CATEGORY_WEIGHTS = {
    "environment": 26, "infrastructure": 20, "traffic": 16, "urban_order": 14,
    "security": 10, "food_safety": 7, "public_service": 7,
}  # fmt: skip

ANSWERS = (
    "Đơn vị đã cử cán bộ kiểm tra hiện trường và xử lý xong nội dung phản ánh. "
    "Cảm ơn anh/chị đã thông tin.",
    "Lực lượng chức năng đã khắc phục sự cố tại vị trí anh/chị phản ánh. "
    "Rất mong tiếp tục nhận được phản hồi.",
    "Đã phối hợp với UBND phường kiểm tra, nhắc nhở và xử lý các trường hợp vi phạm theo quy định.",
)
REJECTIONS = (
    "Nội dung phản ánh thuộc thẩm quyền của Công ty Điện lực Quảng Nam; "
    "đề nghị anh/chị liên hệ tổng đài 1900 1909.",
    "Vị trí phản ánh thuộc địa bàn tỉnh khác; đề nghị anh/chị liên hệ đường dây nóng của địa phương đó.",
)
PROGRESS_REPLIES = (
    "Đơn vị đã tiếp nhận và đang bố trí lực lượng kiểm tra, sẽ thông tin kết quả sớm nhất.",
    "Cán bộ phụ trách đã liên hệ tổ dân phố để xác minh thông tin anh/chị cung cấp.",
)
NOTES = (
    "Đã gọi điện cho tổ trưởng tổ dân phố, hẹn kiểm tra chiều nay.",
    "Cần phối hợp thêm với đội thu gom của Công ty Môi trường đô thị.",
    "Trường hợp tương tự đã phản ánh tháng trước, đề nghị kiểm tra lại biện pháp xử lý.",
)
RATING_COMMENTS = {
    5: "Xử lý rất nhanh, cảm ơn các anh chị.", 4: "Đã xử lý, cảm ơn.", 3: "Đã xử lý nhưng hơi chậm.",
    2: "Chỉ xử lý tạm thời, vài hôm lại như cũ.", 1: "Chưa thấy xử lý triệt để.",
}  # fmt: skip
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Đức", "Thanh", "Hữu", "Quốc")
GIVEN = ("An", "Bình", "Cường", "Dung", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Phúc",
         "Quân", "Sương", "Tâm", "Thảo", "Trang", "Tuấn", "Vy")  # fmt: skip
CHANNELS = (("zalo", 50), ("telegram", 25), ("webchat", 25))
BOT_ACK = "Cảm ơn anh/chị đã phản ánh. Phản ánh đã được tiếp nhận với mã {code} và chuyển tới đơn vị xử lý."
BOT_ASK = "Anh/chị vui lòng cho biết địa điểm cụ thể (số nhà, tên đường hoặc gửi vị trí) ạ."
COLORS = ((94, 129, 172), (143, 170, 110), (181, 137, 98), (120, 120, 128))


def scene_png(color: tuple[int, int, int], width: int = 320, height: int = 240) -> bytes:
    """A small PNG standing in for a citizen's photo (sky above, ground below)."""
    rows = []
    for y in range(height):
        shade = (150, 190, 230) if y < height // 3 else tuple(max(0, c - (y * 40) // height) for c in color)
        rows.append(b"\x00" + bytes(shade) * width)
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
