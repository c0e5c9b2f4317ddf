// 知识库控制台 — the structured form of one document (item, policy document, referrals list).
// The form edits the document object in place; add/remove rows re-render it. Every input carries
// data-path (e.g. "guides.0.materials.1.name") so field errors from the server land beside it.
"use strict";

(function () {
  const { el, clear } = window.Console;
  const TRUST = [["official", "官方"], ["reproduction", "转载"], ["weak", "低可信"]];
  const STATUS = [["active", "有效"], ["superseded", "已被取代"], ["draft", "草案"]];

  // [key, type, label, options]; types: text, area, date, bool, select, list (strings), rows (objects)
  const SOURCE_COLS = [["title", "text", "标题"], ["url", "text", "网址"], ["trust", "select", "可信度", { choices: TRUST }], ["note", "text", "备注"]];
  const GUIDE_FIELDS = [
    ["id", "text", "指南编号", { required: true }],
    ["sub_item", "text", "子项"],
    ["region", "text", "适用地区", { required: true }],
    ["national", "bool", "国家规定"],
    ["item_type", "text", "事项类型"],
    ["implementing_body", "text", "实施机关"],
    ["legal_basis", "area", "设定依据"],
    ["conditions", "list", "受理条件"],
    ["materials", "rows", "申请材料", { cols: [["name", "text", "材料名称"], ["original_or_copy", "text", "原件/复印件"], ["copies", "text", "份数"], ["note", "text", "备注"]] }],
    ["materials_complete", "bool", "材料清单完整"],
    ["process", "list", "办理流程"],
    ["statutory_time_limit", "text", "法定办结时限"],
    ["promised_time_limit", "text", "承诺办结时限"],
    ["fee", "text", "收费标准"],
    ["location", "area", "办理地点"],
    ["hours", "text", "办理时间"],
    ["phone", "text", "咨询电话"],
    ["complaint_phone", "text", "监督投诉电话"],
    ["online", "text", "网上办理"],
    ["result", "text", "结果名称"],
    ["validity", "text", "有效期"],
    ["commitment", "text", "告知承诺"],
    ["faq", "rows", "常见问题", { cols: [["question", "text", "问题"], ["answer", "area", "答案"], ["region", "text", "地区"], ["source.title", "text", "来源标题"], ["source.url", "text", "来源网址"], ["source.trust", "select", "来源可信度", { choices: TRUST }]] }],
    ["sources", "rows", "来源", { cols: SOURCE_COLS }],
    ["info_date", "text", "信息时间"],
    ["last_verified", "date", "最近核验", { required: true }],
    ["status", "select", "状态", { choices: STATUS }],
    ["curator_flags", "list", "核验提示"],
    ["notes", "area", "备注"],
  ];
  const ITEM_FIELDS = [
    ["code", "text", "事项代码", { required: true, readonlyWhenSaved: true }],
    ["name", "text", "事项名称", { required: true }],
    ["category", "text", "类别", { required: true }],
    ["office", "office", "主管科室"],
    ["summary", "area", "摘要"],
    ["aliases", "list", "别名"],
    ["related", "list", "相关事项代码"],
    ["source_documents", "list", "依据文件"],
    ["effective_date", "date", "生效日期"],
    ["expiry_date", "date", "失效日期"],
    ["review_due", "date", "复核到期"],
  ];
  const POLICY_FIELDS = [
    ["id", "text", "编号", { required: true, readonlyWhenSaved: true }],
    ["title", "text", "标题", { required: true }],
    ["issuer", "text", "发文机关"],
    ["date", "text", "日期"],
    ["region", "text", "地区", { required: true }],
    ["seed_file", "text", "原始文件", { required: true }],
    ["last_verified", "date", "最近核验", { required: true }],
    ["points", "rows", "要点", { cols: [["id", "text", "编号"], ["topic", "text", "主题"], ["text", "area", "内容"], ["keywords", "csv", "关键词（逗号分隔）"], ["related_items", "csv", "相关事项（逗号分隔）"]] }],
  ];
  const REFERRAL_COLS = [["department", "text", "部门"], ["keywords", "csv", "关键词（逗号分隔）"]];

  function getPath(obj, key) { return key.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj); }
  function setPath(obj, key, value) {
    const parts = key.split(".");
    let o = obj;
    for (const p of parts.slice(0, -1)) { if (o[p] == null || typeof o[p] !== "object") o[p] = {}; o = o[p]; }
    o[parts[parts.length - 1]] = value;
  }

  class DocumentForm {
    constructor(container, doc, opts) {
      this.container = container;
      this.doc = doc;
      this.opts = opts || {}; // {kind, offices, saved, readonly}
      this.render();
    }

    render() {
      clear(this.container);
      const kind = this.opts.kind || "item";
      if (kind === "referrals") {
        if (!Array.isArray(this.doc)) this.doc = [];
        this.container.appendChild(this.rowsField(this, "", "其他部门事项", REFERRAL_COLS, this.doc));
        return;
      }
      const fields = kind === "policy" ? POLICY_FIELDS : ITEM_FIELDS;
      this.container.appendChild(this.grid(this.doc, "", fields));
      if (kind === "item") {
        if (!Array.isArray(this.doc.guides)) this.doc.guides = [];
        this.doc.guides.forEach((guide, n) => {
          const title = "办事指南 " + (n + 1) + "：" + (guide.sub_item || "") + " " + (guide.region || "");
          const remove = el("button", { type: "button", class: "remove-guide", onclick: () => { this.doc.guides.splice(n, 1); this.render(); } }, "删除此指南");
          this.container.appendChild(el("fieldset", { class: "guide", "data-guide": n }, el("legend", {}, title), this.grid(guide, "guides." + n + ".", GUIDE_FIELDS), remove));
        });
        this.container.appendChild(el("button", { type: "button", id: "add-guide", onclick: () => {
          this.doc.guides.push({ id: (this.doc.code || "item") + ".g" + (this.doc.guides.length + 1), region: "", national: false, sources: [{ title: "", url: "", trust: "official" }], last_verified: new Date().toISOString().slice(0, 10), status: "active" });
          this.render();
        } }, "新增办事指南"));
      }
    }

    grid(obj, prefix, fields) {
      const g = el("div", { class: "form-grid" });
      for (const [key, type, label, o] of fields) {
        const opts = o || {};
        const path = prefix + key;
        g.appendChild(el("label", { for: "f-" + path }, label + (opts.required ? " *" : "")));
        g.appendChild(this.input(obj, key, type, path, opts));
      }
      return g;
    }

    input(obj, key, type, path, opts) {
      const value = getPath(obj, key);
      const ro = this.opts.readonly || (opts.readonlyWhenSaved && this.opts.saved);
      const common = { id: "f-" + path, "data-path": path, disabled: ro };
      const setText = (v) => setPath(obj, key, v === "" && !opts.required ? null : v);
      if (type === "bool") {
        return el("input", { ...common, type: "checkbox", checked: !!value, onchange: (e) => setPath(obj, key, e.target.checked) });
      }
      if (type === "select" || type === "office") {
        const choices = type === "office" ? (this.opts.offices || []).map((x) => [x, x]) : opts.choices;
        const s = el("select", { ...common, onchange: (e) => setText(e.target.value) }, el("option", { value: "" }, "—"),
          choices.map(([v, l]) => el("option", { value: v }, l)));
        s.value = value == null ? "" : value;
        return s;
      }
      if (type === "list") {
        if (!Array.isArray(value)) setPath(obj, key, []);
        return this.listField(getPath(obj, key), path);
      }
      if (type === "rows") {
        if (!Array.isArray(value)) setPath(obj, key, []);
        return this.rowsField(this, path, "", opts.cols, getPath(obj, key));
      }
      if (type === "csv") {
        return el("input", { ...common, type: "text", value: (value || []).join("，"), onchange: (e) => setPath(obj, key, e.target.value.split(/[,，、]/).map((x) => x.trim()).filter(Boolean)) });
      }
      if (type === "area") {
        return el("textarea", { ...common, rows: 2, value: value == null ? "" : String(value), oninput: (e) => setText(e.target.value) });
      }
      return el("input", { ...common, type: type === "date" ? "date" : "text", value: value == null ? "" : String(value), oninput: (e) => setText(e.target.value) });
    }

    listField(list, path) {
      const box = el("div", { class: "rows", "data-path": path });
      list.forEach((v, n) => {
        box.appendChild(el("div", { class: "row" },
          el("input", { type: "text", "data-path": path + "." + n, value: v == null ? "" : String(v), disabled: this.opts.readonly, oninput: (e) => { list[n] = e.target.value; } }),
          el("button", { type: "button", class: "remove-row", disabled: this.opts.readonly, onclick: () => { list.splice(n, 1); this.render(); } }, "删除")));
      });
      box.appendChild(el("button", { type: "button", class: "add-row", disabled: this.opts.readonly, onclick: () => { list.push(""); this.render(); } }, "添加"));
      return box;
    }

    rowsField(form, path, title, cols, list) {
      const box = el("div", { class: "rows", "data-path": path });
      if (title) box.appendChild(el("h3", {}, title));
      const prefix = path ? path + "." : "";
      list.forEach((row, n) => {
        const line = el("div", { class: "row" });
        for (const [key, type, label, o] of cols) {
          const input = form.input(row, key, type, prefix + n + "." + key, o || {});
          input.setAttribute("placeholder", label);
          input.setAttribute("title", label);
          line.appendChild(input);
        }
        line.appendChild(el("button", { type: "button", class: "remove-row", disabled: this.opts.readonly, onclick: () => { list.splice(n, 1); form.render(); } }, "删除"));
        box.appendChild(line);
      });
      box.appendChild(el("button", { type: "button", class: "add-row", disabled: this.opts.readonly, onclick: () => {
        const fresh = {};
        for (const [key, type] of cols) setPath(fresh, key, type === "csv" ? [] : type === "select" ? "official" : "");
        list.push(fresh);
        form.render();
      } }, "添加一行"));
      return box;
    }

    // Mark the inputs named by server field errors ({path, message}); errors without a field stay in the list.
    showFieldErrors(errors) {
      for (const old of this.container.querySelectorAll(".field-error")) old.remove();
      for (const old of this.container.querySelectorAll(".invalid")) old.classList.remove("invalid");
      for (const e of errors || []) {
        if (!e.path) continue;
        let target = null;
        for (let p = e.path; p && !target; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
          target = this.container.querySelector('[data-path="' + CSS.escape(p) + '"]');
        }
        if (!target) continue;
        target.classList.add("invalid");
        target.insertAdjacentElement("afterend", el("span", { class: "field-error" }, e.message));
      }
    }
  }

  window.DocumentForm = DocumentForm;
})();
