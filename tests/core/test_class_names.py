"""Class names as schools write them all find one class; class lists sort as schools list them."""

import pytest

from guanai.core.class_names import class_key, grade_order


@pytest.mark.parametrize(
    "name",
    [
        "三年级(2)班",
        "三年级（2）班",
        "三(2)班",
        "3年级2班",
        "三年级2班",
        "三年级二班",
        "３年级２班",
        "三年级 2 班",
    ],
)
def test_every_spelling_of_grade_3_class_2_has_one_key(name: str) -> None:
    assert class_key(name) == (3, 2)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("初一(3)班", (7, 3)),
        ("高三2班", (12, 2)),
        ("六年级十班", (6, 10)),
        ("一年级二十三班", (1, 23)),
    ],
)
def test_middle_and_high_school_grades_and_two_digit_numbers(name: str, key: tuple) -> None:
    assert class_key(name) == key


@pytest.mark.parametrize("name", ["32班", "兴趣班", "三年级", "13年级1班", "三年级0班", ""])
def test_a_name_not_of_the_shape_has_no_key(name: str) -> None:
    assert class_key(name) is None


def test_grade_order_is_by_grade_then_number_then_the_rest_by_name() -> None:
    names = ["三年级1班", "兴趣班", "二年级10班", "五年级1班", "二年级2班", "一年级1班"]
    assert sorted(names, key=grade_order) == [
        "一年级1班", "二年级2班", "二年级10班", "三年级1班", "五年级1班", "兴趣班",
    ]  # fmt: skip
