from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from shegong.core import identifiers as ids
from shegong.core.identifiers import IdentifierError, IdKind, Sex


def error_code(func, value, **kwargs):
    with pytest.raises(IdentifierError) as info:
        func(value, **kwargs)
    return info.value.code


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English (the msgids).
    with translation.override("en"):
        yield


# --- 公民身份号码 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, birth, sex",
    [
        ("360426199101010071", date(1991, 1, 1), Sex.MALE),
        ("34052419800101001X", date(1980, 1, 1), Sex.MALE),
    ],
)
def test_published_valid_numbers(value, birth, sex):
    result = ids.validate_id_number(value)
    assert result.number == value
    assert result.birth_date == birth
    assert result.sex == sex
    assert result.kind == IdKind.CITIZEN
    assert not result.converted_from_15


def test_published_invalid_number_fails_the_check():
    assert error_code(ids.validate_id_number, "340524198001010013") == "id_bad_check"


def test_check_message_says_check_character_without_disclosing_it():
    with pytest.raises(IdentifierError) as info:
        ids.validate_id_number("340524198001010013")
    message = info.value.messages[0]
    assert "check character" in message
    assert "X" not in message  # the expected check character (X) is not given away


def test_error_is_a_django_validation_error():
    with pytest.raises(ValidationError):
        ids.validate_id_number("123")


@pytest.mark.parametrize(
    "value, kind, sex",
    [
        ("810000199408230021", IdKind.HK_MACAO, Sex.FEMALE),
        ("830000199201300022", IdKind.TAIWAN, Sex.FEMALE),
    ],
)
def test_residence_permits(value, kind, sex):
    result = ids.validate_id_number(value)
    assert result.kind == kind
    assert result.sex == sex


def make_number(first17):
    return first17 + ids.id_check_char(first17)


def test_foreign_permanent_resident_id():
    number = make_number("91115619850304001")  # 9 + province 11 + nationality 156 + date + sequence
    result = ids.validate_id_number(number)
    assert result.kind == IdKind.FOREIGN
    assert result.birth_date == date(1985, 3, 4)
    assert result.sex == Sex.MALE


@pytest.mark.parametrize(
    "raw",
    [
        "３６０４２６１９９１０１０１００７１",  # full-width digits
        " 360426 19910101 0071 ",
        "360426\n19910101\r\n0071",
        "360426\u300019910101\u200b0071",  # ideographic space, zero-width space
    ],
)
def test_normalisation(raw):
    assert ids.validate_id_number(raw).number == "360426199101010071"


def test_lowercase_and_full_width_x():
    assert ids.validate_id_number("34052419800101001x").number == "34052419800101001X"
    assert ids.validate_id_number("34052419800101001ｘ").number == "34052419800101001X"


def test_fifteen_digit_number_is_converted():
    result = ids.validate_id_number("340524800101001")
    assert result.number == "34052419800101001X"
    assert result.converted_from_15
    assert result.birth_date == date(1980, 1, 1)


def test_fifteen_digits_can_be_refused():
    assert error_code(ids.validate_id_number, "340524800101001", allow_15=False) == "id_length"


@pytest.mark.parametrize(
    "value, code",
    [
        ("", "id_required"),
        (None, "id_required"),
        ("36042619910101007", "id_length"),
        ("3604261991010100711", "id_length"),
        ("36042619910101A071", "id_bad_character"),
        ("3604261991010100-1", "id_bad_character"),
        ("34052480010100A", "id_bad_character"),
        ("X60426199101010071", "id_bad_character"),
        (make_number("00042619910101007"), "id_bad_region"),
        (make_number("01042619910101007"), "id_bad_region"),
        (make_number("72042619910101007"), "id_bad_region"),
        (make_number("36042619910230007"), "id_bad_date"),
        (make_number("36042619911301007"), "id_bad_date"),
        (make_number("36042618991231007"), "id_bad_date"),
    ],
)
def test_refusals(value, code):
    assert error_code(ids.validate_id_number, value) == code


def test_future_birth_date():
    tomorrow = date.today() + timedelta(days=2)
    number = make_number(f"360426{tomorrow:%Y%m%d}007")
    assert error_code(ids.validate_id_number, number) == "id_future_date"
    assert ids.validate_id_number(number, today=tomorrow).birth_date == tomorrow


def test_messages_are_specific():
    with pytest.raises(IdentifierError) as info:
        ids.validate_id_number("36042619910101007")
    assert "17" in info.value.messages[0]
    with pytest.raises(IdentifierError) as info:
        ids.validate_id_number(make_number("36042619910230007"))
    assert "1991-02-30" in info.value.messages[0]


def test_is_valid_id_number():
    assert ids.is_valid_id_number("360426199101010071")
    assert not ids.is_valid_id_number("340524198001010013")


provinces = st.sampled_from(sorted(ids.PROVINCE_CODES - {"81", "82"}))
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date.today())


