"""Generate N realistic tickets with set-based SQL (INSERT … SELECT … FROM generate_series).

Two years of tickets, oldest first; categories, units, channels and ratings skewed like a real
inbox; the status follows the age (old tickets are mostly closed); deadlines from the category's
SLA; about 70 % resolved on time. The department is a fixed function of (category, unit), as
routing would give. Secondary indexes are dropped during the load and rebuilt, then ANALYZE.
"""

from __future__ import annotations

import time

from backend_env import connect, note

PROBLEMS = [
    "Rác thải sinh hoạt đổ trộm bốc mùi hôi thối", "Đèn đường không sáng cả tuần nay",
    "Ổ gà lớn giữa đường rất nguy hiểm", "Cống thoát nước bị tắc gây ngập", "Cây xanh gãy đổ chắn lối đi",
    "Lấn chiếm vỉa hè để buôn bán", "Karaoke hát to sau 22 giờ", "Xây dựng không phép lấn ra hẻm",
    "Xe tải đậu chắn lối vào hẻm", "Quán ăn mất vệ sinh an toàn thực phẩm", "Nước sinh hoạt bị đục",
    "Trộm cắp xe máy ban đêm", "Biển báo giao thông bị che khuất", "Đường bị sụt lún sau mưa",
    "Đốt rác gây khói bụi", "Chó thả rông không rọ mõm", "Bãi đất trống mọc cỏ um tùm",
    "Tụ tập đua xe trái phép", "Vỉa hè bị đào bới không hoàn trả", "Trạm xe buýt xuống cấp",
]  # fmt: skip
STREETS = [
    "Phan Châu Trinh", "Trần Phú", "Hùng Vương", "Lê Lợi", "Nguyễn Huệ", "Huỳnh Thúc Kháng", "Bạch Đằng",
    "Hai Bà Trưng", "Nguyễn Duy Hiệu", "Lý Thường Kiệt", "Trần Hưng Đạo", "Phạm Văn Đồng",
    "Nguyễn Văn Trỗi", "Cửa Đại", "Trần Quý Cáp", "Phan Bội Châu", "Lê Quý Đôn", "Đinh Tiên Hoàng",
    "Quang Trung", "Tôn Đức Thắng", "Nguyễn Tất Thành", "Hoàng Diệu", "Duy Tân", "Điện Biên Phủ",
]  # fmt: skip

