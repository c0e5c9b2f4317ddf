// Shared by the console tools' pages: Chinese labels for the engine's names.
"use strict";

window.ConsoleTools = {
  ASPECT: {
    materials: "申请材料", time_limit: "办结时限", fee: "收费", conditions: "受理条件", location: "办理地点",
    online: "网上办理", result: "办理结果", validity: "有效期", basis: "设定依据", process: "办理流程", overview: "概况",
  },
  KIND: { answer: "答复", clarify: "追问", no_answer: "无法答复" },
  CHANNEL: { dense: "语义", bm25: "关键词", names: "名称" },
  ACTION: { new_item: "新建事项", new_guide: "新增指南", replace_guide: "替换指南", none: "—" },
  label(map, key) { return key === null || key === undefined || key === "" ? "—" : (map[key] || key); },
  safeUrl(url) { return /^https?:\/\//i.test(url || "") ? url : null; },
};
