// 知识库控制台 — the shell shared by every console page: login (the desk's), nav, fetch helpers.
// Plain JS, no build step. Other pages: <script src="/console/console.js"></script> then
//   Console.start("hit-test", async (user, main) => { ... build the page inside `main` ... });
// Render data with textContent only (Console.el does), never innerHTML.
"use strict";

(function () {
  const NAV = [
    ["items", "事项", "/console#items"],
    ["drafts", "草稿与审核", "/console#drafts"],
    ["versions", "版本", "/console#versions"],
    ["audit", "审计日志", "/console#audit"],
    ["hit-test", "命中测试", "/console/hit-test"],
    ["review-list", "复核清单", "/console/review-list"],
    ["import", "批量导入", "/console/import"],
    ["unanswered", "未答问题", "/console/unanswered"],
  ];
  const ROLE_LABEL = { editor: "编辑", reviewer: "审核人", admin: "管理员", handler: "处理人员" };

  class ApiError extends Error {
    constructor(status, message, errors) {
      super(message);
      this.status = status;
      this.errors = errors || []; // [{path, message}] for 422 validation errors
    }
  }

  let onLogin = null;

  async function api(method, path, body) {
    const opts = { method, headers: {}, credentials: "same-origin" };
    if (body instanceof FormData) {
      opts.body = body;
    } else if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const resp = await fetch(path, opts);
    if (resp.status === 401 && !path.endsWith("/login")) {
      showLogin();
      throw new ApiError(401, "请重新登录");
    }
    const data = resp.status === 204 ? null : await resp.json().catch(() => null);
    if (!resp.ok) {
      const detail = data && data.detail;
      if (detail && typeof detail === "object" && !Array.isArray(detail)) {
        throw new ApiError(resp.status, detail.message || "操作失败", detail.errors);
      }
      if (Array.isArray(detail)) {
        const errors = detail.map((d) => ({ path: (d.loc || []).slice(1).join("."), message: d.msg }));
        throw new ApiError(resp.status, "请检查填写的内容", errors);
      }
      throw new ApiError(resp.status, detail || "操作失败（" + resp.status + "）");
    }
    return data;
  }

  // el("button", {class: "x", onclick: fn, type: "button"}, "text", child, ...)
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
      else if (k === "class") e.className = v;
      else if (k === "value") e.value = v;
      else if (k === "checked") e.checked = !!v;
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return e;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function fmtTime(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    const p = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  }

  // Show an error (ApiError or any Error) in `box`: the message and each field error.
  function showError(box, err) {
    clear(box);
    box.hidden = false;
    box.appendChild(el("p", { class: "error", role: "alert" }, err && err.message ? err.message : String(err)));
    if (err && err.errors && err.errors.length) {
      box.appendChild(el("ul", { class: "field-errors" }, err.errors.map((e) => el("li", {}, (e.path ? e.path + "：" : "") + e.message))));
    }
  }

  function notice(box, message) {
    clear(box);
    box.hidden = false;
    box.appendChild(el("p", { class: "ok", role: "status" }, message));
  }

  let root, main, who;

  function frame(active) {
    root = document.getElementById("console-root") || document.body.appendChild(el("div", { id: "console-root" }));
    clear(root);
    who = el("div", { id: "who", hidden: true });
    root.appendChild(el("header", { class: "topbar" }, el("h1", {}, "知识库控制台"), who));
    const nav = el("nav", { class: "console-nav", id: "console-nav", hidden: true },
      NAV.map(([id, label, href]) => el("a", { href, class: id === active ? "active" : "", "data-tab": id }, label)));
    root.appendChild(nav);
    main = el("main", { id: "console-main" });
    root.appendChild(main);
  }

  function showLogin() {
    document.getElementById("console-nav").hidden = true;
    who.hidden = true;
    clear(main);
    const user = el("input", { id: "login-user", name: "username", autocomplete: "username", required: true });
    const pass = el("input", { id: "login-pass", name: "password", type: "password", autocomplete: "current-password", required: true });
    const error = el("p", { id: "login-error", class: "error", role: "alert" });
    const form = el("form", { id: "login-form" },
      el("label", {}, "用户名 ", user), el("label", {}, "密码 ", pass),
      el("button", { id: "login-btn", type: "submit" }, "登录"), error);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await api("POST", "/api/desk/login", { username: user.value, password: pass.value });
        await enter();
      } catch (err) { error.textContent = err.message; }
    });
    main.appendChild(el("section", { class: "card narrow", id: "login-view" }, el("h2", {}, "工作人员登录"), form));
  }

  async function enter() {
    let me;
    try { me = await api("GET", "/api/console/me"); } catch (err) {
      if (err.status === 403) {
        clear(main);
        main.appendChild(el("section", { class: "card narrow" }, el("p", { class: "error" }, err.message), logoutButton()));
      }
      return;
    }
    clear(who);
    who.hidden = false;
    who.appendChild(el("span", { id: "who-name" }, (me.display_name || me.username) + "（" + (ROLE_LABEL[me.role] || me.role) + (me.office ? " · " + me.office : "") + "）"));
    who.appendChild(logoutButton());
    document.getElementById("console-nav").hidden = false;
    clear(main);
    await onLogin(me, main);
  }

  function logoutButton() {
    return el("button", { id: "logout", type: "button", onclick: async () => {
      await api("POST", "/api/desk/logout").catch(() => null);
      showLogin();
    } }, "退出");
  }

  function setActive(tab) {
    for (const a of document.querySelectorAll("#console-nav a")) a.className = a.dataset.tab === tab ? "active" : "";
  }

  // Render the shell; once a console user is logged in, call render(user, main).
  function start(active, render) {
    onLogin = render;
    frame(active);
    enter();
  }

  window.Console = { api, el, clear, fmtTime, showError, notice, start, setActive, ApiError, ROLE_LABEL };
})();