GENERATE = """
WITH ref AS (
  SELECT (SELECT array_agg(code ORDER BY code) FROM units) AS units,
         (SELECT array_agg(town_code ORDER BY code) FROM units) AS towns,
         (SELECT array_agg(name ORDER BY code) FROM units) AS unit_names,
         (SELECT array_agg(code ORDER BY code) FROM departments) AS deps,
         (SELECT array_agg(code ORDER BY code) FROM categories) AS cats,
         (SELECT array_agg(sla_working_days ORDER BY code) FROM categories) AS slas
), base AS (
  SELECT n,
    now() - interval '730 days' * (1 - n::float8 / %(total)s) - random() * interval '2 hours' AS created,
    random() AS r_cat, random() AS r_unit, random() AS r_status, random() AS r_res, random() AS r_rate,
    random() AS r_score, random() AS r_channel
  FROM generate_series(1, %(total)s) AS n
), picked AS (
  SELECT b.*, ref.*,
    CASE WHEN r_cat < .30 THEN 'environment' WHEN r_cat < .50 THEN 'infrastructure'
         WHEN r_cat < .65 THEN 'traffic' WHEN r_cat < .80 THEN 'urban_order' WHEN r_cat < .88 THEN 'security'
         WHEN r_cat < .95 THEN 'public_service' ELSE 'food_safety' END AS cat,
    CASE WHEN r_unit < .08 THEN NULL
         ELSE 1 + floor(array_length(ref.units, 1) * power((r_unit - .08) / .92, 1.7))::int END AS u,
    extract(epoch FROM now() - created) / 86400 AS age
  FROM base b CROSS JOIN ref
), statused AS (
  SELECT p.*, coalesce(slas[array_position(cats, cat)], 5) AS sla,
    CASE WHEN age > 30 THEN (CASE WHEN r_status < .75 THEN 'closed' WHEN r_status < .87 THEN 'resolved'
             WHEN r_status < .92 THEN 'rejected' WHEN r_status < .97 THEN 'duplicate' ELSE 'in_progress' END)
         WHEN age > 7 THEN (CASE WHEN r_status < .30 THEN 'closed' WHEN r_status < .60 THEN 'resolved'
             WHEN r_status < .80 THEN 'in_progress' WHEN r_status < .90 THEN 'assigned'
             WHEN r_status < .95 THEN 'rejected' ELSE 'duplicate' END)
         ELSE (CASE WHEN r_status < .05 THEN 'new' WHEN r_status < .45 THEN 'assigned'
             WHEN r_status < .75 THEN 'in_progress' WHEN r_status < .92 THEN 'resolved' ELSE 'closed' END)
    END AS status
  FROM picked p
), timed AS (
  SELECT s.*, created + sla * interval '1.4 days' AS due,
    CASE WHEN status IN ('resolved', 'closed')
         THEN least(created + power(r_res, 1.6) * sla * interval '2 days', now()) END AS resolved
  FROM statused s
)
INSERT INTO tickets (code, status, category_code, description, location_text, area_text, unit_code,
  town_code, department_code, routing_match, citizen_channel, citizen_user_id, citizen_name,
  due_at, created_at, updated_at, resolved_at, closed_at, rating_score, rated_at)
SELECT
  'PA-' || to_char(created, 'YYYY') || '-' || lpad((row_number() OVER (
      PARTITION BY to_char(created, 'YYYY') ORDER BY n))::text, 6, '0'),
  status, cat,
  (%(problems)s::text[])[1 + n %% 20] || ' tại đường ' || (%(streets)s::text[])[1 + (n / 20) %% 24]
      || ', gần nhà số ' || (1 + n %% 397) || '. Đề nghị cơ quan chức năng kiểm tra xử lý.',
  'số ' || (1 + n %% 397) || ' ' || (%(streets)s::text[])[1 + (n / 20) %% 24],
  CASE WHEN u IS NULL THEN NULL ELSE unit_names[u] END,
  CASE WHEN u IS NULL THEN NULL ELSE units[u] END,
  CASE WHEN u IS NULL THEN NULL ELSE towns[u] END,
  deps[1 + (array_position(cats, cat) * 7 + coalesce(u, 0) * 3) %% array_length(deps, 1)],
  CASE WHEN u IS NULL THEN 'fallback' ELSE 'unit' END,
  CASE WHEN r_channel < .55 THEN 'zalo' WHEN r_channel < .80 THEN 'telegram'
       WHEN r_channel < .95 THEN 'webchat' ELSE 'open311' END,
  (n::bigint * 7919 %% 250000)::text, 'Công dân ' || (n %% 1000),
  due, created, coalesce(resolved, created), resolved,
  CASE WHEN status = 'closed' THEN resolved + interval '3 days' END,
  CASE WHEN resolved IS NOT NULL AND r_rate < .35 THEN (CASE WHEN r_score < .40 THEN 5
       WHEN r_score < .70 THEN 4 WHEN r_score < .85 THEN 3 WHEN r_score < .93 THEN 2 ELSE 1 END) END,
  CASE WHEN resolved IS NOT NULL AND r_rate < .35 THEN resolved + interval '1 day' END
FROM timed
"""

SECONDARY_INDEXES = """
SELECT indexname, indexdef FROM pg_indexes i
WHERE tablename = 'tickets' AND NOT EXISTS (
  SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
"""
COUNTERS = """
INSERT INTO ticket_code_counters (year, last_number)
SELECT split_part(code, '-', 2)::int, max(split_part(code, '-', 3)::int) FROM tickets GROUP BY 1
ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number
"""


def generate(url: str, total: int) -> float:
    """Replace the tickets with `total` generated ones; return the seconds it took."""
    start = time.perf_counter()
    with connect(url) as db:
        indexes = db.execute(SECONDARY_INDEXES).fetchall()
        db.execute("TRUNCATE tickets, ticket_code_counters RESTART IDENTITY CASCADE")
        for name, _ in indexes:
            db.execute(f'DROP INDEX "{name}"')
        db.execute(GENERATE, {"total": total, "problems": PROBLEMS, "streets": STREETS})
        db.execute(COUNTERS)
        loaded = time.perf_counter() - start
        for _, definition in indexes:
            db.execute(definition)
        db.execute("VACUUM ANALYZE tickets")
    took = time.perf_counter() - start
    note(f"generated {total:,} tickets in {took:.0f} s ({loaded:.0f} s insert, then indexes, VACUUM)")
    return took
