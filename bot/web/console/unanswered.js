// 未答问题: the unanswered-questions groups of the knowledge console (GET /api/console/unanswered) and their
// resolutions — link to an item (alias or FAQ question: a draft for review), another department's, dismiss.
// Everything is rendered with textContent (Console.el), never innerHTML.
"use strict";

(function () {
  const { api, el, clear, fmtTime, showError, notice } = window.Console;
  const STATUS_FILTER = [["open", "待处理"], ["linked", "已关联事项"], ["other_department", "属其他部门"], ["dismissed", "已忽略"], ["all", "全部"]];
  let items = null; // [{code, name, office, can_edit}] for the link form
  let labels = { sources: {}, statuses: {} };
  let main, list, message, filter, search;

  async function itemList() {
    if (!items) items = await api("GET", "/api/console/items");
    return items;
  }

  function retestLine(g) {
    if (g.status === "open") return null;
    if (!g.retest) return el("span", { class: "ua-retest pending" }, "待复测（下次发布后自动复测）");
    if (g.retest.answered) {
      const what = g.status === "other_department" ? "现已转介其他部门" : "现已可答：" + (g.retest.item_code || "");
      return el("span", { class: "ua-retest answered" }, what + "（版本 " + g.retest.version + "）");
    }
    return el("span", { class: "ua-retest unanswered" }, "仍未答复（版本 " + g.retest.version + "）");
  }

  function resolutionLine(g) {
    const r = g.resolution;
    if (!r) return null;
    const parts = [(labels.statuses[g.status] || g.status), "由 " + (r.by || "") + " 于 " + fmtTime(r.at)];
    if (r.item_code) parts.push("事项 " + r.item_code + (r.as === "faq" ? "（常见问题）" : "（别名）") + "：" + (r.note || ""));
    if (r.department) parts.push("部门：" + r.department);
    if (r.draft_id) parts.push("草稿 #" + r.draft_id);
    return el("p", { class: "ua-resolution" }, parts.join(" · "));
  }

  function linkForm(g, box) {
    const form = el("form", { class: "ua-form ua-link-form" });
    const item = el("select", { class: "ua-item", required: true }, el("option", { value: "" }, "选择事项…"));
    itemList().then((all) => {
      all.forEach((it) => item.appendChild(el("option", { value: it.code }, it.name + "（" + it.code + (it.office ? " · " + it.office : "") + "）")));
      if (g.item_code) item.value = g.item_code;
    }).catch((err) => showError(box, err));
    const asAlias = el("input", { type: "radio", name: "as-" + g.id, value: "alias", class: "ua-as-alias", checked: true });
    const asFaq = el("input", { type: "radio", name: "as-" + g.id, value: "faq", class: "ua-as-faq" });
    const text = el("input", { type: "text", class: "ua-text", maxlength: "200", required: true, value: g.representative });
    const guide = el("select", { class: "ua-guide" });
    const answer = el("textarea", { class: "ua-answer", rows: "3", maxlength: "4000" });
    const faqPart = el("div", { class: "ua-faq", hidden: true },
      el("label", {}, "办事指南 ", guide), el("label", {}, "答案（须引用办事指南原文） ", answer));
    async function loadGuides() {
      clear(guide);
      if (!item.value) return;
      const doc = await api("GET", "/api/console/items/" + encodeURIComponent(item.value));
      ((doc.document && doc.document.guides) || []).forEach((gd) => guide.appendChild(el("option", { value: gd.id }, gd.id + "（" + (gd.region || "") + "）")));
    }
    function toggle() {
      faqPart.hidden = !asFaq.checked;
      if (asFaq.checked) loadGuides().catch((err) => showError(box, err));
    }
    asAlias.addEventListener("change", toggle);
    asFaq.addEventListener("change", toggle);
    item.addEventListener("change", () => { if (asFaq.checked) toggle(); });
    form.append(
      el("div", { class: "form-grid" },
        el("span", {}, "关联到事项"), item,
        el("span", {}, "方式"), el("span", {}, el("label", {}, asAlias, " 作为别名"), " ", el("label", {}, asFaq, " 作为常见问题")),
        el("span", {}, "别名 / 问题"), text),
      faqPart,
      el("div", { class: "ua-actions" }, el("button", { type: "submit", class: "ua-submit" }, "生成草稿"), el("button", { type: "button", onclick: () => { form.hidden = true; } }, "取消")));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = { item_code: item.value, as: asFaq.checked ? "faq" : "alias", text: text.value.trim() };
      if (asFaq.checked) { body.guide_id = guide.value || null; body.answer = answer.value; }
      try {
        const out = await api("POST", "/api/console/unanswered/" + g.id + "/link", body);
        done(box, "已生成草稿 #" + out.draft_id + "：提交审核后，由审核人批准并发布。", out.draft_id);
      } catch (err) { showError(box, err); }
    });
    return form;
  }

  function otherForm(g, box) {
    const form = el("form", { class: "ua-form ua-other-form" });
    const dept = el("input", { type: "text", class: "ua-dept", maxlength: "64", placeholder: "如：住房公积金管理中心（可不填）" });
    const keyword = el("input", { type: "text", class: "ua-keyword", maxlength: "32", placeholder: "转介关键词，如：公积金（可不填）" });
    form.append(el("div", { class: "form-grid" }, el("span", {}, "部门"), dept, el("span", {}, "关键词"), keyword),
      el("div", { class: "ua-actions" }, el("button", { type: "submit", class: "ua-submit" }, "标记为其他部门")));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        const out = await api("POST", "/api/console/unanswered/" + g.id + "/other-department", { department: dept.value || null, keyword: keyword.value || null });
        done(box, out.draft_id ? "已标记，并生成转介关键词草稿 #" + out.draft_id + "。" : "已标记为其他部门。", out.draft_id);
      } catch (err) { showError(box, err); }
    });
    return form;
  }

  function dismissForm(g, box) {
    const form = el("form", { class: "ua-form ua-dismiss-form" });
    const note = el("input", { type: "text", class: "ua-note", maxlength: "500", placeholder: "说明（可不填）" });
    form.append(note, el("button", { type: "submit", class: "ua-submit" }, "忽略"));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await api("POST", "/api/console/unanswered/" + g.id + "/dismiss", { note: note.value || null });
        done(box, "已忽略。");
      } catch (err) { showError(box, err); }
    });
    return form;
  }

  // A resolution is shown in place (the card stays until the next refresh, so its draft can be submitted).
  function done(box, text, draftId) {
    const card = box.closest("article.ua-group");
    if (card) {
      card.dataset.status = "resolved";
      card.querySelectorAll(".ua-actions, .ua-form").forEach((n) => n.remove());
    }
    notice(box, text);
    if (draftId) {
      const submit = el("button", { type: "button", class: "ua-submit-draft", onclick: async () => {
        try {
          await api("POST", "/api/console/drafts/" + draftId + "/submit");
          notice(box, "草稿 #" + draftId + " 已提交审核。");
        } catch (err) { showError(box, err); }
      } }, "提交审核");
      box.append(submit, " ", el("a", { href: "/console#drafts" }, "查看草稿"));
    }
  }

  function groupCard(g) {
    const box = el("div", { class: "ua-message", hidden: true });
    const sources = Object.entries(g.sources).map(([k, n]) => el("span", { class: "ua-badge" }, (labels.sources[k] || k) + " " + n));
    const card = el("article", { class: "ua-group", "data-group": g.id, "data-status": g.status },
      el("h3", {}, el("span", { class: "ua-count", title: "问题数" }, g.questions + " 次"), el("span", { class: "ua-question" }, g.representative)),
      el("div", { class: "ua-meta" },
        el("span", { class: "ua-office" }, "科室：" + g.office),
        el("span", {}, "最近事项：" + (g.item_code || "—")),
        el("span", {}, "最近出现：" + fmtTime(g.last_seen)),
        el("span", {}, sources)),
      g.samples.length > 1 ? el("details", { class: "ua-samples" }, el("summary", {}, "同组问题"), el("ul", {}, g.samples.map((s) => el("li", {}, s)))) : null,
      resolutionLine(g), retestLine(g));
    if (g.status !== "open") {
      card.append(el("div", { class: "ua-actions" }, el("button", { type: "button", class: "ua-reopen", onclick: async () => {
        try {
          await api("POST", "/api/console/unanswered/" + g.id + "/reopen");
          await load();
        } catch (err) { showError(box, err); }
      } }, "重新打开")));
    }
    if (g.status === "open") {
      const forms = el("div");
      const show = (make) => () => { clear(forms); box.hidden = true; forms.appendChild(make(g, box)); };
      card.append(el("div", { class: "ua-actions" },
        el("button", { type: "button", class: "ua-link", onclick: show(linkForm) }, "关联事项"),
        el("button", { type: "button", class: "ua-other", onclick: show(otherForm) }, "属其他部门"),
        el("button", { type: "button", class: "ua-dismiss", onclick: show(dismissForm) }, "忽略")), forms);
    }
    card.append(box);
    return card;
  }

  async function load() {
    const p = new URLSearchParams({ status: filter.value });
    if (search.value.trim()) p.set("q", search.value.trim());
    try {
      const data = await api("GET", "/api/console/unanswered?" + p.toString());
      labels = data.labels;
      clear(list);
      list.appendChild(el("p", { id: "ua-summary" }, "共 " + data.total + " 组 · 当前知识版本 " + data.version + " · 分拣队列：" + data.triage));
      data.groups.forEach((g) => list.appendChild(groupCard(g)));
      if (!data.groups.length) list.appendChild(el("p", { class: "ua-empty" }, "没有符合条件的问题组。"));
      message.hidden = true;
    } catch (err) { showError(message, err); }
  }

  window.Console.start("unanswered", async (user, root) => {
    main = root;
    filter = el("select", { id: "ua-status", onchange: load }, STATUS_FILTER.map(([v, t]) => el("option", { value: v }, t)));
    search = el("input", { id: "ua-search", type: "search", placeholder: "搜索问题", maxlength: "100" });
    message = el("div", { id: "ua-error", hidden: true });
    list = el("div", { id: "ua-list" });
    main.append(
      el("section", { class: "card" },
        el("h2", {}, "未答问题"),
        el("p", { class: "hint" }, "无答案、低置信度、澄清后未选择、转人工和群众点踩的问题（已脱敏），按相似度自动归组，按最近事项分派科室。关联事项会生成草稿，经审核发布后自动复测。"),
        el("div", { class: "toolbar" }, el("label", {}, "状态 ", filter), search,
          el("button", { type: "button", id: "ua-refresh", onclick: load }, "刷新"))),
      message, list);
    search.addEventListener("keydown", (ev) => { if (ev.key === "Enter") load(); });
    await load();
  });
})();
