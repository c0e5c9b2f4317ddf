"""The PII masker and the logging filter."""

from __future__ import annotations

import io
import logging

import pytest

from bot.pii import MaskingFilter, configure_logging, id_checksum_ok, mask_text

VALID_ID = "11010519491231002X"  # GB 11643 example number, check character X
VALID_ID_DIGIT = "440524198001010013"


def test_mobile_is_masked_and_raw_kept_for_the_vault() -> None:
    r = mask_text("我的电话13800138000，请回电")
    assert r.text == "我的电话138****8000，请回电"
    assert r.phones == [("138****8000", "13800138000")]
    assert r.ids == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话：138 0013 8000", "电话：138****8000"),
        ("电话：138-0013-8000", "电话：138****8000"),
        ("+86 13912345678", "+86 139****5678"),
        ("8613912345678", "86139****5678"),
        ("手机号１３９１２３４５６７８谢谢", "手机号139****5678谢谢"),  # full-width digits
        ("tel:19912345678.", "tel:199****5678."),
    ],
)
def test_mobile_variants(text: str, expected: str) -> None:
    assert mask_text(text).text == expected


def test_two_numbers_are_both_masked() -> None:
    r = mask_text("13800138000或者15912345678都行")
    assert r.text == "138****8000或者159****5678都行"
    assert [raw for _, raw in r.phones] == ["13800138000", "15912345678"]


@pytest.mark.parametrize(
    "text",
    [
        "订单号 2138001380001 已受理",  # 11 digits inside a longer run
        "12345678901",  # second digit 2: not a mobile prefix
        "0571-88886666",  # landline: an office number, kept
        "010-12345678",
        "咨询电话 (0571)87001234",
        "BBC-20261122-0001",  # our ticket number
        "2024年12月13日",
    ],
)
def test_not_masked(text: str) -> None:
    r = mask_text(text)
    assert r.text == text
    assert not r.changed


def test_id_card_with_x_is_masked_keeping_area_and_last_four() -> None:
    r = mask_text(f"身份证号{VALID_ID}，麻烦查一下")
    assert r.text == "身份证号110105********002X，麻烦查一下"
    assert r.ids == ["110105********002X"]
    assert r.phones == []


def test_id_card_glued_to_letters() -> None:
    assert mask_text(f"ID{VALID_ID}号码").text == "ID110105********002X号码"


def test_id_card_lowercase_x_and_full_width() -> None:
    assert mask_text("11010519491231002x").text == "110105********002X"
    full = VALID_ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert mask_text(f"证件{full}").text == "证件110105********002X"


def test_id_card_digit_check_and_adjacent_phone() -> None:
    r = mask_text(f"{VALID_ID_DIGIT} 13800138000")
    assert r.text == "440524********0013 138****8000"
    assert len(r.ids) == 1 and len(r.phones) == 1


def test_id_with_wrong_check_character_is_still_masked() -> None:
    wrong = VALID_ID[:-1] + "5"
    assert not id_checksum_ok(wrong)
    assert mask_text(wrong).text == "110105********0025"


def test_eighteen_digits_without_a_birth_date_are_not_an_id() -> None:
    text = "流水号 123456789012345678"
    assert mask_text(text).text == text


def test_checksum() -> None:
    assert id_checksum_ok(VALID_ID)
    assert id_checksum_ok(VALID_ID_DIGIT)
    assert not id_checksum_ok("110105194912310021")


def test_empty_and_plain_text() -> None:
    assert mask_text("").text == ""
    assert mask_text("护士执业注册要什么材料").phones == []


def _logger_with_stream(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_masking_filter_masks_args_and_message() -> None:
    logger, stream = _logger_with_stream("tests.chat.pii.args")
    logger.info("contact %s id %s", "13800138000", VALID_ID)
    logger.info("inline 13912345678")
    out = stream.getvalue()
    assert "13800138000" not in out and "13912345678" not in out and VALID_ID not in out
    assert "138****8000" in out and "139****5678" in out and "110105********002X" in out


def test_masking_filter_keeps_args_structure_for_access_logs() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/items/match?text=13800138000", "1.1", 200),
        None,
    )
    assert MaskingFilter().filter(record)
    assert isinstance(record.args, tuple) and len(record.args) == 5
    assert record.args[2] == "/api/items/match?text=138****8000"


def test_masking_filter_masks_numbers_formed_by_int_args() -> None:
    logger, stream = _logger_with_stream("tests.chat.pii.int")
    logger.info("contact %d", 13800138000)
    assert "138****8000" in stream.getvalue() and "13800138000" not in stream.getvalue()


def test_masking_filter_masks_tracebacks() -> None:
    logger, stream = _logger_with_stream("tests.chat.pii.exc")
    try:
        raise ValueError("bad phone 13800138000")
    except ValueError:
        logger.exception("failed")
    out = stream.getvalue()
    assert "Traceback" in out
    assert "13800138000" not in out
    assert "138****8000" in out


def test_configure_logging_installs_the_filter_once() -> None:
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    try:
        configure_logging()
        configure_logging()
        assert sum(isinstance(f, MaskingFilter) for f in handler.filters) == 1
        logging.getLogger("tests.chat.pii.root").warning("phone 15912345678")
        assert "159****5678" in stream.getvalue()
        assert "15912345678" not in stream.getvalue()
    finally:
        root.removeHandler(handler)