@st.composite
def valid_numbers(draw):
    prefix = draw(provinces) + draw(st.text("0123456789", min_size=4, max_size=4))
    born = draw(birth_dates)
    sequence = draw(st.integers(min_value=0, max_value=999))
    return make_number(f"{prefix}{born:%Y%m%d}{sequence:03d}"), born, sequence


@given(valid_numbers())
def test_generated_number_round_trips(generated):
    number, born, sequence = generated
    result = ids.validate_id_number(number)
    assert result.number == number
    assert result.birth_date == born
    assert result.sex == (Sex.MALE if sequence % 2 else Sex.FEMALE)
    # and through the normalisation of a lower-case, spaced copy
    assert ids.validate_id_number(f" {number[:6]} {number[6:].lower()}").number == number


@given(valid_numbers(), st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_rejected(generated, position, replacement):
    number = generated[0]
    if number[position] == replacement or (replacement == "X" and position != 17):
        return
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(IdentifierError):
        ids.validate_id_number(changed)


# --- 统一社会信用代码 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["91350200776049653A", "91440101MA5CJQ4N59", "913502000728319549", "123502001549897397"]
)
def test_valid_credit_codes(value):
    result = ids.validate_credit_code(value)
    assert result.code == value
    assert result.valid_check
    assert result.warnings == ()


def test_failed_check_is_a_warning_not_a_rejection():
    result = ids.validate_credit_code("91350100M0001TGQXM")
    assert not result.valid_check
    assert len(result.warnings) == 1
    assert "check character" in str(result.warnings[0])


def test_credit_code_normalisation():
    assert ids.validate_credit_code(" ９１４４０１０１ma5cjq4n59\n").code == "91440101MA5CJQ4N59"


def test_credit_code_parts():
    result = ids.validate_credit_code("91440101MA5CJQ4N59")
    assert result.department == "9"
    assert result.division_code == "440101"
    assert result.organization_code == "MA5CJQ4N5"
    assert not result.is_civil_affairs
    assert result.entity_type_label == ""


def make_credit_code(first16):
    first17 = first16 + ids.organization_code_check_char(first16[8:16])
    return first17 + ids.uscc_check_char(first17)


def test_civil_affairs_code_and_prefix_checks():
    code = make_credit_code("5244010657889012")
    result = ids.validate_credit_code(code, expected_kind="service_organization")
    assert result.valid_check and result.warnings == ()
    assert result.is_civil_affairs
    assert str(result.department_label) == "Civil affairs"
    assert "non-enterprise" in str(result.entity_type_label)
    association = ids.validate_credit_code(code, expected_kind="association")
    assert association.valid_check
    assert any("51" in str(w) for w in association.warnings)


def test_embedded_organization_code_check():
    first16 = "5244010657889012"
    wrong = "0" if ids.organization_code_check_char(first16[8:]) != "0" else "1"
    first17 = first16 + wrong
    result = ids.validate_credit_code(first17 + ids.uscc_check_char(first17))
    assert not result.valid_check
    assert any("organization code" in str(w) for w in result.warnings)


@pytest.mark.parametrize(
    "value, code",
    [
        ("", "uscc_required"),
        ("9144010", "uscc_length"),
        ("91440101MA5CJQ4N5", "uscc_length"),
        ("91440101MA5CJQ4NI9", "uscc_bad_character"),
        ("91440101MA5CJQ4NO9", "uscc_bad_character"),
        ("91440101MA5CJQ4NZ9", "uscc_bad_character"),
        ("91440101MA5CJQ4N-9", "uscc_bad_character"),
    ],
)
def test_credit_code_refusals(value, code):
    assert error_code(ids.validate_credit_code, value) == code


# --- 行政区划代码 ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_division_codes(region):
    assert ids.validate_division_code("440106").code == "440106"
    assert ids.validate_division_code(" ４４０１０６ ").code == "440106"
    assert error_code(ids.validate_division_code, "44010") == "division_format"
    assert error_code(ids.validate_division_code, "449999") == "division_unknown"
    abolished = region("440106")
    abolished.active = False
    abolished.save(update_fields=["active"])
    assert error_code(ids.validate_division_code, "440106") == "division_unknown"
    assert ids.validate_division_code("440106", include_inactive=True).code == "440106"


# --- masking --------------------------------------------------------------------------------------


def test_masking():
    assert ids.mask_id_number("440106199001011234") == "440106********1234"
    assert ids.mask_id_number("44010619900101123x") == "440106********123X"
    assert ids.mask_id_number("340524800101001") == "340524*****1001"
    assert ids.mask_id_number("") == ""
    assert ids.mask_id_number(None) == ""
    assert ids.mask_name("张三丰") == "张*丰"
    assert ids.mask_name("张三") == "张*"
    assert ids.mask_name("欧阳娜娜") == "欧**娜"
    assert ids.mask_name("张") == "*"
    assert ids.mask_name("") == ""
    assert ids.mask_phone("13812345678") == "138****5678"
    assert ids.mask_phone("138 1234 5678") == "138****5678"
    assert ids.mask_phone("") == ""
