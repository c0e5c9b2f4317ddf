// 复核清单: what the curators should look at, with the owning office and a link to the item.
"use strict";

Console.start("review-list", async (user, main) => {
  const { el, api, clear, showError } = Console;

  const office = el("select", { id: "rl-office" }, el("option", { value: "" }, "全部科室"));
  const reason = el("select", { id: "rl-reason" }, el("option", { value: "" }, "全部原因"));
  const error = el("div", { id: "rl-error", hidden: true });
  const summary = el("p", { class: "muted", id: "rl-summary" });
  const tbody = el("tbody");
  const table = el("table", { id: "rl-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "原因"), el("th", {}, "事项"), el("th", {}, "责任科室"), el("th", {}, "指南"), el("th", {}, "说明"))),
    tbody);
  main.appendChild(el("section", { class: "card" }, el("h2", {}, "复核清单"),
    el("p", { class: "muted" }, "核验过期、复核到期、已失效、低可信或已被取代的来源、空字段、待审核草稿、本地区没有指南的事项。"),
    el("div", { class: "toolbar" }, el("label", {}, "科室 ", office), el("label", {}, "原因 ", reason)),
    summary, error, table));

  try {
    const me = await api("GET", "/api/console/me");
    for (const o of me.offices || []) office.appendChild(el("option", { value: o }, o));
    if (user.role === "editor" && user.office) office.value = user.office;
  } catch (err) { showError(error, err); }

  let labels = {};
  async function load() {
    error.hidden = true;
    const params = new URLSearchParams();
    if (office.value) params.set("office", office.value);
    if (reason.value) params.set("reason", reason.value);
    try {
      const data = await api("GET", "/api/console/review-list?" + params.toString());
      for (const r of data.rows) labels[r.reason] = r.reason_label;
      if (reason.options.length === 1) {
        for (const key of Object.keys(data.counts)) reason.appendChild(el("option", { value: key }, key));
      }
      for (const opt of reason.options) {
        if (opt.value) opt.textContent = (labels[opt.value] || opt.value) + "（" + (data.counts[opt.value] || 0) + "）";
      }
      summary.textContent = "共 " + data.total + " 条 · 参考日期 " + data.today + " · 核验超过 " + data.max_age_days + " 天为过期" + (data.region ? " · 本地区 " + data.region : "");
      clear(tbody);
      for (const r of data.rows) {
        tbody.appendChild(el("tr", { "data-reason": r.reason, "data-code": r.item_code },
          el("td", {}, el("span", { class: "badge" }, r.reason_label)),
          el("td", {}, el("a", { href: r.edit_url }, r.item_name)),
          el("td", {}, r.office || "—"),
          el("td", {}, r.guide_id || "—"),
          el("td", { class: "pre" }, r.message)));
      }
    } catch (err) { showError(error, err); }
  }
  office.addEventListener("change", load);
  reason.addEventListener("change", load);
  await load();
});
