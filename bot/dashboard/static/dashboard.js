"use strict";
// The dashboard page: login (desk session), filters, figure cards with definitions, ECharts charts, CSV links,
// the calendar warning and (admins) the holiday-calendar import.
(function () {
  const $ = (id) => document.getElementById(id);
  const charts = {};
  const PERCENT = new Set(["on_time_rate", "good_rate", "rectification_on_time", "callback_rate", "feedback"]);
  let me = null;
  let last = null;

  async function api(path, opts) {
    const resp = await fetch(path, Object.assign({ credentials: "same-origin", headers: { "Content-Type": "application/json" } }, opts || {}));
    if (resp.status === 401) { showLogin(); throw new Error("login required"); }
    const body = resp.headers.get("content-type", "").includes("json") ? await resp.json() : null;
    if (!resp.ok) throw new Error((body && body.detail) || resp.statusText);
    return body;
  }

  function showLogin() { $("login-view").hidden = false; $("main").hidden = true; $("logout").hidden = true; }

  function query() {
    const p = new URLSearchParams();
    if ($("f-from").value) p.set("from", $("f-from").value);
    if ($("f-to").value) p.set("to", $("f-to").value);
    if ($("f-office").value) p.set("office", $("f-office").value);
    return p;
  }

  function fmt(key, v) {
    if (v === null || v === undefined) return "—";
    if (PERCENT.has(key)) return (v * 100).toFixed(1) + "%";
    return String(v);
  }

  function cards(el, keys, src, defs) {
    el.textContent = "";
    keys.forEach((k) => {
      const d = defs[k];
      const card = document.createElement("div");
      card.className = "card";
      card.dataset.figure = k;
      card.title = d.definition;
      const label = document.createElement("div"); label.className = "label"; label.textContent = d.label;
      const value = document.createElement("div"); value.className = "value"; value.textContent = fmt(k, src[k]);
      const def = document.createElement("small"); def.className = "def"; def.textContent = d.definition;
      card.append(label, value, def);
      el.append(card);
    });
  }

  function chart(id, option) {
    if (!charts[id]) charts[id] = window.echarts.init($(id));
    charts[id].setOption(option, true);
  }

  function line(id, days, series, labels) {
    chart(id, {
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 16, top: 30, bottom: 30 },
      xAxis: { type: "category", data: days }, yAxis: { type: "value", minInterval: 1 },
      series: Object.keys(series).map((k) => ({ name: labels[k] || k, type: "line", smooth: true, data: series[k] })),
    });
  }

  function bars(id, names, values, horizontal) {
    const cat = { type: "category", data: names, axisLabel: { interval: 0, width: 110, overflow: "truncate" } };
    const val = { type: "value", minInterval: 1 };
    chart(id, {
      tooltip: {}, grid: { left: horizontal ? 120 : 40, right: 16, top: 16, bottom: 40 },
      xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val,
      series: [{ type: "bar", data: values }],
    });
  }

  function render(d) {
    last = d;
    const defs = d.definitions;
    $("period").textContent = d.period.from + " — " + d.period.to + (d.office ? "（" + d.office + "）" : "（全部科室）");
    cards($("cards-questions"), ["conversations", "questions", "answered_guide", "answered_policy", "clarified", "no_answer_kb", "no_answer_other_dept", "handoff", "feedback", "feedback_up", "feedback_down"], d.questions, defs);
    cards($("cards-tickets"), ["tickets_received", "tickets_in_progress", "tickets_overdue", "tickets_due_soon", "on_time_rate", "avg_handling_days", "forwarded_12345", "reopened"], d.tickets, defs);
    cards($("cards-ratings"), ["ratings_received", "good_rate", "bad_count", "rectification_on_time", "callback_rate"], d.ratings, defs);
    document.querySelectorAll("small.def[data-def]").forEach((el) => { el.textContent = defs[el.dataset.def].definition; });
    line("chart-questions", d.days, d.questions.series, d.series_labels);
    line("chart-tickets", d.days, d.tickets.series, d.series_labels);
    bars("chart-answers-item", d.questions.answers_by_item.map((x) => x.item), d.questions.answers_by_item.map((x) => x.count), true);
    bars("chart-office", d.tickets.tickets_by_office.map((x) => x.office), d.tickets.tickets_by_office.map((x) => x.count), false);
    bars("chart-item", d.tickets.tickets_by_item.map((x) => x.item), d.tickets.tickets_by_item.map((x) => x.count), true);
    chart("chart-ratings", {
      tooltip: { trigger: "item" }, legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], data: d.ratings.rating_distribution.map((x) => ({ name: x.rating, value: x.count })) }],
    });
    const tbody = $("top-unanswered").querySelector("tbody");
    tbody.textContent = "";
    d.questions.top_unanswered.forEach((x) => {
      const tr = document.createElement("tr");
      const a = document.createElement("td"); a.textContent = x.question;
      const b = document.createElement("td"); b.textContent = x.count;
      tr.append(a, b); tbody.append(tr);
    });
    const reasons = $("feedback-reasons").querySelector("tbody");
    reasons.textContent = "";
    d.questions.feedback_reasons.forEach((x) => {
      const tr = document.createElement("tr");
      tr.dataset.reason = x.reason;
      const a = document.createElement("td"); a.textContent = x.label;
      const b = document.createElement("td"); b.textContent = x.count;
      tr.append(a, b); reasons.append(tr);
    });
    const q = query();
    document.querySelectorAll("a.csv").forEach((a) => {
      const p = new URLSearchParams(q); p.set("figure", a.dataset.figure);
      a.href = "/api/dashboard/export.csv?" + p.toString();
    });
    const cal = d.calendar;
    const warn = $("calendar-warning");
    warn.hidden = cal.ok;
    if (!cal.ok) warn.textContent = "⚠ 节假日日历只覆盖到 " + (cal.covered_until || "（无）") + "，未覆盖今后 90 天（缺 " + cal.missing_years.join("、") + " 年）：工作日期限按周一至周五计算，请管理员导入国务院办公厅放假安排通知。";
  }

  async function load() {
    const d = await api("/api/dashboard/figures?" + query().toString());
    const sel = $("f-office");
    if (sel.options.length <= 1) {
      d.offices.forEach((o) => { const opt = document.createElement("option"); opt.value = o; opt.textContent = o; sel.append(opt); });
      if (me.role !== "admin") { sel.value = d.office || ""; sel.disabled = true; }
    }
    if (!$("f-from").value) { $("f-from").value = d.period.from; $("f-to").value = d.period.to; }
    render(d);
    if (me.role === "admin") loadCalendar();
  }

  async function loadCalendar() {
    const c = await api("/api/calendar");
    $("calendar-admin").hidden = false;
    const box = $("calendar-years");
    box.textContent = "";
    c.years.forEach((y) => {
      const p = document.createElement("p");
      p.textContent = y.year + "（" + (y.origin === "database" ? "管理员导入" : "随附文件") + "）：" + y.source + "；放假 " + y.holidays.length + " 段，调休上班 " + y.workdays.length + " 天";
      box.append(p);
    });
  }

  async function start() {
    try {
      me = await api("/api/desk/me");
    } catch (e) { return; }
    $("login-view").hidden = true; $("main").hidden = false; $("logout").hidden = false;
    $("who").textContent = me.username + (me.office ? "（" + me.office + "）" : "");
    await load();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("login-btn").addEventListener("click", async () => {
      $("login-error").textContent = "";
      try {
        await api("/api/desk/login", { method: "POST", body: JSON.stringify({ username: $("login-user").value, password: $("login-pass").value }) });
        await start();
      } catch (e) { $("login-error").textContent = "用户名或密码错误"; }
    });
    $("logout").addEventListener("click", async () => { await fetch("/api/desk/logout", { method: "POST" }); showLogin(); });
    $("f-apply").addEventListener("click", () => load().catch((e) => { $("period").textContent = e.message; }));
    $("cal-save").addEventListener("click", async () => {
      const year = $("cal-year").value;
      try {
        const r = await api("/api/calendar/years/" + encodeURIComponent(year), { method: "PUT", body: JSON.stringify({ source: $("cal-source").value, text: $("cal-text").value }) });
        $("cal-result").textContent = "已导入 " + r.year + " 年：放假 " + r.holidays + " 天，调休上班 " + r.workdays + " 天";
        await load();
      } catch (e) { $("cal-result").textContent = "导入失败：" + e.message; }
    });
    window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
    start();
  });
})();
