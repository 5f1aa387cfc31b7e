"""Masking keeps just enough to tell records apart, and never the private part."""

from guanai.core.masking import mask_id_number, mask_name, mask_phone, mask_text


def test_a_name_keeps_its_first_character() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("王") == "王*"
    assert mask_name(None) == ""


def test_a_mobile_keeps_its_prefix_and_last_four_digits() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("+86 138-1234-1234") == "138****1234"


def test_a_landline_keeps_its_area_code_and_last_two_digits() -> None:
    masked = mask_phone("0731-84561234")
    assert masked.startswith("073") and masked.endswith("34") and "8456" not in masked


def test_an_id_number_hides_the_birth_date() -> None:
    masked = mask_id_number("11010519491231002X")
    assert masked == "110105***********X"
    assert "19491231" not in masked


def test_free_text_shows_only_that_there_is_some() -> None:
    assert mask_text("某县某镇某村3组") == "***"
    assert mask_text("") == ""
