"""Chinese wording of the console tools (import report, review list reasons, hit test labels)."""

from __future__ import annotations

# ---- spreadsheet import: whole-file errors -------------------------------------------------------
FILE_EMPTY = "文件为空"
FILE_TOO_LARGE = "文件过大：上限 {limit} 字节"
FILE_NOT_SHEET = "无法识别的文件：请上传 xlsx 或 csv（UTF-8 或 GB18030 编码）"
FILE_XLS = "不支持旧版 .xls 文件：请另存为 xlsx 或 csv 后再上传"
FILE_BROKEN_XLSX = "xlsx 文件已损坏或不是有效的 xlsx（{detail}）"
FILE_TOO_BIG_UNZIPPED = "xlsx 解压后过大，拒绝处理"
FILE_NO_HEADER = "找不到表头行：第一行应为列名（事项名称、申请材料……）"
FILE_MISSING_COLUMNS = "缺少必需的列：{columns}"
FILE_DUPLICATE_COLUMN = "列“{column}”出现了两次"
FILE_NO_ROWS = "表格没有数据行"
FILE_TOO_MANY_ROWS = "数据行过多：上限 {limit} 行"
FILE_NO_FILE = "请选择要上传的文件（表单字段 file）"
FILE_BAD_FORM = "请求格式错误：须为 multipart/form-data"
REGION_REQUIRED = "请填写这些指南所属的地区（表单字段 region，或表格中的“地区”列）"
TRUST_UNKNOWN = "来源可信度须为 official、reproduction 或 weak"

# ---- spreadsheet import: row errors ---------------------------------------------------------------
ROW_FORMULA = "单元格是公式且没有缓存的计算结果：请在表格软件中打开并保存，或改填数值"
ROW_FORMULA_CSV = "单元格以“=”开头，疑似公式：不做计算，请填写文字"
ROW_NAME_EMPTY = "事项名称为空"
ROW_UNKNOWN_ITEM = "未知事项“{name}”：新事项须填写“事项编码”（小写字母、数字、连字符）和“类别”"
ROW_BAD_CODE = "事项编码“{code}”不合规：只能用小写字母、数字和连字符"
ROW_CODE_NAME_MISMATCH = "事项编码“{code}”已属于事项“{other}”，与事项名称不符"
ROW_TIME_LIMIT = "办结时限“{value}”不是工作日：请写成“20个工作日”或“即办”"
ROW_NO_SOURCE = "缺少来源：请填写“来源链接”列，或在上传时填写来源链接"
ROW_BAD_URL = "来源链接须以 http:// 或 https:// 开头"
ROW_DUPLICATE = "与第 {row} 行是同一事项、同一子项、同一地区的指南"
ROW_OTHER_OFFICE = "事项“{name}”属于{office}，您只能导入本科室（{mine}）的事项"
ROW_NO_OFFICE = "新事项须指定责任科室（“责任科室”列）"
ROW_EMPTY_LIST = "列表为空"
IMPORT_FLAG = "表格导入（{date}），发布前请核对原文"
IMPORT_NOTE = "表格导入：{filename}"

# ---- review list reasons -------------------------------------------------------------------------
REVIEW_STALE = "核验过期：最近核验 {date}，已 {days} 天（上限 {limit} 天）"
REVIEW_DUE = "复核到期：应于 {date} 前复核"
REVIEW_EXPIRED = "已失效：有效期至 {date}"
REVIEW_WEAK = "仅有低可信来源"
REVIEW_SUPERSEDED_SOURCE = "来源已被取代：{title}"
REVIEW_SUPERSEDED_GUIDE = "指南已被取代，仅作历史参考"
REVIEW_DRAFT_GUIDE = "指南为草案状态，不得作为答复依据"
REVIEW_EMPTY = "空字段：{fields}"
REVIEW_PENDING = "草稿待审核（{author}，{when}）"
REVIEW_OTHER_REGION = "本地区（{region}）没有该事项的指南，群众看到的是{guide_region}的指南"
REVIEW_FLAG = "标记：{flag}"

REVIEW_REASON = {
    "pending_draft": "待审核草稿",
    "expired": "已失效",
    "review_due": "复核到期",
    "stale": "核验过期",
    "superseded": "来源已被取代",
    "weak_source": "低可信来源",
    "other_region": "非本地区指南",
    "draft_guide": "草案指南",
    "empty_fields": "空字段",
    "flag": "整理标记",
}
REVIEW_APPROVED = "草稿已审核待发布（{author}，{when}）"
IMPORT_DRAFT_NOTE = "表格导入：{filename}，第 {rows} 行"
HIT_TEST_PUBLISHED = "已发布版本 {version}"
HIT_TEST_DRAFT = "草稿（已发布 + 未发布草稿）"
HIT_TEST_DRAFT_BROKEN = "草稿无法组成知识库（{error}）：请先修正或撤回该草稿"
