// 工单处理台 · 管理员页面：账号管理与审计日志。plain JS, no build step; talks to /api/desk/users* and
// /api/desk/audit* with the session cookie. Shown only to admins (the server checks the role on every call).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const ROLES = [["handler", "处理人员"], ["editor", "编辑"], ["reviewer", "审核"], ["admin", "管理员"]];
  const ROLE_LABEL = Object.fromEntries(ROLES);
  const VIEWS = ["app-view", "accounts-view", "audit-view"];
  const PAGE = 50;
  let me = null;
  let auditOffset = 0;
  let resetFor = null;

  async function api(method, path, body) {
    const opts = { method, headers: {}, credentials: "same-origin" };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    const resp = await fetch(path, opts);
    const data = resp.status === 204 ? null : await resp.json().catch(() => null);
    if (!resp.ok) {
      let msg = data && data.detail ? data.detail : "操作失败（" + resp.status + "）";
      if (Array.isArray(msg)) msg = "请检查填写的内容";
      throw new Error(msg);
    }
    return data;
  }
  function el(tag, value, cls) {
    const e = document.createElement(tag);
    if (value !== undefined) e.textContent = value === null ? "" : String(value);
    if (cls) e.className = cls;
    return e;
  }
  function button(label, onClick, cls) {
    const b = el("button", label, cls); b.type = "button"; b.addEventListener("click", onClick); return b;
  }
  function fmtTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    const p = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
  }

  function show(view) {
    VIEWS.forEach((v) => { $(v).hidden = v !== view; });
    document.querySelectorAll("#admin-nav button").forEach((b) => b.classList.toggle("active", b.dataset.view === view));
    if (view === "accounts-view") loadAccounts();
    if (view === "audit-view") { auditOffset = 0; loadAudit(); }
  }

  // ---- accounts ----

  async function loadAccounts() {
    $("acc-error").textContent = "";
    let users;
    try { users = await api("GET", "/api/desk/users"); } catch (err) { $("acc-error").textContent = err.message; return; }
    const tbody = $("accounts").querySelector("tbody");
    tbody.replaceChildren();
    users.forEach((u) => {
      const tr = document.createElement("tr");
      tr.dataset.username = u.username;
      if (!u.active) tr.classList.add("inactive");
      [u.username, u.display_name, ROLE_LABEL[u.role] || u.role, u.office || "（不限）", u.active ? "启用" : "已停用", u.last_login ? fmtTime(u.last_login) : "从未登录"]
        .forEach((v) => tr.appendChild(el("td", v)));
      const cell = el("td");
      const self = me && me.username === u.username;
      if (u.active) {
        const off = button("停用", () => accountAction(u.username, "/deactivate", "已停用 " + u.username + "，其会话已全部结束"), "acc-deactivate");
        off.disabled = self;
        cell.appendChild(off);
      } else {
        cell.appendChild(button("启用", () => accountAction(u.username, "/activate", "已启用 " + u.username), "acc-activate"));
      }
      cell.appendChild(button("结束会话", () => accountAction(u.username, "/end-sessions", null), "acc-end"));
      cell.appendChild(button("重设密码", () => openReset(u.username), "acc-reset"));
      tr.appendChild(cell);
      tbody.appendChild(tr);
    });
  }

  async function accountAction(username, suffix, message) {
    $("acc-error").textContent = ""; $("acc-info").textContent = "";
    try {
      const out = await api("POST", "/api/desk/users/" + encodeURIComponent(username) + suffix);
      $("acc-info").textContent = message || ("已结束 " + username + " 的 " + out.ended + " 个会话");
      await loadAccounts();
    } catch (err) { $("acc-error").textContent = err.message; }
  }

  function openReset(username) {
    resetFor = username;
    $("pw-user").textContent = username; $("pw-new").value = ""; $("pw-form").hidden = false; $("pw-new").focus();
  }

  async function saveReset(ev) {
    ev.preventDefault();
    $("acc-error").textContent = ""; $("acc-info").textContent = "";
    try {
      await api("POST", "/api/desk/users/" + encodeURIComponent(resetFor) + "/password", { password: $("pw-new").value });
      $("acc-info").textContent = "已为 " + resetFor + " 设置新密码，其原有会话已全部结束";
      $("pw-form").hidden = true; $("pw-new").value = "";
      await loadAccounts();
    } catch (err) { $("acc-error").textContent = err.message; }
  }

  async function createUser(ev) {
    ev.preventDefault();
    $("acc-error").textContent = ""; $("acc-info").textContent = "";
    const body = {
      username: $("nu-name").value.trim(), display_name: $("nu-display").value.trim(),
      role: $("nu-role").value, office: $("nu-office").value || null, password: $("nu-pass").value,
    };
    try {
      await api("POST", "/api/desk/users", body);
      $("acc-info").textContent = "已创建账号 " + body.username + "（" + ROLE_LABEL[body.role] + "）";
      ["nu-name", "nu-display", "nu-pass"].forEach((id) => { $(id).value = ""; });
      await loadAccounts();
    } catch (err) { $("acc-error").textContent = err.message; }
  }

  // ---- audit trail ----

  function auditParams() {
    const p = new URLSearchParams();
    if ($("au-actor").value.trim()) p.set("actor", $("au-actor").value.trim());
    if ($("au-action").value.trim()) p.set("action", $("au-action").value.trim());
    if ($("au-from").value) p.set("from", $("au-from").value);
    if ($("au-to").value) p.set("to", $("au-to").value);
    return p;
  }

  async function loadAudit() {
    $("au-error").textContent = "";
    const p = auditParams();
    $("au-export").href = "/api/desk/audit.csv" + (p.toString() ? "?" + p.toString() : "");
    p.set("limit", String(PAGE)); p.set("offset", String(auditOffset));
    let page;
    try { page = await api("GET", "/api/desk/audit?" + p.toString()); } catch (err) { $("au-error").textContent = err.message; return; }
    const tbody = $("audit").querySelector("tbody");
    tbody.replaceChildren();
    page.items.forEach((e) => {
      const tr = document.createElement("tr");
      [fmtTime(e.at), e.actor || "", e.action, e.target || "", e.status === null ? "" : e.status, e.client || ""].forEach((v) => tr.appendChild(el("td", v)));
      tbody.appendChild(tr);
    });
    const pages = Math.max(1, Math.ceil(page.total / PAGE));
    $("au-page").textContent = "第 " + (Math.floor(auditOffset / PAGE) + 1) + " / " + pages + " 页，共 " + page.total + " 条";
    $("au-prev").disabled = auditOffset === 0;
    $("au-next").disabled = auditOffset + PAGE >= page.total;
    const actors = await api("GET", "/api/desk/audit/actors").catch(() => []);
    $("au-actors").replaceChildren(...actors.map((a) => { const o = document.createElement("option"); o.value = a; return o; }));
  }

  // ---- wiring ----

  document.addEventListener("desk:user", async (ev) => {
    me = ev.detail;
    const admin = !!me && me.role === "admin";
    $("admin-nav").hidden = !admin;
    if (!me) { $("accounts-view").hidden = true; $("audit-view").hidden = true; return; }
    if (!admin) return;
    const office = $("nu-office");
    if (office.options.length <= 1) {
      const meta = await api("GET", "/api/desk/meta").catch(() => ({ offices: [] }));
      meta.offices.forEach((o) => { const opt = document.createElement("option"); opt.value = o; opt.textContent = o; office.appendChild(opt); });
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const role = $("nu-role");
    ROLES.forEach(([value, label]) => { const o = document.createElement("option"); o.value = value; o.textContent = label; role.appendChild(o); });
    document.querySelectorAll("#admin-nav button").forEach((b) => b.addEventListener("click", () => show(b.dataset.view)));
    $("new-user").addEventListener("submit", createUser);
    $("pw-form").addEventListener("submit", saveReset);
    $("pw-cancel").addEventListener("click", () => { $("pw-form").hidden = true; });
    $("audit-filters").addEventListener("submit", (ev) => { ev.preventDefault(); auditOffset = 0; loadAudit(); });
    $("au-prev").addEventListener("click", () => { auditOffset = Math.max(0, auditOffset - PAGE); loadAudit(); });
    $("au-next").addEventListener("click", () => { auditOffset += PAGE; loadAudit(); });
  });
})();
