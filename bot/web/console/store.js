// 知识库控制台: items, edit, drafts & review, versions, audit (filled in next commits).
"use strict";
Console.start("items", async (user, main) => {
  main.appendChild(Console.el("section", { class: "card" }, Console.el("p", {}, "欢迎，" + user.username)));
});
