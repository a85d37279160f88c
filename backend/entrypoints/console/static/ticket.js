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
