/* Embeddable web chat: <script src="https://host/chat/widget.js"></script> adds a floating
   button that opens the chat in an iframe. No dependencies. */
(function () {
  "use strict";
  if (window.__iocChatWidget) return;
  window.__iocChatWidget = true;
  var script = document.currentScript;
  var origin = script ? new URL(script.src, location.href).origin : location.origin;

  var button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-label", "Mở khung phản ánh");
  button.textContent = "💬 Phản ánh";
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;border:0;" +
    "border-radius:28px;padding:12px 18px;background:#0b5cab;color:#fff;font:600 15px system-ui,sans-serif;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer";

  var frame = document.createElement("iframe");
  frame.title = "Phản ánh hiện trường";
  frame.allow = "geolocation";
  frame.style.cssText = "position:fixed;right:16px;bottom:76px;z-index:2147483000;width:min(380px,calc(100vw - 32px));" +
    "height:min(600px,calc(100vh - 96px));border:0;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.3);" +
    "display:none;background:#fff";

  button.addEventListener("click", function () {
    if (!frame.src) frame.src = origin + "/chat?embed=1";
    var open = frame.style.display === "none";
    frame.style.display = open ? "block" : "none";
    button.setAttribute("aria-label", open ? "Đóng khung phản ánh" : "Mở khung phản ánh");
  });

  function mount() {
    document.body.appendChild(frame);
    document.body.appendChild(button);
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
