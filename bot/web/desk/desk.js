// 办不成事 工单处理台 — plain JS, no build step. Talks to /api/desk/* with the session cookie.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const ROLE_LABEL = { user: "群众", citizen: "群众", bot: "助手", assistant: "助手", system: "系统" };
  const KIND_LABEL = { hotline_12345: "12345转办", notify: "通知", channel: "消息推送" };
  // Statuses set through their own buttons, not the generic status selector.
  const OWN_ACTIONS = new Set(["已答复", "已转12345", "已办结", "已退回/改派"]);
  let meta = null;
  let current = null; // ticket number shown in the detail panel

  async function api(method, path, body) {
    const opts = { method, headers: {}, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const resp = await fetch(path, opts);
    if (resp.status === 401 && !path.endsWith("/login")) {
      showLogin();
      throw new Error("请重新登录");
    }
    const data = resp.status === 204 ? null : await resp.json().catch(() => null);
    if (!resp.ok) {
      let msg = data && data.detail ? data.detail : "操作失败（" + resp.status + "）";
      if (Array.isArray(msg)) msg = "请检查填写的内容";
      throw new Error(msg);
    }
    return data;
  }

  function text(el, value) { el.textContent = value === null || value === undefined || value === "" ? "—" : String(value); }
  function el(tag, value, cls) {
    const e = document.createElement(tag);
    if (value !== undefined) e.textContent = value === null ? "" : String(value);
    if (cls) e.className = cls;
    return e;
  }
  function option(select, value, label) {
    const o = document.createElement("option");
    o.value = value; o.textContent = label; select.appendChild(o);
  }
  function fmtTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    const p = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  }

  const DESK_ROLES = new Set(["handler", "admin"]);
  const ROLE_NAME = { handler: "处理人员", editor: "编辑", reviewer: "审核", admin: "管理员" };

  function showLogin() {
    $("login-view").hidden = false; $("app-view").hidden = true; $("who").hidden = true; $("role-view").hidden = true;
    document.dispatchEvent(new CustomEvent("desk:user", { detail: null }));
  }

  async function showApp(user) {
    $("login-view").hidden = true; $("who").hidden = false;
    $("who-name").textContent = (user.display_name || user.username) + (user.role === "admin" ? "（管理员）" : "");
    document.dispatchEvent(new CustomEvent("desk:user", { detail: user }));
    if (!DESK_ROLES.has(user.role)) { // editors and reviewers: the console, not the desk
      $("role-name").textContent = ROLE_NAME[user.role] || user.role;
      $("role-view").hidden = false; $("app-view").hidden = true; $("export").hidden = true;
      return;
    }
    $("role-view").hidden = true; $("app-view").hidden = false; $("export").hidden = false;
    meta = await api("GET", "/api/desk/meta");
    const fo = $("f-office"), fs = $("f-status"), ao = $("a-office"), aa = $("a-assignee");
    [fo, fs, ao].forEach((s) => { while (s.options.length > (s === ao ? 0 : 1)) s.remove(s.options.length - 1); });
    while (aa.options.length > 1) aa.remove(1);
    meta.offices.forEach((o) => { option(fo, o, o); option(ao, o, o); });
    meta.statuses.forEach((s) => option(fs, s, s));
    meta.handlers.forEach((h) => option(aa, h.username, (h.display_name || h.username) + (h.office ? "（" + h.office + "）" : "")));
    if (user.office) fo.value = user.office;
    $("hotline-warning").hidden = meta.hotline_configured;
    $("failed-deliveries").textContent = String(meta.failed_deliveries || 0);
    $("delivery-alert").hidden = !meta.failed_deliveries;
    await loadQueue();
  }

  function filterParams() {
    const p = new URLSearchParams();
    if ($("f-office").value) p.set("office", $("f-office").value);
    if ($("f-status").value) p.set("status", $("f-status").value);
    if ($("f-overdue").checked) p.set("overdue", "true");
    if ($("f-duesoon").checked) p.set("due_soon", "true");
    if ($("f-rect").checked) p.set("rectification", "true");
    if ($("f-q").value.trim()) p.set("q", $("f-q").value.trim());
    return p;
  }

  function flags(t) {
    const span = document.createElement("span");
    if (t.paused) span.appendChild(el("span", "挂起", "badge flag-paused")); // the clock is stopped
    if (t.overdue && !t.paused) span.appendChild(el("span", "超期", "badge flag-overdue"));
    if (t.due_soon && !t.paused) span.appendChild(el("span", "即将到期", "badge flag-soon"));
    if (t.rectification_status === "open") span.appendChild(el("span", "整改中", "badge flag-soon"));
    return span;
  }

  async function loadQueue() {
    const p = filterParams();
    $("export").href = "/api/desk/tickets/export.csv" + (p.toString() ? "?" + p.toString() : "");
    p.set("limit", "200");
    const data = await api("GET", "/api/desk/tickets?" + p.toString());
    $("queue-total").textContent = String(data.total);
    const tbody = $("queue").querySelector("tbody");
    tbody.replaceChildren();
    data.items.forEach((t) => {
      const tr = document.createElement("tr");
      tr.dataset.number = t.number;
      if (t.number === current) tr.classList.add("selected");
      [t.number, t.item_name, t.office, t.status, t.assignee || "", t.resolve_due].forEach((v) => tr.appendChild(el("td", v)));
      const f = el("td"); f.appendChild(flags(t)); tr.appendChild(f);
      tr.appendChild(el("td", t.hotline || ""));
      tr.addEventListener("click", () => openTicket(t.number));
      tbody.appendChild(tr);
    });
  }

  function render(t) {
    // Only the detail view carries the raw phone (each view is audited); an action's response carries
    // the masked form, so keep the number already shown for the same ticket.
    const keepContact = current === t.number && t.contact && t.contact.includes("*")
      ? $("d-contact").textContent : null;
    current = t.number;
    $("detail").hidden = false;
    $("action-error").textContent = "";
    text($("d-number"), t.number);
    text($("d-status"), t.status);
    $("d-flags").replaceChildren(flags(t));
    text($("d-item"), t.item_name + (t.item_code ? "（" + t.item_code + "）" : ""));
    text($("d-office"), t.office + (t.routed_by === "triage" ? "（待分拣）" : ""));
    text($("d-assignee"), t.assignee);
    text($("d-ack"), t.ack_due);
    text($("d-due"), t.paused ? "（挂起中，恢复计时后重新计算）" : t.resolve_due);
    text($("d-clock"), t.paused
      ? "已挂起（等待群众），剩余 " + t.paused_days_left + " 个工作日；恢复计时后办结期限为恢复当日起第 " + t.paused_days_left + " 个工作日"
      : (t.status === "已办结" ? "已办结" : "计时中"));
    text($("d-contact"), keepContact || t.contact);
    text($("d-place"), t.place);
    text($("d-channel"), t.channel);
    text($("d-rating"), t.rating ? t.rating + (t.rating_comment ? "：" + t.rating_comment : "") : "");
    text($("d-description"), t.description);
    text($("d-reply"), t.reply_text);
    const ex = $("d-excerpt"); ex.replaceChildren();
    t.excerpt.forEach((turn) => {
      const li = document.createElement("li");
      li.appendChild(el("span", ROLE_LABEL[turn.role] || turn.role, "role"));
      li.appendChild(el("span", turn.text));
      ex.appendChild(li);
    });
    $("a-assignee").value = t.assignee || "";
    $("a-office").value = t.office;
    const st = $("a-status"); st.replaceChildren();
    t.allowed_statuses.filter((s) => !OWN_ACTIONS.has(s)).forEach((s) => option(st, s, s));
    $("a-status-btn").disabled = st.options.length === 0;
    const closed = t.status === "已办结";
    ["a-reply-btn", "a-forward", "a-reroute", "a-assign"].forEach((id) => { $(id).disabled = closed; });
    $("a-close").disabled = !t.allowed_statuses.includes("已办结");
    $("a-reopen").disabled = !closed;
    $("a-pause").disabled = closed || t.paused;
    $("a-resume").disabled = !t.paused;

    const r = t.rectification;
    $("rect").hidden = !r;
    if (r) {
      text($("r-status"), r.status === "open" ? (r.overdue ? "整改中（已超期）" : "整改中") : "已办结");
      text($("r-due"), r.due);
      text($("r-reason"), r.reason);
      text($("r-callback"), r.callback_note);
      text($("r-measures"), r.measures);
      $("r-form").hidden = r.status !== "open";
    }

    const dt = $("d-deliveries").querySelector("tbody"); dt.replaceChildren();
    t.deliveries.forEach((d) => {
      const tr = document.createElement("tr");
      // A citizen's channel (e.g. WeChat outside its 48-hour window) that cannot carry the message: show whom to call.
      const call = d.kind === "channel" && d.status === "failed" && t.contact ? "（请致电 " + t.contact + "）" : "";
      [KIND_LABEL[d.kind] || d.kind, d.status_label, d.attempts, (d.last_error || "") + call].forEach((v) => tr.appendChild(el("td", v)));
      const cell = el("td");
      if (d.status === "failed") {
        const b = el("button", "重新投递"); b.type = "button"; b.className = "retry";
        b.addEventListener("click", () => act(() => api("POST", "/api/desk/outbox/" + encodeURIComponent(d.id) + "/retry")));
        cell.appendChild(b);
      }
      tr.appendChild(cell);
      dt.appendChild(tr);
    });

    const et = $("d-events").querySelector("tbody"); et.replaceChildren();
    t.events.forEach((e) => {
      const tr = document.createElement("tr");
      const move = e.from_status || e.to_status ? (e.from_status || "") + " → " + (e.to_status || "") : "";
      [fmtTime(e.at), e.actor, e.kind_label || e.kind, move, e.note || ""].forEach((v) => tr.appendChild(el("td", v)));
      et.appendChild(tr);
    });
  }

  async function openTicket(number) {
    try {
      render(await api("GET", "/api/desk/tickets/" + encodeURIComponent(number)));
      document.querySelectorAll("#queue tbody tr").forEach((tr) => tr.classList.toggle("selected", tr.dataset.number === number));
    } catch (err) { $("action-error").textContent = err.message; }
  }

  async function act(fn) {
    $("action-error").textContent = "";
    try {
      const t = await fn();
      if (t) render(t);
      await loadQueue();
    } catch (err) {
      $("action-error").textContent = err.message;
    }
  }
  const path = (suffix) => "/api/desk/tickets/" + encodeURIComponent(current) + suffix;

  function wire() {
    $("login-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      $("login-error").textContent = "";
      try {
        const user = await api("POST", "/api/desk/login", { username: $("login-user").value, password: $("login-pass").value });
        $("login-pass").value = "";
        await showApp(user);
      } catch (err) { $("login-error").textContent = err.message; }
    });
    $("logout").addEventListener("click", async () => { await api("POST", "/api/desk/logout").catch(() => null); current = null; $("detail").hidden = true; showLogin(); });
    $("filters").addEventListener("submit", (ev) => { ev.preventDefault(); loadQueue().catch((e) => { $("action-error").textContent = e.message; }); });
    ["f-office", "f-status", "f-overdue", "f-duesoon", "f-rect"].forEach((id) => $(id).addEventListener("change", () => loadQueue().catch(() => null)));

    $("a-assign").addEventListener("click", () => act(() => api("POST", path("/assign"), { assignee: $("a-assignee").value || null })));
    $("a-status-btn").addEventListener("click", () => act(() => api("POST", path("/status"), { to: $("a-status").value, note: $("a-status-note").value || null })));
    $("a-reroute").addEventListener("click", () => act(() => api("POST", path("/reroute"), { office: $("a-office").value, note: $("a-office-note").value || null })));
    $("a-note-btn").addEventListener("click", () => act(async () => {
      const t = await api("POST", path("/notes"), { note: $("a-note").value }); $("a-note").value = ""; return t;
    }));
    $("a-reply-btn").addEventListener("click", () => act(async () => {
      const t = await api("POST", path("/reply"), { text: $("a-reply").value }); $("a-reply").value = ""; return t;
    }));
    $("a-forward").addEventListener("click", () => act(() => api("POST", path("/forward"), { note: $("a-forward-note").value || null })));
    $("a-close").addEventListener("click", () => act(() => api("POST", path("/close"), {})));
    $("a-pause").addEventListener("click", () => act(async () => {
      const t = await api("POST", path("/pause"), { note: $("a-pause-note").value || null }); $("a-pause-note").value = ""; return t;
    }));
    $("a-resume").addEventListener("click", () => act(() => api("POST", path("/resume"))));
    $("a-reopen").addEventListener("click", () => act(() => api("POST", path("/reopen"), {})));
    const rectBody = () => ({ callback_note: $("r-callback-input").value || null, measures: $("r-measures-input").value || null });
    $("r-save").addEventListener("click", () => act(() => api("POST", path("/rectification/note"), rectBody())));
    $("r-close").addEventListener("click", () => act(() => api("POST", path("/rectification/close"), rectBody())));
  }

  document.addEventListener("DOMContentLoaded", async () => {
    wire();
    try { await showApp(await api("GET", "/api/desk/me")); } catch (_) { showLogin(); }
  });
})();
