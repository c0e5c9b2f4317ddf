"use strict";
// The desk's calendar warning: shown when the holiday calendar does not cover the next 90 days.
(function () {
  async function check() {
    const box = document.getElementById("calendar-warning");
    if (!box) return;
    const resp = await fetch("/api/calendar/status", { credentials: "same-origin" });
    if (!resp.ok) return; // not logged in yet: the desk retries after login
    const s = await resp.json();
    box.hidden = s.ok;
    if (!s.ok) {
      box.textContent = "⚠ 节假日日历只覆盖到 " + (s.covered_until || "（无）") + "，未覆盖今后 90 天（缺 " + s.missing_years.join("、") +
        " 年）：期限按周一至周五计算。请管理员在运行看板 /dashboard 导入国务院办公厅放假安排通知。";
    }
  }
  document.addEventListener("DOMContentLoaded", () => {
    check();
    setInterval(check, 60000);
    const app = document.getElementById("app-view");
    if (app) new MutationObserver(() => { if (!app.hidden) check(); }).observe(app, { attributes: true, attributeFilter: ["hidden"] });
  });
})();
