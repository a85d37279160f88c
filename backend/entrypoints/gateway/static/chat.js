/* Web chat client: hand-written, no dependencies. Citizen and bot text is always set with
   textContent, never parsed as HTML. */
(function () {
  "use strict";
  var SESSION_KEY = "ioc_chat_session";
  var MAX_PHOTO_BYTES = 5 * 1024 * 1024;
  var PHOTO_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];
  var list = document.getElementById("messages");
  var statusBox = document.getElementById("status");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var photoInput = document.getElementById("photo-input");
  var socket = null;
  var lastId = 0;
  var seen = {};
  var queue = [];
  var retries = 0;
  var counter = 0;

  function randomId(bytes) {
    var data = new Uint8Array(bytes);
    (window.crypto || window.msCrypto).getRandomValues(data);
    return Array.prototype.map.call(data, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function sessionId() {
    var id = null;
    try { id = localStorage.getItem(SESSION_KEY); } catch (e) { /* storage disabled */ }
    if (!id || !/^w[0-9a-f]{32}$/.test(id)) {  /* the server's format; older short ids get a new one */
      id = "w" + randomId(16);
      try { localStorage.setItem(SESSION_KEY, id); } catch (e) { /* keep it for this page */ }
    }
    return id;
  }
  var session = sessionId();

  function setStatus(text, online) {
    statusBox.textContent = text;
    statusBox.classList.toggle("is-online", !!online);
  }

  function scrollDown() { list.scrollTop = list.scrollHeight; }

  function note(text) {
    var item = document.createElement("li");
    item.className = "msg msg--out msg--system";
    item.textContent = text;
    list.appendChild(item);
    scrollDown();
  }

  function render(frame) {
    if (seen[frame.id]) return;
    seen[frame.id] = true;
    lastId = Math.max(lastId, frame.id);
    var item = document.createElement("li");
    item.className = "msg msg--" + (frame.direction === "in" ? "in" : "out");
    if (frame.author === "system") item.className += " msg--system";
    item.dataset.id = String(frame.id);
    if (frame.text) {
      var text = document.createElement("div");
      text.textContent = frame.text;
      item.appendChild(text);
    }
    if (frame.image_url) {
      var img = document.createElement("img");
      img.alt = "Ảnh";
      img.loading = "lazy";
      showImage(img, frame.image_url);
      item.appendChild(img);
    }
    if (frame.buttons && frame.buttons.length) item.appendChild(buttonRow(frame.buttons));
    list.appendChild(item);
    scrollDown();
  }

  // Citizens' photos (/media/) are not public: fetched with this chat's session, shown as a blob.
  function showImage(img, url) {
    if (url.indexOf("/media/") < 0) { img.src = url; return; }
    fetch(url, { headers: { "X-Chat-Session": session } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.blob(); })
      .then(function (blob) { img.src = URL.createObjectURL(blob); })
      .catch(function () { img.alt = "Ảnh (không hiển thị được)"; });
  }

  function buttonRow(buttons) {
    var row = document.createElement("div");
    row.className = "msg__buttons";
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", function () {
        Array.prototype.forEach.call(row.querySelectorAll("button"), function (x) { x.disabled = true; });
        send({ type: "postback", payload: b.payload, text: b.title });
      });
      row.appendChild(button);
    });
    return row;
  }

  function send(frame) {
    frame.session_id = session;
    frame.client_message_id = Date.now().toString(36) + "-" + (counter++) + "-" + randomId(3);
    queue.push(frame);
    flush();
  }

  function flush() {
    while (socket && socket.readyState === WebSocket.OPEN && queue.length) {
      socket.send(JSON.stringify(queue[0]));
      queue.shift();
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + location.host + "/chat/ws?session_id=" + encodeURIComponent(session) + "&after=" + lastId;
    setStatus(retries ? "Đang kết nối lại…" : "Đang kết nối…", false);
    socket = new WebSocket(url);
    socket.onopen = function () { retries = 0; setStatus("Trực tuyến", true); flush(); };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "message") render(frame);
      else if (frame.type === "error") note("Không gửi được: " + frame.reason);
    };
    socket.onclose = function () {
      socket = null;
      var delay = Math.min(30000, 1000 * Math.pow(2, retries++)) * (0.75 + Math.random() / 2);
      setStatus("Mất kết nối, đang thử lại…", false);
      setTimeout(connect, delay);
    };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    send({ type: "text", text: text });
    input.value = "";
  });

  document.getElementById("photo-button").addEventListener("click", function () { photoInput.click(); });
  photoInput.addEventListener("change", function () {
    var file = photoInput.files && photoInput.files[0];
    photoInput.value = "";
    if (!file) return;
    if (PHOTO_TYPES.indexOf(file.type) < 0) { note("Chỉ gửi được ảnh JPEG, PNG, GIF hoặc WebP."); return; }
    if (file.size > MAX_PHOTO_BYTES) { note("Ảnh quá lớn (tối đa 5 MB)."); return; }
    var body = new FormData();
    body.append("file", file);
    body.append("session_id", session);
    setStatus("Đang tải ảnh lên…", true);
    fetch("/chat/upload", { method: "POST", body: body })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (result) {
        if (!result.ok) throw new Error(result.data.detail || "lỗi tải ảnh");
        send({ type: "photo", payload: { url: result.data.url } });
        setStatus("Trực tuyến", true);
      })
      .catch(function (error) { note("Không tải được ảnh: " + error.message); setStatus("Trực tuyến", true); });
  });

  document.getElementById("location-button").addEventListener("click", function () {
    if (!navigator.geolocation) { note("Trình duyệt không hỗ trợ chia sẻ vị trí."); return; }
    navigator.geolocation.getCurrentPosition(
      function (position) {
        send({ type: "location", payload: { latitude: position.coords.latitude, longitude: position.coords.longitude } });
      },
      function () { note("Không lấy được vị trí. Anh/chị vui lòng cho phép truy cập vị trí hoặc nhập địa chỉ."); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });

  connect();
})();
