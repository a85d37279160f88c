// Inbox: keyboard navigation, bulk selection, live updates (Server-Sent Events).
// Citizen text is only ever written with textContent.
(function () {
  "use strict";
  const table = document.getElementById("tickets");
  const body = table ? table.tBodies[0] : null;
  let current = -1;

  function rows() { return body ? Array.from(body.querySelectorAll("tr[data-href]")) : []; }

  function focusRow(index) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("is-current", i === current));
    all[current].focus({ preventScroll: true });
    all[current].scrollIntoView({ block: "nearest" });
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const all = rows();
    if (event.key === "j") { focusRow(current + 1); event.preventDefault(); }
    else if (event.key === "k") { focusRow(current - 1); event.preventDefault(); }
    else if (event.key === "/") { document.getElementById("q").focus(); event.preventDefault(); }
    else if (event.key === "Enter" && all[current]) { window.location.href = all[current].dataset.href; }
    else if (event.key === "x" && all[current]) {
      const box = all[current].querySelector("input[type=checkbox]");
      if (box) { box.checked = !box.checked; updateBulkCount(); }
    }
  });

  if (body) {
    body.addEventListener("click", (event) => {
      const row = event.target.closest("tr[data-href]");
      if (!row || event.target.closest("a, input, label")) return;
      window.location.href = row.dataset.href;
    });
  }

  function updateBulkCount() {
    const label = document.getElementById("bulk-count");
    if (!label) return;
    const n = document.querySelectorAll("#tickets input[name=code]:checked").length;
    label.textContent = n ? "(" + n + " phản ánh đã chọn)" : "(chưa chọn phản ánh nào)";
  }
  const all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", () => {
      document.querySelectorAll("#tickets input[name=code]").forEach((box) => { box.checked = all.checked; });
      updateBulkCount();
    });
  }
  document.addEventListener("change", (event) => { if (event.target.name === "code") updateBulkCount(); });
  const bulkForm = document.getElementById("bulk-form");
  if (bulkForm) {
    bulkForm.addEventListener("submit", (event) => {
      if (!document.querySelectorAll("#tickets input[name=code]:checked").length) {
        event.preventDefault();
        document.getElementById("bulk-count").textContent = "(hãy chọn ít nhất một phản ánh)";
      }
    });
  }

  // Live updates.
  const news = document.getElementById("news");
  const newsText = document.getElementById("news-text");
  const liveState = document.getElementById("live-state");
  let fresh = 0;

  function cell(text, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    td.textContent = text;
    return td;
  }

  function addTicket(t) {
    if (!body || body.querySelector('tr[data-code="' + CSS.escape(t.code) + '"]')) return;
    const empty = body.querySelector("tr.empty");
    if (empty) empty.remove();
    const headers = Array.from(table.tHead.rows[0].cells).map((th) => th.textContent.trim());
    const row = document.createElement("tr");
    row.dataset.href = "/console/tickets/" + encodeURIComponent(t.code);
    row.dataset.code = t.code;
    row.tabIndex = -1;
    row.className = "is-new";
    const values = {
      "Mã": null, "Nội dung phản ánh": t.description, "Lĩnh vực": t.category_name, "Địa bàn": t.unit_name || "—",
      "Đơn vị xử lý": t.department_name, "Trạng thái": null, "Hạn xử lý": t.due_at, "Kênh": t.channel,
      "Tiếp nhận": t.created_at,
    };
    headers.forEach((name, i) => {
      if (i === 0 && document.getElementById("select-all")) {
        const td = cell("", "sel");
        const box = document.createElement("input");
        box.type = "checkbox"; box.name = "code"; box.value = t.code;
        td.appendChild(box); row.appendChild(td); return;
      }
      if (name === "Mã") {
        const td = cell("", "code"); const a = document.createElement("a");
        a.href = row.dataset.href; a.textContent = t.code; td.appendChild(a); row.appendChild(td); return;
      }
      if (name === "Trạng thái") {
        const td = cell(""); const badge = document.createElement("span");
        badge.className = "badge st-" + t.status; badge.textContent = t.status_vi;
        td.appendChild(badge); row.appendChild(td); return;
      }
      row.appendChild(cell(values[name] || "", name === "Nội dung phản ánh" ? "desc" : ""));
    });
    body.insertBefore(row, body.firstChild);
    const count = document.querySelector('.status-tabs a[data-status="' + t.status + '"] .count');
    if (count && !count.textContent.endsWith("+")) {  // "10.000+": capped, left as it is
      count.textContent = String(Number(count.textContent.replace(/\./g, "")) + 1).replace(/\B(?=(\d{3})+$)/g, ".");
    }
    fresh += 1;
    showNews(fresh + " phản ánh mới vừa đến.");
  }

  function addMessage(m) {
    const row = body ? body.querySelector('tr[data-code="' + CSS.escape(m.code) + '"]') : null;
    if (row) row.classList.add("has-message");
    showNews("Công dân vừa nhắn thêm ở " + m.code + ": “" + m.body + "”");
  }

  function showNews(text) {
    if (!news) return;
    newsText.textContent = text;
    news.hidden = false;
  }

  if (window.EventSource && body) {
    const source = new EventSource("/console/events");
    source.addEventListener("open", () => { liveState.textContent = "Đang cập nhật trực tiếp"; liveState.className = "live on"; });
    source.addEventListener("error", () => { liveState.textContent = "Mất kết nối cập nhật, đang thử lại…"; liveState.className = "live off"; });
    source.addEventListener("ticket", (event) => addTicket(JSON.parse(event.data)));
    source.addEventListener("message", (event) => addMessage(JSON.parse(event.data)));
    window.addEventListener("beforeunload", () => source.close());
  }
})();
