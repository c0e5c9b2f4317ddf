// 命中测试: ask one question of the published knowledge and of the drafts, side by side.
"use strict";

Console.start("hit-test", async (user, main) => {
  const { el, api, clear, showError } = Console;
  const T = window.ConsoleTools;

  const question = el("input", { id: "ht-question", name: "question", required: true, maxlength: 300, placeholder: "例如：护士执业注册要带什么材料" });
  const region = el("input", { id: "ht-region", name: "region", maxlength: 40, placeholder: "用户所在地区（可选）" });
  const run = el("button", { id: "ht-run", type: "submit" }, "测试");
  const error = el("div", { id: "ht-error", hidden: true });
  const form = el("form", { class: "ht-form", id: "ht-form" }, el("label", {}, "问题 "), question, region, run);
  const note = el("p", { class: "muted", id: "ht-note" });
  main.appendChild(el("section", { class: "card" }, el("h2", {}, "命中测试"),
    el("p", { class: "muted" }, "同一个问题分别交给已发布版本和草稿（已发布 + 所有未发布草稿）回答，对照分析、各事项得分、命中规则、选中指南和答复原文。"),
    form, note, error));
  const columns = el("div", { class: "ht-columns", id: "ht-columns", hidden: true });
  main.appendChild(columns);

  function dl(pairs) {
    return el("dl", { class: "grid" }, pairs.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v === null || v === undefined || v === "" ? "—" : String(v))]));
  }

  function side(data, id, other) {
    const a = data.analysis, d = data.decision;
    const box = el("section", { class: "card", id });
    box.appendChild(el("h2", {}, data.label));
    box.appendChild(el("h3", {}, "问题分析"));
    box.appendChild(dl([
      ["规范化文本", a.norm],
      ["语言", a.language],
      ["所问方面", a.aspects.map((x) => T.label(T.ASPECT, x)).join("、") + (a.aspect_source !== "none" ? "（" + a.aspect_source + "）" : "")],
      ["方面线索词", a.aspect_cues.join("、")],
      ["子项", a.sub_item],
      ["地区", a.region || (a.region_hint ? a.region_hint + "（对话）" : null)],
      ["政策词", a.policy_cues.join("、")],
      ["问题类型", a.kind ? a.kind + "（" + a.kind_source + "）" : null],
      ["转介", a.referral],
      ["剩余词", a.residue],
    ]));
    box.appendChild(el("h3", {}, "事项得分"));
    const channels = data.candidates.length ? Object.keys(data.candidates[0].channels) : [];
    const table = el("table", { class: "ht-scores" },
      el("thead", {}, el("tr", {}, el("th", {}, "事项"), el("th", { class: "num" }, "融合分"), channels.map((c) => el("th", { class: "num" }, T.label(T.CHANNEL, c))), el("th", {}, "点名"))),
      el("tbody", {}, data.candidates.map((c) => el("tr", { "data-code": c.code },
        el("td", {}, c.name), el("td", { class: "num" }, c.fused.toFixed(3)),
        channels.map((ch) => el("td", { class: "num" }, c.channels[ch] === null ? "—" : c.channels[ch].toFixed(3))),
        el("td", {}, c.named_exactly ? "是" : "")))));
    box.appendChild(table);
    if (data.points.length) {
      box.appendChild(el("p", { class: "muted" }, "政策要点：" + data.points.map((p) => p.topic + " " + p.fused.toFixed(3)).join("；")));
    }
    box.appendChild(el("h3", {}, "决策"));
    box.appendChild(dl([
      ["命中规则", d.rule],
      ["结果", T.label(T.KIND, d.kind)],
      ["事项", d.item_code],
      ["方面", d.aspects.map((x) => T.label(T.ASPECT, x)).join("、")],
      ["子项", d.sub_item],
      ["追问选项", d.clarify_items.concat(d.clarify_sub_items).join("、")],
      ["置信度", d.confidence],
    ]));
    if (data.gate) {
      box.appendChild(dl([["问题门控", (data.gate.kind || "—") + " " + data.gate.confidence + (data.gate.intercepted ? "（已拦截，由门控答复）" : "")]]));
    }
    box.appendChild(el("h3", {}, "选中指南"));
    box.appendChild(data.guides.length
      ? el("ul", {}, data.guides.map((g) => el("li", { class: "ht-guide" }, g.id + " · " + g.region + (g.sub_item ? " · " + g.sub_item : "") + " · 核验 " + g.last_verified)))
      : el("p", { class: "muted" }, "无"));
    box.appendChild(el("h3", {}, "答复原文"));
    const answer = el("div", { class: "ht-answer" + (other && other.answer.text !== data.answer.text ? " differs" : "") }, data.answer.text);
    box.appendChild(answer);
    if (data.answer.sources.length) {
      box.appendChild(el("h3", {}, "来源"));
      box.appendChild(el("ul", { class: "ht-sources" }, data.answer.sources.map((s) => {
        const url = T.safeUrl(s.url);
        return el("li", {}, url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, s.title) : s.title, s.region ? "（" + s.region + "）" : "");
      })));
    }
    return box;
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    run.disabled = true;
    note.textContent = "测试中…（首次测试草稿需要构建草稿引擎，可能需要几秒）";
    try {
      const data = await api("POST", "/api/console/hit-test", { question: question.value, region: region.value || null });
      clear(columns);
      columns.hidden = false;
      columns.appendChild(side(data.published, "ht-published", data.draft));
      columns.appendChild(side(data.draft, "ht-draft", data.published));
      note.textContent = data.draft_differs ? "草稿与已发布版本不同：答复不同时以黄色标出。" : "目前没有未发布的草稿：两侧相同。";
    } catch (err) {
      note.textContent = "";
      showError(error, err);
    } finally {
      run.disabled = false;
    }
  });
});
