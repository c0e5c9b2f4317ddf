// 知识库控制台 — items, edit, policies & referrals, drafts & review, versions, audit (hash routes in /console).
"use strict";

(function () {
  const { api, el, clear, fmtTime, showError, notice, setActive } = window.Console;
  const STATUS_LABEL = { editing: "编辑中", submitted: "待审核", approved: "已通过", rejected: "已退回", published: "已发布", withdrawn: "已撤回" };
  const ACTION_LABEL = { import: "导入", publish: "发布", rollback: "回滚" };
  const KIND_LABEL = { item: "事项", policy: "政策文件", referrals: "其他部门事项" };
  let me = null;
  let root = null; // the shell's main element
  let seq = 0;

  function card(...children) { return el("section", { class: "card" }, ...children); }
  function messageBox() { return el("div", { class: "messages", hidden: true }); }
  function fmt(v) { return v === null || v === undefined ? "（空）" : typeof v === "object" ? JSON.stringify(v) : String(v); }
  function docPath(kind, key) { return kind === "item" ? "/api/console/items/" + encodeURIComponent(key) : kind === "policy" ? "/api/console/policies/" + encodeURIComponent(key) : "/api/console/referrals"; }
  function docHash(kind, key) { return kind === "item" ? "#item/" + encodeURIComponent(key) : kind === "policy" ? "#policy/" + encodeURIComponent(key) : "#referrals"; }

  // ---- items ----
  const ITEMS_PAGE = 200;
  async function itemsPage(main) {
    setActive("items");
    const q = el("input", { id: "items-q", type: "search", placeholder: "名称、别名或代码" });
    const tbody = el("tbody");
    const more = el("button", { type: "button", id: "items-more", hidden: true }, "显示更多");
    let shown = 0;
    const load = async (append) => {
      if (!append) { clear(tbody); shown = 0; }
      const items = await api("GET", "/api/console/items?q=" + encodeURIComponent(q.value) + "&offset=" + shown + "&limit=" + ITEMS_PAGE);
      shown += items.length;
      more.hidden = items.length < ITEMS_PAGE;
      for (const it of items) {
        tbody.appendChild(el("tr", { "data-code": it.code },
          el("td", {}, el("a", { href: "#item/" + encodeURIComponent(it.code) }, it.name)),
          el("td", {}, it.code), el("td", {}, it.category || ""), el("td", {}, it.office || "—"),
          el("td", {}, String(it.guides)), el("td", {}, it.aliases.slice(0, 4).join("、")),
          el("td", {}, it.review_due || ""),
          el("td", {}, it.draft ? el("span", { class: "badge status-" + it.draft.status }, STATUS_LABEL[it.draft.status] + " r" + it.draft.revision) : "")));
      }
    };
    more.onclick = () => load(true).catch(() => { more.hidden = true; });
    const form = el("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); load(false); } }, el("label", {}, "搜索 ", q), el("button", { type: "submit" }, "查询"),
      el("a", { href: "#new-item" }, "新建事项"), el("a", { href: "#policies" }, "政策文件"), el("a", { href: "#referrals" }, "其他部门事项"));
    main.appendChild(card(el("h2", {}, "事项"), form,
      el("table", { id: "items-table" }, el("thead", {}, el("tr", {}, ["名称", "代码", "类别", "主管科室", "指南", "别名", "复核到期", "草稿"].map((h) => el("th", {}, h)))), tbody), more));
    await load(false);
  }

  // ---- edit one document (item, policy, referrals) ----
  async function editPage(main, kind, key, fresh) {
    setActive("items");
    let data;
    if (fresh) {
      data = { kind, key: "", document: { code: "", name: "", aliases: [], category: "", office: me.office, guides: [], related: [] }, revision: null, version: null, draft: null, can_edit: true, published: null };
    } else {
      data = await api("GET", docPath(kind, key));
    }
    const messages = messageBox();
    const formBox = el("div", { id: "doc-form" });
    const form = new window.DocumentForm(formBox, data.document, { kind, offices: me.offices, saved: !fresh, readonly: !data.can_edit });
    const note = el("input", { id: "draft-note", type: "text", placeholder: "修改说明（可选）" });
    const state = el("span", { id: "draft-state", class: "muted" });
    const showState = () => {
      clear(state);
      state.appendChild(document.createTextNode(data.draft
        ? "草稿 #" + data.draft.id + " · 修订 " + data.draft.revision + " · " + STATUS_LABEL[data.draft.status] + " · " + data.draft.author + " " + fmtTime(data.draft.updated_at)
        : "已发布版本 " + (data.version || "") + "（尚无草稿）"));
      submitBtn.disabled = !data.draft || !["editing", "rejected"].includes(data.draft.status);
      if (data.draft) reviewLink.setAttribute("href", "#draft/" + data.draft.id);
      reviewLink.hidden = !data.draft;
    };
    const saveBtn = el("button", { id: "save-draft", type: "button", disabled: !data.can_edit, onclick: async () => {
      const code = kind === "referrals" ? "referrals" : kind === "item" ? form.doc.code : form.doc.id;
      const url = kind === "item" ? "/api/console/items/" + encodeURIComponent(code) + "/draft" : kind === "policy" ? "/api/console/policies/" + encodeURIComponent(code) + "/draft" : "/api/console/referrals/draft";
      try {
        const draft = await api("PUT", url, { document: form.doc, base_revision: data.revision, base_version: data.version, note: note.value });
        data.draft = draft; data.revision = draft.revision;
        form.showFieldErrors([]);
        notice(messages, "已保存为草稿（修订 " + draft.revision + "），发布前需审核。");
        if (fresh) { location.hash = docHash(kind, code); return; }
        showState();
      } catch (err) {
        showError(messages, err);
        form.showFieldErrors(err.errors);
      }
    } }, "保存草稿");
    const submitBtn = el("button", { id: "submit-draft", type: "button", onclick: async () => {
      try {
        data.draft = await api("POST", "/api/console/drafts/" + data.draft.id + "/submit");
        notice(messages, "已提交审核。");
        showState();
      } catch (err) { showError(messages, err); }
    } }, "提交审核");
    const reviewLink = el("a", { id: "review-link", href: "#drafts" }, "查看草稿与审核");
    const title = kind === "item" ? (fresh ? "新建事项" : (data.document.name || key)) : kind === "policy" ? "政策文件 " + key : "其他部门事项";
    main.appendChild(card(el("h2", {}, title), el("div", { class: "toolbar" }, saveBtn, submitBtn, note, state, reviewLink), messages,
      data.can_edit ? null : el("p", { class: "warn" }, "您只能查看此文档：编辑仅限本科室的事项（政策文件和其他部门事项由审核人维护）。"), formBox));
    showState();
  }

  async function policiesPage(main) {
    setActive("items");
    const list = await api("GET", "/api/console/policies");
    main.appendChild(card(el("h2", {}, "政策文件"), el("ul", {}, list.map((p) => el("li", {}, el("a", { href: "#policy/" + encodeURIComponent(p.id) }, p.title || p.id), " · " + (p.region || "") + " · " + p.points + " 个要点")))));
  }

  // ---- drafts & review ----
  async function draftsPage(main) {
    setActive("drafts");
    const drafts = await api("GET", "/api/console/drafts?state=open");
    const messages = messageBox();
    const approved = drafts.filter((d) => d.status === "approved");
    const publishNote = el("input", { id: "publish-note", type: "text", placeholder: "发布说明（可选）" });
    const publishBtn = el("button", { id: "publish", type: "button", disabled: !approved.length || me.role === "editor", onclick: async () => {
      try {
        const v = await api("POST", "/api/console/publish", { note: publishNote.value });
        notice(messages, "已发布版本 " + v.number + "：各服务进程将在数秒内切换到新版本。");
        refreshSoon();
      } catch (err) { showError(messages, err); }
    } }, "发布已通过的草稿（" + approved.length + "）");
    const rows = drafts.map((d) => el("tr", { "data-draft": d.id },
      el("td", {}, el("a", { href: "#draft/" + d.id }, "#" + d.id)), el("td", {}, KIND_LABEL[d.kind] || d.kind), el("td", {}, d.key),
      el("td", {}, d.office || ""), el("td", {}, el("span", { class: "badge status-" + d.status }, STATUS_LABEL[d.status] || d.status)),
      el("td", {}, "r" + d.revision), el("td", {}, d.editors.join("、")), el("td", {}, fmtTime(d.updated_at))));
    main.appendChild(card(el("h2", {}, "草稿与审核"), el("div", { class: "toolbar" }, publishBtn, publishNote), messages,
      el("table", { id: "drafts-table" }, el("thead", {}, el("tr", {}, ["草稿", "类型", "文档", "科室", "状态", "修订", "编辑人", "更新时间"].map((h) => el("th", {}, h)))), el("tbody", {}, rows)),
      drafts.length ? null : el("p", { class: "muted" }, "没有待处理的草稿。")));
  }

  function changesTable(changes) {
    return el("table", { class: "diff" }, el("thead", {}, el("tr", {}, el("th", {}, "字段"), el("th", {}, "原内容"), el("th", {}, "新内容"))),
      el("tbody", {}, changes.map((c) => el("tr", {}, el("td", {}, c.path), el("td", { class: "diff-old" }, fmt(c.old)), el("td", { class: "diff-new" }, fmt(c.new))))));
  }

  async function draftPage(main, id) {
    setActive("drafts");
    const d = await api("GET", "/api/console/drafts/" + id);
    const messages = messageBox();
    const note = el("input", { id: "review-note", type: "text", placeholder: "审核意见（退回时请说明）" });
    const act = (action, body) => async () => {
      try {
        await api("POST", "/api/console/drafts/" + id + "/" + action, body ? body() : undefined);
        location.hash = action === "approve" ? "#drafts" : "#draft/" + id;
        if (action !== "approve") route();
      } catch (err) { showError(messages, err); }
    };
    const open = ["editing", "submitted", "approved", "rejected"].includes(d.status);
    const reviewer = me.role !== "editor";
    const buttons = el("div", { class: "toolbar" },
      el("button", { id: "approve", type: "button", disabled: !reviewer || !["editing", "submitted"].includes(d.status), onclick: act("approve", () => ({ revision: d.revision, note: note.value })) }, "审核通过"),
      el("button", { id: "reject", type: "button", disabled: !reviewer || !open || d.status === "rejected", onclick: act("reject", () => ({ note: note.value })) }, "退回修改"),
      el("button", { id: "withdraw", type: "button", disabled: !open, onclick: act("withdraw") }, "撤回草稿"),
      note, el("a", { href: docHash(d.kind, d.key) }, "打开编辑"));
    main.appendChild(card(el("h2", {}, "草稿 #" + d.id + " · " + (KIND_LABEL[d.kind] || d.kind) + " " + d.key),
      el("p", {}, "状态：", el("span", { id: "draft-status", class: "badge status-" + d.status }, STATUS_LABEL[d.status] || d.status),
        " · 修订 " + d.revision + " · 编辑人 " + d.editors.join("、") + (d.reviewed_by ? " · 审核人 " + d.reviewed_by : "") + (d.review_note ? " · 意见：" + d.review_note : "")),
      d.note ? el("p", {}, "修改说明：" + d.note) : null,
      buttons, messages, el("h3", {}, "与已发布版本相比的修改（逐字段）"),
      d.changes.length ? changesTable(d.changes) : el("p", { class: "muted" }, "与已发布版本相同。")));
  }

  // ---- versions ----
  async function versionsPage(main) {
    setActive("versions");
    const data = await api("GET", "/api/console/versions");
    const messages = messageBox();
    const rows = [];
    for (const v of data.versions) {
      const diffBox = el("div", { class: "diff-box", hidden: true });
      const showDiff = el("button", { type: "button", class: "show-diff", onclick: async () => {
        if (!diffBox.hidden) { diffBox.hidden = true; return; }
        clear(diffBox);
        const diffs = await api("GET", "/api/console/versions/" + v.number + "/diff");
        if (!diffs.length) diffBox.appendChild(el("p", { class: "muted" }, "与上一版本相同。"));
        for (const d of diffs) {
          diffBox.appendChild(el("h4", {}, (KIND_LABEL[d.kind] || d.kind) + " " + d.key + "（" + ({ added: "新增", removed: "删除", changed: "修改" }[d.change] || d.change) + "）"));
          diffBox.appendChild(changesTable(d.fields));
        }
        diffBox.hidden = false;
      } }, "与上一版本比较");
      const confirmBtn = el("button", { type: "button", class: "confirm-rollback", hidden: true, onclick: async () => {
        try {
          const nv = await api("POST", "/api/console/versions/" + v.number + "/rollback", { note: "" });
          notice(messages, "已回滚：版本 " + nv.number + " 恢复了版本 " + v.number + " 的内容。");
          refreshSoon();
        } catch (err) { showError(messages, err); }
      } }, "确认回滚到版本 " + v.number);
      const rollbackBtn = el("button", { type: "button", class: "rollback", disabled: v.number === data.published || me.role === "editor", onclick: () => { confirmBtn.hidden = false; } }, "回滚到此版本");
      rows.push(el("tr", { "data-version": v.number },
        el("td", {}, String(v.number) + (v.number === data.published ? "（当前）" : "")), el("td", {}, ACTION_LABEL[v.action] || v.action + (v.restores ? "" : "")),
        el("td", {}, v.restores ? "恢复版本 " + v.restores : v.note), el("td", {}, v.created_by), el("td", {}, fmtTime(v.created_at)),
        el("td", {}, showDiff, rollbackBtn, confirmBtn, diffBox)));
    }
    main.appendChild(card(el("h2", {}, "版本"), el("p", { class: "muted", id: "live-version" }, "已发布版本 " + data.published + "；本服务进程正在使用版本 " + (data.live === null ? "（加载中）" : data.live) + "。"), messages,
      el("table", { id: "versions-table" }, el("thead", {}, el("tr", {}, ["版本", "操作", "说明", "操作人", "时间", ""].map((h) => el("th", {}, h)))), el("tbody", {}, rows))));
  }

  // ---- audit ----
  const AUDIT_PAGE = 100;
  async function auditPage(main) {
    setActive("audit");
    const body = el("tbody", {});
    const more = el("button", { type: "button", id: "audit-more", hidden: true }, "更早的记录");
    let before = null;
    async function loadPage() {
      const entries = await api("GET", "/api/console/audit?limit=" + AUDIT_PAGE + (before ? "&before=" + before : ""));
      for (const e of entries) {
        body.appendChild(el("tr", { "data-id": e.id }, el("td", {}, fmtTime(e.at)), el("td", {}, e.actor || ""), el("td", {}, e.action), el("td", {}, e.target || ""),
          el("td", {}, e.status == null ? "" : String(e.status)), el("td", {}, e.detail ? JSON.stringify(e.detail) : "")));
      }
      if (entries.length) before = entries[entries.length - 1].id;
      more.hidden = entries.length < AUDIT_PAGE;
    }
    more.onclick = () => loadPage().catch(() => { more.hidden = true; });
    await loadPage();
    main.appendChild(card(el("h2", {}, "审计日志"), el("table", { id: "audit-table" },
      el("thead", {}, el("tr", {}, ["时间", "操作人", "操作", "对象", "结果", "详情"].map((h) => el("th", {}, h)))), body), more));
  }

  // Re-render the page a moment after a publish or rollback, unless the user has gone elsewhere meanwhile
  // (a late re-render would replace the page they are using under their hands).
  function refreshSoon() {
    const at = location.hash;
    setTimeout(() => { if (location.hash === at) route(); }, 800);
  }

  async function route() {
    if (!root) return;
    const token = ++seq;
    const main = el("div", { class: "page" });
    const [page, arg] = decodeURIComponent(location.hash.slice(1) || "items").split("/");
    try {
      if (page === "item") await editPage(main, "item", arg, false);
      else if (page === "new-item") await editPage(main, "item", "", true);
      else if (page === "policy") await editPage(main, "policy", arg, false);
      else if (page === "policies") await policiesPage(main);
      else if (page === "referrals") await editPage(main, "referrals", "referrals", false);
      else if (page === "drafts") await draftsPage(main);
      else if (page === "draft") await draftPage(main, arg);
      else if (page === "versions") await versionsPage(main);
      else if (page === "audit") await auditPage(main);
      else await itemsPage(main);
    } catch (err) {
      const box = messageBox();
      main.appendChild(card(box));
      showError(box, err);
    }
    if (token === seq) { clear(root); root.appendChild(main); } // a later navigation wins
  }

  window.addEventListener("hashchange", route);
  window.Console.start("items", async (user, shellMain) => { me = user; root = shellMain; await route(); });
})();
