"""The import parser: xlsx and csv in, a per-row report and item documents out (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.console.tools.import_plan import ImportDefaults, Importer, ImportPlan, guide_id, plan_import
from bot.console.tools.sheet_columns import map_headers, split_list, working_days
from bot.console.tools.sheet_read import SheetError, read_sheet

from .sheets import HEADERS, csv_bytes, row, with_cached_value, xlsx

TODAY = dt.date(2026, 3, 2)
REGION = "浙江省杭州市"
LIMITS = {"max_rows": 100, "max_unzipped": 5_000_000}


def nurse_item() -> dict[str, Any]:
    return {
        "code": "nurse-practice-registration",
        "name": "护士执业注册",
        "aliases": ["护士注册"],
        "category": "护理",
        "guides": [
            {
                "id": "nurse-practice-registration.national",
                "sub_item": "首次注册",
                "region": "全国（国家法规）",
                "national": True,
                "materials": [{"name": "申请表"}],
                "sources": [{"title": "护士条例", "url": "https://www.gov.cn/x", "trust": "official"}],
                "last_verified": "2025-01-01",
            }
        ],
    }


ITEMS = {"nurse-practice-registration": nurse_item()}
OFFICES: dict[str, str | None] = {"nurse-practice-registration": "护理管理科"}
ADMIN = Importer(office=None, any_office=True)


def plan(data: bytes, filename: str, importer: Importer = ADMIN, region: str | None = REGION) -> ImportPlan:
    sheet = read_sheet(filename, data, **LIMITS)
    columns = map_headers(sheet.headers)
    assert not columns.missing
    defaults = ImportDefaults(region=region, today=TODAY, filename=filename)
    return plan_import(sheet, columns, ITEMS, defaults, importer, OFFICES)


def test_xlsx_rows_become_a_new_guide_of_the_named_item() -> None:
    result = plan(xlsx([row(), row("护士注册", sub_item="延续注册", statutory="即办")]), "guides.xlsx")
    assert [r.errors for r in result.rows] == [[], []]
    assert [r.action for r in result.rows] == ["new_guide", "new_guide"]
    assert [r.row for r in result.rows] == [2, 3]
    document = result.documents["nurse-practice-registration"]
    assert len(document["guides"]) == 3  # the national guide kept, two regional ones added
    guide = document["guides"][1]
    assert guide["id"] == guide_id("nurse-practice-registration", REGION, "首次注册")
    assert guide["region"] == REGION and guide["national"] is False
    assert guide["materials"] == [{"name": "护士执业注册申请审核表"}, {"name": "身份证明"}]
    assert guide["conditions"] == ["具有完全民事行为能力", "通过护士执业资格考试"]
    assert guide["statutory_time_limit"] == "20个工作日"  # verbatim
    assert guide["last_verified"] == "2026-03-02"
    assert guide["sources"][0]["url"] == "https://zwfw.example.gov.cn/guide/1"
    assert result.rows[0].time_limits == {"statutory_time_limit": 20, "promised_time_limit": 5}
    assert result.rows[1].time_limits["statutory_time_limit"] == 0
    assert ITEMS["nurse-practice-registration"]["guides"][0]["id"].endswith("national")  # input untouched
    assert len(ITEMS["nurse-practice-registration"]["guides"]) == 1


def test_a_second_import_replaces_the_guide_of_the_same_region_and_sub_item() -> None:
    first = plan(xlsx([row()]), "a.xlsx")
    items = {"nurse-practice-registration": first.documents["nurse-practice-registration"]}
    sheet = read_sheet("b.xlsx", xlsx([row(fee="收费 10 元")]), **LIMITS)
    again = plan_import(sheet, map_headers(sheet.headers), items, ImportDefaults(REGION, TODAY), ADMIN, OFFICES)
    assert again.rows[0].action == "replace_guide"
    guides = again.documents["nurse-practice-registration"]["guides"]
    assert len(guides) == 2 and guides[1]["fee"] == "收费 10 元"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_each_encoding_gives_the_same_documents_as_xlsx(encoding: str) -> None:
    rows = [row(), row(sub_item="变更注册", statutory="10个工作日（自受理之日起）")]
    from_csv = plan(csv_bytes(rows, encoding=encoding), "guides.csv")
    from_xlsx = plan(xlsx(rows), "guides.xlsx")
    assert [r.errors for r in from_csv.rows] == [[], []]
    for result in (from_csv, from_xlsx):  # the source note names the file; the rest must be equal
        for guide in result.documents["nurse-practice-registration"]["guides"][1:]:
            assert guide["sources"][0].pop("note").startswith("表格导入：guides.")
    assert from_csv.documents == from_xlsx.documents


def test_header_variants_are_accepted() -> None:
    headers = ["服务事项名称", "子项名称", "实施主体", "法律依据", "申请条件", "所需材料", "法定时限（工作日）"]
    headers += ["承诺时限", "收费标准", "办理地点", "办理时间", "咨询电话", "在线办理", "结果名称"]
    mapped = map_headers([*headers, "证件有效期", "来源", "无关列"])
    assert not mapped.missing
    assert mapped.index["statutory_time_limit"] == 6 and mapped.index["source_url"] == 15
    assert mapped.ignored == ["无关列"]


def test_time_limits_must_be_working_days() -> None:
    assert working_days("20个工作日") == 20
    assert working_days("15 工作日内") == 15
    assert working_days("即办") == 0
    for text in ("30日", "尽快办理", "20", "三十个工作日以上再说"):
        assert working_days(text) is None
    result = plan(xlsx([row(statutory="30日"), row(sub_item="注销注册", promised="尽快")]), "t.xlsx")
    assert [(e.row, e.column) for r in result.rows for e in r.errors] == [(2, "法定办结时限"), (3, "承诺办结时限")]
    assert "30日" in result.rows[0].errors[0].message
    assert result.documents == {}


def test_list_cells_are_split_and_their_numbering_removed() -> None:
    assert split_list("1、身份证\n2. 照片；（3）申请表") == ["身份证", "照片", "申请表"]


def test_row_errors_name_row_and_column() -> None:
    rows = [
        row(""),  # no name
        row("没有这个事项"),  # unknown item, no code
        row(source=None),  # no source anywhere
        row(source="ftp://x"),  # not a web address
        row(),  # fine
        row(),  # the same guide again
    ]
    result = plan(xlsx(rows), "e.xlsx")
    found = [(e.row, e.column) for r in result.rows for e in r.errors]
    assert found == [(2, "事项名称"), (3, "事项名称"), (4, "来源链接"), (5, "来源链接"), (7, "子项")]
    assert result.valid_rows == 1
    assert "第 6 行" in result.rows[5].errors[0].message
    assert len(result.documents["nurse-practice-registration"]["guides"]) == 2


def test_a_region_is_required() -> None:
    result = plan(xlsx([row()]), "r.xlsx", region=None)
    assert [e.column for e in result.rows[0].errors] == ["地区"]


def test_new_item_needs_code_category_and_office() -> None:
    headers = [*HEADERS, "事项编码", "类别", "责任科室"]
    new = [*row("演示新事项"), "demo-new-item", "医政", "医政医管科"]
    bad_code = [*row("另一个新事项"), "Bad Code", "医政", "医政医管科"]
    result = plan(xlsx([new, bad_code], headers=headers), "n.xlsx")
    assert result.rows[0].action == "new_item" and not result.rows[0].errors
    document = result.documents["demo-new-item"]
    assert (document["name"], document["office"], document["category"]) == ("演示新事项", "医政医管科", "医政")
    assert [e.column for e in result.rows[1].errors] == ["事项编码"]


def test_an_editor_imports_only_into_their_own_office() -> None:
    headers = [*HEADERS, "事项编码", "类别", "责任科室"]
    rows = [[*row(), None, None, None], [*row("演示新事项"), "demo-new-item", "医政", "医政医管科"]]
    editor = Importer(office="妇幼健康科", any_office=False)
    result = plan(xlsx(rows, headers=headers), "o.xlsx", importer=editor)
    assert all(not r.ok for r in result.rows)
    assert "护理管理科" in result.rows[0].errors[0].message
    assert result.documents == {}
    own = Importer(office="护理管理科", any_office=False)
    assert plan(xlsx(rows[:1], headers=headers), "o.xlsx", importer=own).valid_rows == 1


def test_formula_without_a_cached_value_is_refused_and_with_one_is_taken() -> None:
    data = xlsx([row(statutory='="20个工作日"'), row(sub_item="延续注册", fee="=1+1")])
    refused = plan(data, "f.xlsx")
    assert [(e.row, e.column) for r in refused.rows for e in r.errors] == [(2, "法定办结时限"), (3, "收费")]
    assert "公式" in refused.rows[0].errors[0].message
    cached = plan(with_cached_value(data, "G2", "20个工作日"), "f.xlsx")
    assert cached.rows[0].ok
    assert cached.documents["nurse-practice-registration"]["guides"][1]["statutory_time_limit"] == "20个工作日"
    assert not cached.rows[1].ok  # =1+1 has no cached value: never evaluated


def test_csv_cell_starting_with_equals_is_refused() -> None:
    result = plan(csv_bytes([row(fee='=HYPERLINK("http://x")')], encoding="utf-8"), "f.csv")
    assert [e.column for e in result.rows[0].errors] == ["收费"]


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("empty.csv", b"", "文件为空"),
        ("blank.xlsx", b"   \n", "文件为空"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "xls"),
        ("broken.xlsx", b"PK\x03\x04" + b"garbage" * 50, "损坏"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50, "无法识别"),
        ("binary.csv", bytes(range(256)) * 4, "无法识别"),
        ("header-only.csv", "事项名称,申请材料\n".encode(), "没有数据行"),
    ],
)
def test_bad_files_are_refused_as_a_whole(filename: str, data: bytes, message: str) -> None:
    with pytest.raises(SheetError, match=message):
        read_sheet(filename, data, **LIMITS)


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(SheetError, match="损坏"):
        read_sheet("x.xlsx", out.getvalue(), **LIMITS)


def test_missing_required_columns_are_named() -> None:
    sheet = read_sheet("m.csv", "事项名称,子项\n护士执业注册,首次注册\n".encode(), **LIMITS)
    assert map_headers(sheet.headers).missing == ["申请材料", "法定办结时限", "承诺办结时限"]


def test_too_many_rows_is_refused() -> None:
    with pytest.raises(SheetError, match="上限 100"):
        read_sheet("big.csv", csv_bytes([row()] * 101, encoding="utf-8"), **LIMITS)


def test_store_validation_errors_go_to_the_item_rows() -> None:
    sheet = read_sheet("v.xlsx", xlsx([row(), row(sub_item="延续注册")]), **LIMITS)

    def store_rules(code: str, document: dict[str, Any]) -> list[tuple[str, str]]:
        return [("aliases.0", "别名属于多个事项")] if code == "nurse-practice-registration" else []

    result = plan_import(
        sheet, map_headers(sheet.headers), ITEMS, ImportDefaults(REGION, TODAY), ADMIN, OFFICES, store_rules
    )
    assert [len(r.errors) for r in result.rows] == [1, 1]
    assert result.documents == {}
