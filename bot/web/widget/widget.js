/*
 * 卫生健康政务服务助手 — web chat widget.
 *
 * Embed in any site with one tag:
 *   <script src="https://HOST/widget.js" data-title="政务服务助手" defer></script>
 * Attributes (all optional):
 *   data-api    base URL of the chat API (default: where widget.js came from)
 *   data-mode   "float" (default: launcher button + panel) or "page" (fills the page, used at /)
 *   data-title  heading of the chat
 *   data-open   "true" to open the floating panel at start
 *
 * Security: every text from the user, the bot or a handler is put in the page with
 * textContent only; links are made only for http(s) URLs.
 */
(function () {
  "use strict";

  if (window.__hzChatLoaded) { return; }
  window.__hzChatLoaded = true;

  // All wording of the widget, in one place.
  var TEXTS = {
    title: "卫生健康政务服务助手",
    launcher: "在线咨询",
    launcherNew: "有新消息",
    close: "关闭对话窗口",
    inputLabel: "请输入您的问题",
    placeholder: "请输入您想咨询的问题",
    send: "发送",
    smaller: "缩小字号",
    larger: "放大字号",
    restart: "新对话",
    restartLabel: "开始新的对话（清除本机保存的聊天记录）",
    typing: "正在为您查询，请稍候……",
    me: "我说：",
    bot: "助手说：",
    handler: "工作人员消息：",
    sources: "来源：",
    networkError: "网络连接异常，消息没有发出去。请检查网络后再试，或拨打 12345 政务服务便民热线。",
    empty: "请先输入您的问题。",
    tooLong: "内容太长了，请控制在 {n} 个字以内。",
    welcome: "您好！我是卫生健康政务服务助手。您可以问我办事需要的材料、办理时限、收费、办理地点等，也可以反映“办不成的事”。",
    suggestions: [
      { title: "护士执业注册要什么材料", payload: "护士执业注册需要哪些材料" },
      { title: "出生医学证明怎么办", payload: "出生医学证明怎么办理" },
      { title: "反映办不成的事", payload: "我要反映办不成的事" }
    ],
    privacy: "请勿输入身份证号、银行卡号等个人敏感信息；留下的手机号只用于诉求回访。",
    feedbackAsk: "这个答复对您有帮助吗？",
    feedbackUp: "有帮助",
    feedbackDown: "没帮助",
    feedbackWhy: "请选择原因（可不选）：",
    feedbackReasons: [
      { key: "off_topic", title: "答非所问" },
      { key: "outdated", title: "内容过时" },
      { key: "unclear", title: "看不懂" },
      { key: "other", title: "其他" }
    ],
    feedbackOtherLabel: "请简要说明（请勿填写个人信息）",
    feedbackSubmit: "提交",
    feedbackThanks: "感谢您的评价！",
    feedbackThanksDown: "感谢反馈，我们会改进这个答复。",
    feedbackFailed: "评价没有提交成功，请稍后再试。",
    counter: "{n}/{max}"
  };
  var MAX_CHARS = 2000;
  var FEEDBACK_KINDS = { answer: true, clarify: true, no_answer: true };
  var COMMENT_MAX = 300;
  var MAX_HISTORY = 200;
  var POLL_MS = 15000;
  var SIZES = ["hz-size-0", "hz-size-1", "hz-size-2"];

  function findScript() {
    if (document.currentScript) { return document.currentScript; }
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/widget\.js(\?|#|$)/.test(scripts[i].src)) { return scripts[i]; }
    }
    return null;
  }

  var script = findScript();
  var data = (script && script.dataset) || {};
  var scriptUrl = script && script.src ? new URL(script.src, location.href) : new URL(location.href);
  var API = (data.api || scriptUrl.origin).replace(/\/+$/, "");
  var MODE = data.mode === "page" ? "page" : "float";
  var TITLE = data.title || TEXTS.title;
  var KEY = "hzchat:v1:";

  // ---- storage (localStorage may be unavailable: private mode, blocked cookies) ----
  var memoryStore = {};
  function load(name, fallback) {
    try {
      var raw = window.localStorage.getItem(KEY + name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return name in memoryStore ? memoryStore[name] : fallback;
    }
  }
  function save(name, value) {
    memoryStore[name] = value;
    try { window.localStorage.setItem(KEY + name, JSON.stringify(value)); } catch (e) { /* keep in memory */ }
  }

  function newSessionId() {
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    var hex = "";
    for (var j = 0; j < bytes.length; j++) { hex += (bytes[j] < 16 ? "0" : "") + bytes[j].toString(16); }
    return "web-" + hex;
  }

  var state = {
    session: load("session", null),
    history: load("history", []),
    size: load("size", 0),
    busy: false,
    open: false,
    unread: false
  };
  if (typeof state.session !== "string" || !/^[A-Za-z0-9_.:-]{1,128}$/.test(state.session)) {
    state.session = newSessionId();
    save("session", state.session);
  }
  if (!Array.isArray(state.history)) { state.history = []; }
  if (typeof state.size !== "number" || state.size < 0 || state.size >= SIZES.length) { state.size = 0; }

  // ---- the same masking as the server (bot/pii.py), so the history kept on this device
  // (localStorage) never holds a raw mobile or ID-card number ----
  function foldWidth(text) {
    return text.replace(/[\uFF10-\uFF19\uFF38\uFF58\uFF0D\u3000\uFF0B]/g, function (ch) {
      var c = ch.charCodeAt(0);
      if (c >= 0xFF10 && c <= 0xFF19) { return String.fromCharCode(c - 0xFF10 + 48); }
      return { "\uFF38": "X", "\uFF58": "x", "\uFF0D": "-", "\u3000": " ", "\uFF0B": "+" }[ch];
    });
  }
  var ID_RE = /(^|[^0-9])([1-9][0-9]{5})((?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]))([0-9]{3}[0-9Xx])(?![0-9])/g;
  var MOBILE_RE = /(^|[^0-9])((?:\+86|0086|86)[- ]?)?(1[3-9][0-9])[- ]?([0-9]{4})[- ]?([0-9]{4})(?![0-9])/g;
  function maskPersonal(text) {
    return foldWidth(String(text))
      .replace(ID_RE, function (m, pre, area, birth, tail) {
        return pre + area + "********" + tail.toUpperCase();
      })
      .replace(MOBILE_RE, function (m, pre, cc, head, mid, tail) {
        return pre + (cc || "") + head + "****" + tail;
      });
  }

  // ---- DOM helpers ----
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function safeUrl(url) {
    if (typeof url !== "string" || !url) { return null; }
    try {
      var u = new URL(url, location.href);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function chatIcon() {
    // drawn, not an emoji: many systems lack a colour emoji font
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "hz-launcher-icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  // ---- build the widget inside a shadow root (host page CSS cannot leak in) ----
  var host = el("div");
  host.id = MODE === "page" ? "hzchat-page" : "hzchat-widget";
  host.setAttribute("data-hzchat", MODE);
  host.style.visibility = "hidden";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var css = el("link");
  css.rel = "stylesheet";
  css.href = API + "/widget.css";
  css.onload = css.onerror = function () { host.style.visibility = "visible"; };
  root.appendChild(css);

  var app = el("div", "hz-app hz-mode-" + MODE);
  root.appendChild(app);

  var launcher = null;
  var badge = null;
  if (MODE === "float") {
    launcher = el("button", "hz-launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "hz-panel");
    launcher.appendChild(chatIcon());
    launcher.appendChild(el("span", "hz-launcher-text", TEXTS.launcher));
    badge = el("span", "hz-badge", TEXTS.launcherNew);
    badge.hidden = true;
    launcher.appendChild(badge);
    app.appendChild(launcher);
  }

  var panel = el("section", "hz-panel");
  panel.id = "hz-panel";
  panel.setAttribute("aria-label", TITLE);
  if (MODE === "float") {
    panel.setAttribute("role", "dialog");
    panel.hidden = true;
  }
  app.appendChild(panel);

  var header = el("header", "hz-header");
  var heading = el(MODE === "page" ? "h1" : "h2", "hz-title", TITLE);
  header.appendChild(heading);
  var tools = el("div", "hz-tools");
  function toolButton(label, text, cls) {
    var b = el("button", "hz-tool " + (cls || ""), text);
    b.type = "button";
    b.setAttribute("aria-label", label);
    b.title = label;
    tools.appendChild(b);
    return b;
  }
  var smaller = toolButton(TEXTS.smaller, "A-", "hz-smaller");
  var larger = toolButton(TEXTS.larger, "A+", "hz-larger");
  var restart = toolButton(TEXTS.restartLabel, TEXTS.restart, "hz-restart");
  var closer = MODE === "float" ? toolButton(TEXTS.close, "×", "hz-close") : null;
  header.appendChild(tools);
  panel.appendChild(header);

  var log = el("div", "hz-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  log.setAttribute("aria-label", TITLE);
  log.tabIndex = 0;
  panel.appendChild(log);

  var typing = el("p", "hz-typing", TEXTS.typing);
  typing.setAttribute("role", "status");
  typing.hidden = true;
  panel.appendChild(typing);

  var form = el("form", "hz-form");
  form.noValidate = true;
  var label = el("label", "hz-visually-hidden", TEXTS.inputLabel);
  label.htmlFor = "hz-input";
  var input = el("textarea", "hz-input");
  input.id = "hz-input";
  input.rows = 2;
  input.maxLength = MAX_CHARS;
  input.placeholder = TEXTS.placeholder;
  input.setAttribute("enterkeyhint", "send");
  var sendButton = el("button", "hz-send", TEXTS.send);
  sendButton.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendButton);
  panel.appendChild(form);
  var hint = el("p", "hz-hint");
  hint.setAttribute("aria-live", "polite");
  panel.appendChild(hint);
  panel.appendChild(el("p", "hz-privacy", TEXTS.privacy));

  // ---- rendering ----
  function lastUserIndex() {
    for (var i = state.history.length - 1; i >= 0; i--) {
      if (state.history[i].role === "user") { return i; }
    }
    return -1;
  }

  function renderEntry(entry, index, activeFrom) {
    var role = entry.role === "user" ? "user" : entry.role === "handler" ? "handler" : "bot";
    var wrap = el("div", "hz-msg hz-msg-" + role);
    if (entry.kind) { wrap.setAttribute("data-kind", entry.kind); }
    var who = role === "user" ? TEXTS.me : role === "handler" ? TEXTS.handler : TEXTS.bot;
    wrap.appendChild(el("span", role === "handler" ? "hz-who" : "hz-visually-hidden", who));
    wrap.appendChild(el("div", "hz-bubble", entry.text));

    if (Array.isArray(entry.buttons) && entry.buttons.length) {
      var group = el("div", "hz-buttons");
      group.setAttribute("role", "group");
      var active = index >= activeFrom;
      entry.buttons.forEach(function (b) {
        if (!b || typeof b.title !== "string") { return; }
        var button = el("button", "hz-choice", b.title);
        button.type = "button";
        button.disabled = !active;
        button.addEventListener("click", function () {
          var payload = typeof b.payload === "string" ? b.payload : "";
          // A "/intent" button travels as `payload` (the server honours it only if it offered it);
          // other buttons are canned questions and travel as text.
          if (payload.charAt(0) === "/") { send(b.title, b.title, payload); }
          else { send(payload || b.title, b.title); }
        });
        group.appendChild(button);
      });
      wrap.appendChild(group);
    }

    if (Array.isArray(entry.sources) && entry.sources.length) {
      var sources = el("div", "hz-sources");
      sources.appendChild(el("span", "hz-sources-label", TEXTS.sources));
      var list = el("ul", "hz-source-list");
      entry.sources.forEach(function (s) {
        if (!s || typeof s.title !== "string") { return; }
        var item = el("li", "hz-source");
        var href = safeUrl(s.url);
        var name;
        if (href) {
          name = el("a", "hz-source-link", s.title);
          name.href = href;
          name.target = "_blank";
          name.rel = "noopener noreferrer";
        } else {
          name = el("span", "hz-source-title", s.title);
        }
        item.appendChild(name);
        if (typeof s.region === "string" && s.region) {
          item.appendChild(el("span", "hz-source-region", "（" + s.region + "）"));
        }
        list.appendChild(item);
      });
      sources.appendChild(list);
      wrap.appendChild(sources);
    }
    if (role === "bot" && typeof entry.turnId === "string" && FEEDBACK_KINDS[entry.kind]) {
      wrap.appendChild(renderFeedback(entry));
    }
    return wrap;
  }

  // ---- 👍/👎 under an answer (POST /api/chat/feedback; a second vote replaces the first) ----
  function renderFeedback(entry) {
    var box = el("div", "hz-feedback");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", TEXTS.feedbackAsk);
    box.setAttribute("data-turn", entry.turnId);
    var status = el("p", "hz-feedback-status");
    status.setAttribute("aria-live", "polite");
    box.appendChild(el("span", "hz-feedback-ask", TEXTS.feedbackAsk));

    function voteButton(vote, glyph, text) {
      var b = el("button", "hz-vote hz-vote-" + vote);
      b.type = "button";
      b.setAttribute("data-vote", vote);
      b.setAttribute("aria-pressed", entry.vote === vote ? "true" : "false");
      b.appendChild(el("span", "hz-vote-glyph", glyph)).setAttribute("aria-hidden", "true");
      b.appendChild(el("span", "hz-vote-text", text));
      box.appendChild(b);
      return b;
    }
    var up = voteButton("up", "\uD83D\uDC4D", TEXTS.feedbackUp);
    var down = voteButton("down", "\uD83D\uDC4E", TEXTS.feedbackDown);

    var why = el("div", "hz-feedback-why");
    why.hidden = true;
    why.appendChild(el("p", "hz-feedback-why-label", TEXTS.feedbackWhy));
    var chosen = null;
    var reasonButtons = [];
    var otherLabel = el("label", "hz-feedback-other-label", TEXTS.feedbackOtherLabel);
    var other = el("textarea", "hz-feedback-other");
    other.rows = 2;
    other.maxLength = COMMENT_MAX;
    other.id = "hz-fb-" + entry.turnId;
    otherLabel.htmlFor = other.id;
    otherLabel.hidden = other.hidden = true;
    TEXTS.feedbackReasons.forEach(function (r) {
      var b = el("button", "hz-reason", r.title);
      b.type = "button";
      b.setAttribute("data-reason", r.key);
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", function () {
        chosen = chosen === r.key ? null : r.key;
        reasonButtons.forEach(function (x) {
          x.setAttribute("aria-pressed", x.getAttribute("data-reason") === chosen ? "true" : "false");
        });
        otherLabel.hidden = other.hidden = chosen !== "other";
        if (chosen === "other") { other.focus(); }
      });
      reasonButtons.push(b);
      why.appendChild(b);
    });
    why.appendChild(otherLabel);
    why.appendChild(other);
    var submit = el("button", "hz-feedback-submit", TEXTS.feedbackSubmit);
    submit.type = "button";
    why.appendChild(submit);
    box.appendChild(why);
    box.appendChild(status);
    if (entry.vote) { status.textContent = entry.vote === "up" ? TEXTS.feedbackThanks : TEXTS.feedbackThanksDown; }

    // done: the vote is final (👍, or 👎 with its reason submitted): the reason panel closes
    function post(vote, reason, comment, done) {
      var body = { session_id: state.session, turn_id: entry.turnId, vote: vote };
      if (reason) { body.reason = reason; }
      if (reason === "other" && comment && comment.trim()) { body.comment = maskPersonal(comment.trim()); }
      up.disabled = down.disabled = submit.disabled = true;
      fetch(API + "/api/chat/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body)
      })
        .then(function (resp) {
          if (!resp.ok) { throw new Error("feedback " + resp.status); }
          entry.vote = vote;
          entry.reason = reason || null;
          save("history", state.history);
          up.setAttribute("aria-pressed", vote === "up" ? "true" : "false");
          down.setAttribute("aria-pressed", vote === "down" ? "true" : "false");
          if (done) { why.hidden = true; }
          status.textContent = vote === "up" ? TEXTS.feedbackThanks : TEXTS.feedbackThanksDown;
        })
        .catch(function () { status.textContent = TEXTS.feedbackFailed; })
        .then(function () { up.disabled = down.disabled = submit.disabled = false; });
    }
    up.addEventListener("click", function () { why.hidden = true; post("up", null, null, true); });
    down.addEventListener("click", function () {
      // 👎 is recorded at once; the reason (optional) replaces it when submitted
      post("down");
      why.hidden = false;
    });
    submit.addEventListener("click", function () { post("down", chosen, other.value, true); });
    return box;
  }

  function render() {
    while (log.firstChild) { log.removeChild(log.firstChild); }
    var activeFrom = lastUserIndex() + 1;
    // the greeting always opens the conversation; its suggestions only until the first question
    var welcome = { role: "bot", text: TEXTS.welcome, buttons: state.history.length ? [] : TEXTS.suggestions };
    log.appendChild(renderEntry(welcome, 0, 0));
    state.history.forEach(function (entry, i) { log.appendChild(renderEntry(entry, i, activeFrom)); });
    log.scrollTop = log.scrollHeight;
  }

  function disableChoices() {
    var buttons = log.querySelectorAll(".hz-choice");
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
  }

  // New messages are appended (not re-rendered) so screen readers announce only them.
  function addEntries(entries) {
    if (!entries.length) { return; }
    var base = state.history.length;
    state.history = state.history.concat(entries);
    var trimmed = state.history.length > MAX_HISTORY;
    if (trimmed) { state.history = state.history.slice(-MAX_HISTORY); }
    save("history", state.history);
    if (trimmed) { render(); return; }
    entries.forEach(function (entry, k) {
      if (entry.role === "user") { disableChoices(); }
      log.appendChild(renderEntry(entry, base + k, entry.role === "user" ? Infinity : 0));
    });
    log.scrollTop = log.scrollHeight;
  }

  function applySize() {
    SIZES.forEach(function (cls) { app.classList.remove(cls); });
    app.classList.add(SIZES[state.size]);
    smaller.disabled = state.size === 0;
    larger.disabled = state.size === SIZES.length - 1;
    larger.setAttribute("aria-pressed", state.size > 0 ? "true" : "false");
  }

  // ---- talking to the server ----
  function entriesFromResponse(body) {
    var replies = body && Array.isArray(body.replies) ? body.replies : [];
    var meta = (body && body.meta) || {};
    var entries = replies.map(function (r) {
      return { role: "bot", text: String(r.text || ""), buttons: r.buttons || [], kind: meta.kind || null };
    });
    if (entries.length && Array.isArray(meta.sources) && meta.sources.length) {
      entries[entries.length - 1].sources = meta.sources;
    }
    // the 👍/👎 go under the last message of a recorded answer, clarification or no-answer
    if (entries.length && typeof meta.turn_id === "string" && /^[A-Za-z0-9_-]{8,32}$/.test(meta.turn_id)) {
      entries[entries.length - 1].turnId = meta.turn_id;
    }
    return entries;
  }

  function showHint(text) {
    hint.textContent = text || "";
  }

  var finePointer = window.matchMedia && window.matchMedia("(pointer: fine)").matches;

  function send(text, shown, payload) {
    var clean = String(text || "");
    if (!clean.trim()) { showHint(TEXTS.empty); input.focus(); return; }
    if (clean.length > MAX_CHARS) { showHint(TEXTS.tooLong.replace("{n}", MAX_CHARS)); return; }
    if (state.busy) { return; }
    showHint("");
    state.busy = true;
    sendButton.disabled = true;
    typing.hidden = false;
    addEntries([{ role: "user", text: maskPersonal(shown || clean) }]);
    fetch(API + "/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload ? { session_id: state.session, text: clean, payload: payload }
                                   : { session_id: state.session, text: clean })
    })
      .then(function (resp) {
        return resp.json().then(function (body) {
          if (!body || !Array.isArray(body.replies)) { throw new Error("bad response " + resp.status); }
          return body;
        });
      })
      .then(function (body) { addEntries(entriesFromResponse(body)); })
      .catch(function () { addEntries([{ role: "bot", text: TEXTS.networkError, kind: "error" }]); })
      .then(function () {
        state.busy = false;
        sendButton.disabled = false;
        typing.hidden = true;
        // typed questions keep the focus in the box; after a tap on a choice, a phone's keyboard
        // is not forced open
        if (!shown || finePointer) { input.focus({ preventScroll: true }); }
      });
  }

  function poll() {
    if (!state.history.length) { return; }
    fetch(API + "/api/chat/inbox?session_id=" + encodeURIComponent(state.session), { cache: "no-store" })
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (body) {
        if (!body || !Array.isArray(body.replies) || !body.replies.length) { return; }
        addEntries(body.replies.map(function (r) {
          return { role: "handler", text: String(r.text || ""), buttons: r.buttons || [] };
        }));
        if (MODE === "float" && !state.open && badge) { badge.hidden = false; }
      })
      .catch(function () { /* the next poll tries again */ });
  }

  // ---- events ----
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    if (text.trim() && !state.busy) { input.value = ""; updateCounter(); }
    send(text);
  });
  input.addEventListener("keydown", function (e) {
    // Enter sends; Shift+Enter is a new line; never while an IME is composing Chinese.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { sendButton.click(); }
    }
  });
  function updateCounter() {
    var n = input.value.length;
    showHint(n > MAX_CHARS * 0.8 ? TEXTS.counter.replace("{n}", n).replace("{max}", MAX_CHARS) : "");
  }
  input.addEventListener("input", updateCounter);

  smaller.addEventListener("click", function () {
    if (state.size > 0) { state.size -= 1; save("size", state.size); applySize(); }
  });
  larger.addEventListener("click", function () {
    if (state.size < SIZES.length - 1) { state.size += 1; save("size", state.size); applySize(); }
  });
  restart.addEventListener("click", function () {
    state.session = newSessionId();
    state.history = [];
    save("session", state.session);
    save("history", state.history);
    render();
    input.focus();
  });

  function setOpen(open) {
    if (MODE !== "float") { return; }
    state.open = open;
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    save("open", open);
    if (open) {
      badge.hidden = true;
      log.scrollTop = log.scrollHeight;
      input.focus();
      poll();
    } else {
      launcher.focus();
    }
  }
  if (MODE === "float") {
    launcher.addEventListener("click", function () { setOpen(true); });
    closer.addEventListener("click", function () { setOpen(false); });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { setOpen(false); }
    });
  }

  window.addEventListener("focus", poll);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { poll(); }
  });
  window.setInterval(function () {
    if (document.visibilityState === "visible") { poll(); }
  }, POLL_MS);
  window.addEventListener("storage", function (e) {
    // another tab of the same site wrote the conversation: show the same
    if (e.key === KEY + "history" || e.key === KEY + "session") {
      state.history = load("history", []);
      state.session = load("session", state.session);
      render();
    }
  });

  // ---- start ----
  function mount() {
    var target = MODE === "page" ? document.getElementById("hzchat-root") : null;
    (target || document.body).appendChild(host);
    applySize();
    render();
    if (MODE === "float" && (data.open === "true" || load("open", false) === true)) {
      state.open = false;
      setOpen(true);
    }
    poll();
  }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }

  window.HzChat = {
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    send: function (text) { send(text); },
    session: function () { return state.session; }
  };
})();
