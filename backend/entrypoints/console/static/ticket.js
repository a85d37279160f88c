// Ticket page: canned replies, live SLA countdown, full-size photos, keyboard shortcuts.
(function () {
  "use strict";
  const canned = document.getElementById("canned");
  const reply = document.getElementById("reply-text");
  if (canned && reply) {
    canned.addEventListener("change", () => {
      if (canned.value) { reply.value = canned.value; reply.focus(); }
    });
  }

  const countdown = document.getElementById("countdown");
  function span(seconds) {
    const s = Math.abs(seconds);
    const days = Math.floor(s / 86400), hours = Math.floor((s % 86400) / 3600), minutes = Math.floor((s % 3600) / 60);
    if (days) return days + " ngày " + hours + " giờ";
    if (hours) return hours + " giờ " + minutes + " phút";
    return Math.max(minutes, 1) + " phút";
  }
  if (countdown) {
    const started = Date.now();
    const initial = Number(countdown.dataset.remaining);
    const tick = () => {
      const left = initial - Math.floor((Date.now() - started) / 1000);
      countdown.textContent = left >= 0 ? "Còn " + span(left) : "Quá hạn " + span(left);
      countdown.classList.toggle("late", left < 0);
    };
    tick();
    setInterval(tick, 30000);
  }

  const viewer = document.getElementById("photo-viewer");
  document.querySelectorAll("a.photo").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (!viewer || !viewer.showModal) return;
      event.preventDefault();
      viewer.querySelector("img").src = link.href;
      viewer.showModal();
    });
  });
  if (viewer) viewer.addEventListener("click", (event) => { if (event.target === viewer) viewer.close(); });

  document.addEventListener("keydown", (event) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (event.key === "Escape" && !typing && !(viewer && viewer.open)) window.location.href = "/console";
    if (event.key === "r" && !typing && reply) { reply.focus(); event.preventDefault(); }
  });
})();

// Live updates (Server-Sent Events): new thread messages, the status, the deliveries table.
// Citizen text is only ever written with textContent.
(function () {
  "use strict";
  const thread = document.getElementById("thread");
  const liveState = document.getElementById("live-state");
  const notice = document.getElementById("ticket-news");
  if (!window.EventSource || !thread || !thread.dataset.events) return;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function say(text) {
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = false;
  }

  function addMessage(m) {
    const empty = thread.querySelector("li.empty");
    if (empty) empty.remove();
    const item = el("li", "turn is-new from-" + m.kind);
    const meta = el("div", "meta");
    meta.appendChild(el("b", "", m.author));
    meta.appendChild(document.createTextNode((m.name ? " · " + m.name : "") + " · "));
    meta.appendChild(el("time", "", m.at));
    item.appendChild(meta);
    item.appendChild(el("div", "body", m.body));
    thread.appendChild(item);
    if (m.kind === "citizen") say("Công dân vừa nhắn thêm: “" + m.body + "”");
  }

  function setStatus(s) {
    const holder = document.getElementById("ticket-status");
    const badge = holder ? holder.querySelector(".badge") : null;
    if (!badge || badge.textContent === s.status_vi) return;
    badge.className = "badge st-" + s.status;
    badge.textContent = s.status_vi;
    say("Trạng thái phản ánh vừa đổi thành “" + s.status_vi + "”. Tải lại trang để xem các thao tác phù hợp.");
  }

  function setDeliveries(data) {
    const body = document.querySelector("#deliveries tbody");
    if (!body) return;
    body.replaceChildren();
    if (!data.rows.length) {
      const row = el("tr", "empty");
      const cell = el("td", "muted", "Chưa có tin nào.");
      cell.colSpan = 4;
      row.appendChild(cell);
      body.appendChild(row);
    }
    data.rows.forEach((r) => {
      const row = el("tr");
      row.dataset.state = r.state;
      row.appendChild(el("td", "", r.at));
      row.appendChild(el("td", "", r.kind));
      row.appendChild(el("td", "desc", r.text));
      const state = el("td");
      state.appendChild(el("span", "badge dl-" + r.state, r.state_vi));
      if (r.attempts > 1) state.appendChild(el("small", "", " (" + r.attempts + " lần)"));
      if (r.delivered_at) { state.appendChild(el("br")); state.appendChild(el("small", "", r.delivered_at)); }
      row.appendChild(state);
      body.appendChild(row);
    });
  }

  const source = new EventSource(thread.dataset.events);
  source.addEventListener("open", () => { liveState.textContent = "Đang cập nhật trực tiếp"; liveState.className = "live on"; });
  source.addEventListener("error", () => { liveState.textContent = "Mất kết nối cập nhật, đang thử lại…"; liveState.className = "live off"; });
  source.addEventListener("thread", (event) => addMessage(JSON.parse(event.data)));
  source.addEventListener("status", (event) => setStatus(JSON.parse(event.data)));
  source.addEventListener("deliveries", (event) => setDeliveries(JSON.parse(event.data)));
  source.addEventListener("gone", () => {
    source.close();
    liveState.textContent = "Ngừng cập nhật";
    liveState.className = "live off";
    say("Anh/chị không còn quyền xem phản ánh này (có thể đã được chuyển sang đơn vị khác).");
  });
  window.addEventListener("beforeunload", () => source.close());
})();
