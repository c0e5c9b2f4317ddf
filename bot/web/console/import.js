// 批量导入: upload a region's 办事指南 spreadsheet; see the per-row report; valid rows become drafts.
"use strict";

Console.start("import", async (user, main) => {
  const { el, api, clear, showError } = Console;
  const T = window.ConsoleTools;

  const file = el("input", { id: "imp-file", name: "file", type: "file", accept: ".xlsx,.csv", required: true });
  const region = el("input", { id: "imp-region", name: "region", maxlength: 40, placeholder: "如 浙江省杭州市（表格有“地区”列时可不填）" });
  const sourceUrl = el("input", { id: "imp-source-url", name: "source_url", maxlength: 500, placeholder: "https://…（表格有“来源链接”列时可不填）" });
  const sourceTitle = el("input", { id: "imp-source-title", name: "source_title", maxlength: 200 });
  const trust = el("select", { id: "imp-trust", name: "trust" },
    el("option", { value: "official" }, "官方（政务服务网、法规原文）"),
    el("option", { value: "reproduction" }, "转载（忠实转载的官方文本）"),
    el("option", { value: "weak" }, "低可信（第三方、镜像）"));
  const dry = el("input", { id: "imp-dry", type: "checkbox", checked: true });
  const submit = el("input", { id: "imp-submit", type: "checkbox" });
  const run = el("button", { id: "imp-run", type: "submit" }, "上传");
  const error = el("div", { id: "imp-error", hidden: true });
  const form = el("form", { id: "imp-form", class: "form-grid" },
    el("label", { for: "imp-file" }, "表格文件"), file,
    el("label", { for: "imp-region" }, "地区"), region,
    el("label", { for: "imp-source-url" }, "来源链接"), sourceUrl,
    el("label", { for: "imp-source-title" }, "来源标题"), sourceTitle,
    el("label", { for: "imp-trust" }, "来源可信度"), trust,
    el("span", {}, ""), el("label", {}, dry, " 仅检查（不保存）"),
    el("span", {}, ""), el("label", {}, submit, " 保存后直接提交审核"),
    el("span", {}, ""), run);
  main.appendChild(el("section", { class: "card" }, el("h2", {}, "批量导入办事指南"),
    el("p", { class: "muted" },
      "上传 xlsx 或 csv（UTF-8 或 GB18030），第一行为列名：事项名称、子项、实施机关、设定依据、受理条件、申请材料、法定办结时限、承诺办结时限、收费、地点、时间、电话、网上办理、结果、有效期。" +
      "每行是一份指南；有效的行保存为草稿（不会直接发布），须经审核后发布。办结时限须写成“N个工作日”或“即办”。"),
    form, error));
  const result = el("section", { class: "card", id: "imp-result", hidden: true });
  main.appendChild(result);

  function report(data) {
    clear(result);
    result.hidden = false;
    result.appendChild(el("h2", {}, data.dry_run ? "检查结果（未保存）" : "导入结果"));
    result.appendChild(el("p", { id: "imp-summary" }, data.filename + "：共 " + data.total_rows + " 行，有效 " + data.valid_rows + " 行，有问题 " + (data.total_rows - data.valid_rows) + " 行。"));
    if (data.ignored_columns.length) result.appendChild(el("p", { class: "muted" }, "未识别、已忽略的列：" + data.ignored_columns.join("、")));
    const rows = el("tbody", {}, data.rows.map((r) => el("tr", { class: r.ok ? "row-good" : "row-bad", "data-row": r.row },
      el("td", { class: "num" }, r.row),
      el("td", {}, r.name || "—"),
      el("td", {}, r.sub_item || "—"),
      el("td", {}, r.region || "—"),
      el("td", {}, r.ok ? T.label(T.ACTION, r.action) : "未导入"),
      el("td", {}, r.errors.length ? el("ul", { class: "field-errors" }, r.errors.map((e) => el("li", {}, (e.column ? e.column + "：" : "") + e.message))) : "✓"))));
    result.appendChild(el("table", { id: "imp-rows" },
      el("thead", {}, el("tr", {}, el("th", {}, "行"), el("th", {}, "事项"), el("th", {}, "子项"), el("th", {}, "地区"), el("th", {}, "处理"), el("th", {}, "问题"))),
      rows));
    if (data.drafts.length) {
      result.appendChild(el("h3", {}, data.dry_run ? "将保存的草稿" : "已保存的草稿"));
      result.appendChild(el("ul", { id: "imp-drafts" }, data.drafts.map((d) => el("li", { "data-code": d.item_code },
        d.draft_id ? el("a", { href: "/console#draft/" + d.draft_id }, d.item_code + " · 草稿 #" + d.draft_id + " · 修订 " + d.revision + (d.status === "submitted" ? " · 已提交审核" : "")) : d.item_code,
        "（第 " + d.rows.join("、") + " 行）"))));
    }
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    if (!file.files.length) { showError(error, new Error("请选择要上传的文件")); return; }
    const body = new FormData();
    body.append("file", file.files[0]);
    for (const [name, input] of [["region", region], ["source_url", sourceUrl], ["source_title", sourceTitle], ["trust", trust]]) {
      if (input.value) body.append(name, input.value);
    }
    if (submit.checked) body.append("submit", "1");
    run.disabled = true;
    try {
      report(await api("POST", "/api/console/import" + (dry.checked ? "?dry_run=1" : ""), body));
    } catch (err) {
      result.hidden = true;
      showError(error, err);
    } finally {
      run.disabled = false;
    }
  });
});
