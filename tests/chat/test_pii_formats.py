"""Masking across the many ways people write numbers, and what must stay untouched (table and property tests)."""

from __future__ import annotations

import io
import logging
import random
from urllib.parse import quote

import pytest

from bot.pii import MaskingFilter, luhn_ok, mask_log_text, mask_text

PHONE = "13812345678"
ID18 = "11010519491231002X"
ID15 = "110105491231002"
CARD = "6222021234567890128"  # 19 digits, Luhn-valid (checked below)
ZW = "\u200b"

RAW_VALUES = ("13812345678", "12345678", "1949123", "622202123456789")


def _no_raw(text: str) -> bool:
    digits = "".join(ch for ch in text if ch.isdigit())
    return all(v not in digits for v in RAW_VALUES)


@pytest.mark.parametrize(
    "text",
    [
        "电话13812345678",
        "电话 138 1234 5678 谢谢",
        "138-1234-5678",
        "138.1234.5678",
        "1381 234 5678",
        f"138{ZW}1234{ZW}5678",
        f"1{ZW}3{ZW}8{ZW}1{ZW}2{ZW}3{ZW}4{ZW}5{ZW}6{ZW}7{ZW}8",
        "１３８ １２３４ ５６７８",
        "１３８－１２３４－５６７８",
        "+86 138 1234 5678",
        "+86-13812345678",
        "0086 13812345678",
        "0086-138-1234-5678",
        "8613812345678",
        "（+86）13812345678",
        "手机：138–1234–5678。",
        "号码是138\u20601234\ufeff5678",
    ],
)
def test_mobile_formats_are_masked(text: str) -> None:
    r = mask_text(text)
    assert len(r.phones) == 1, r
    assert r.phones[0] == ("138****5678", PHONE)
    assert "138****5678" in r.text
    assert _no_raw(r.text)
    assert ZW not in r.text


@pytest.mark.parametrize(
    "text",
    [
        f"身份证{ID18}",
        "身份证 110105 19491231 002X",
        "110105-19491231-002X",
        "110105 1949 1231 002x",
        "1101 0519 4912 3100 2X",
        f"1101{ZW}0519491231{ZW}002X",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
    ],
)
def test_id18_formats_are_masked(text: str) -> None:
    r = mask_text(text)
    assert r.ids == ["110105********002X"], r
    assert "110105********002X" in r.text
    assert _no_raw(r.text)


@pytest.mark.parametrize("text", [f"老身份证{ID15}", "110105 491231 002", "110105-491231-002"])
def test_id15_formats_are_masked(text: str) -> None:
    r = mask_text(text)
    assert r.ids == ["110105*****1002"], r
    assert _no_raw(r.text)


def test_card_fixture_is_luhn_valid() -> None:
    assert luhn_ok(CARD)
    assert not luhn_ok(CARD[:-1] + "9")


@pytest.mark.parametrize(
    "text",
    [
        f"卡号{CARD}",
        "卡号 6222 0212 3456 7890 128",
        "6222-0212-3456-7890-128",
        f"6222{ZW}0212{ZW}3456{ZW}7890{ZW}128",
        "４５３２０１５１１２８３０３６６",  # a Luhn-valid 16-digit Visa test number, full width
    ],
)
def test_bank_cards_are_masked(text: str) -> None:
    r = mask_text(text)
    assert len(r.cards) == 1, r
    assert r.cards[0].endswith(r.cards[0][-4:]) and set(r.cards[0][:-4]) == {"*"}
    assert "6222021234567890128" not in r.text.replace(" ", "").replace("-", "").replace(ZW, "")
    assert "4532015112830366" not in r.text


def test_luhn_invalid_long_number_is_not_a_card() -> None:
    text = "流水号 6222021234567890129"
    assert mask_text(text).text == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("邮箱 zhang.san@example.com 谢谢", "邮箱 z***@example.com 谢谢"),
        ("发到ZhangSan+gov@mail.health.gov.cn", "发到Z***@mail.health.gov.cn"),
        ("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "w***@example.com"),
    ],
)
def test_email_is_masked(text: str, masked: str) -> None:
    r = mask_text(text)
    assert r.text == masked
    assert len(r.emails) == 1


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-22",
        "2026年11月22日上午10:30",
        "2026.11.22",
        "BBC-20261122-0007-KXQRT",
        "bbc20261122-0007",
        "工单号 BBC-20261122-0001",
        "费用 1380.50 元",
        "收费标准为 13,812 元",
        "12345",
        "拨打12345热线",
        "20个工作日",
        "受理后 20 个工作日内办结",
        "0571-88888888",
        "010-12345678",
        "邮编 310000",
        "电话 0571 8700 1234",
        "第 1 2 3 条",
        "护士执业注册需要哪些材料",
        "版本 1.3.8.1",
        "123456789012345678",
        "user@localhost",
    ],
)
def test_ordinary_text_is_not_masked(text: str) -> None:
    r = mask_text(text)
    assert r.text == text
    assert not r.changed


def test_property_random_formats_of_one_phone_are_all_masked() -> None:
    """Seeded random groupings, separators, widths and hidden characters around one number."""
    rng = random.Random(20261122)
    seps = ["", " ", "-", ".", ZW, "\u2060", "－", "　"]
    for _ in range(500):
        digits = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
        out = []
        for i, d in enumerate(digits):
            if i and rng.random() < 0.3:
                out.append(rng.choice(seps))
            out.append(chr(0xFF10 + int(d)) if rng.random() < 0.2 else d)
        prefix = rng.choice(["", "+86 ", "0086-", "86", "电话"])
        text = f"我的{prefix}{''.join(out)}，谢谢"
        r = mask_text(text)
        assert r.phones and r.phones[-1][1] == digits, text
        folded = "".join(ch for ch in r.text if ch.isdigit())
        assert digits[3:7] not in folded or digits[3:7] in (digits[:3] + digits[7:]), (text, r.text)


def test_property_random_ids_are_all_masked() -> None:
    rng = random.Random(7)
    for _ in range(300):
        area = str(rng.randint(110000, 659999))
        birth = f"{rng.randint(1930, 2020)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        seq = f"{rng.randint(0, 999):03d}"
        check = rng.choice("0123456789X")
        raw = area + birth + seq + check
        sep = rng.choice(["", " ", "-"])
        text = f"证件号 {area}{sep}{birth}{sep}{seq}{check} 请核对"
        r = mask_text(text)
        assert r.ids == [raw[:6] + "*" * 8 + raw[-4:]], text
        assert birth not in r.text


def test_log_filter_masks_url_encoded_numbers() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    logger = logging.getLogger("tests.chat.pii.urlencoded")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    encoded_all = "".join(f"%{ord(c):02X}" for c in PHONE)
    logger.info('"GET /api/items/match?text=%s HTTP/1.1" 200', quote("电话 138 1234 5678"))
    logger.info('"GET /x?text=%s HTTP/1.1" 200', encoded_all)
    logger.info("GET /x?q=%s", quote(f"身份证{ID18}"))
    logger.info("GET /x?q=%s", quote(quote(PHONE)))
    logger.info("GET /x?mail=%s", quote("zhang.san@example.com"))
    out = stream.getvalue()
    assert "138****5678" in out
    assert encoded_all not in out
    assert "%31%33%38" not in out
    assert "1949" not in out
    assert "zhang.san" not in out
    assert "z***@example.com" in out


def test_log_text_without_personal_data_is_kept_as_is() -> None:
    line = "GET /api/search?q=%E6%8A%A4%E5%A3%AB&n=12345"
    assert mask_log_text(line) == line
