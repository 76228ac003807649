"""One cell at a time: normalisation, refusal with reasons, the fast ID path, region names."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shegong.core import crypto, identifiers
from shegong.core.tabular import cells
from shegong.core.tabular.cells import CellError, IdParser
from shegong.core.tabular.keys import BlindIndexer


class Warnings(list):
    def __call__(self, code, message):
        self.append((code, message))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  张三 ", "张三"),
        ("张\n三", "张三"),  # a line break inside a Chinese name is stray
        ("Anna  Lee", "Anna Lee"),
        ("ＡＢＣ１２３", "ABC123"),  # full-width letters and digits
        ("a\u200bb", "ab"),  # invisible characters from copy and paste
        (12.0, "12"),
        (None, ""),
    ],
)
def test_clean_text_normalises_harmless_differences(raw, expected):
    assert cells.clean_text(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2021-3-1",
        "2021-03-01",
        "2021/03/01",
        "2021/3/1",
        "2021.3.1",
        "2021年3月1日",
        "2021 年 3 月 1 日",
        "20210301",
        "２０２１－０３－０１",
        "2021-03-01 00:00:00",
        datetime.date(2021, 3, 1),
        datetime.datetime(2021, 3, 1),
    ],
)
def test_dates_in_the_common_chinese_forms(raw):
    warnings = Warnings()
    assert cells.parse_date(raw, warnings) == datetime.date(2021, 3, 1)
    assert warnings == []


@pytest.mark.parametrize("raw", [44256, 44256.0, "44256"])
def test_an_excel_serial_number_is_read_as_a_date_with_a_warning(raw):
    warnings = Warnings()
    assert cells.parse_date(raw, warnings) == datetime.date(2021, 3, 1)
    assert [code for code, _m in warnings] == ["excel_serial"]
    assert "2021-03-01" in warnings[0][1]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("03/01/2021", "bad_date"),
        ("2021-02-30", "bad_date"),
        ("2021-03", "bad_date"),
        ("yesterday", "bad_date"),
        ("2021-03-01 12:30", "date_has_time"),
    ],
)
def test_dates_that_cannot_be_read_without_guessing_are_refused(raw, code):
    with pytest.raises(CellError) as caught:
        cells.parse_date(raw, Warnings())
    assert caught.value.code == code


def test_an_id_number_excel_stored_as_a_number_is_refused_with_the_reason():
    with pytest.raises(CellError) as caught:
        cells.identifier_text(440106199001011235.0, what="身份证号码")
    assert caught.value.code == "excel_number"
    assert "15" in caught.value.message and "440106199001011" in caught.value.message


@pytest.mark.parametrize("raw", ["4.40106E+17", "4.40106199001011E17", "4.401061990010112e+17"])
def test_scientific_notation_is_refused(raw):
    with pytest.raises(CellError) as caught:
        cells.identifier_text(raw, what="身份证号码")
    assert caught.value.code == "excel_scientific"


def test_a_15_digit_number_stored_by_excel_is_exact_and_kept():
    assert cells.identifier_text(440106900101123.0, what="x") == "440106900101123"
    assert cells.identifier_text("440106900101123.0", what="x") == "440106900101123"
    with pytest.raises(CellError):
        cells.identifier_text("440106199001011235.0", what="x")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("是", True), ("否", False), ("Y", True), ("n", False), ("√", True), (True, True), ("0", False)],
)
def test_yes_and_no(raw, expected):
    assert cells.parse_bool(raw) is expected


def test_int_and_decimal():
    assert cells.parse_int("２０２０") == 2020
    assert cells.parse_int(2020.0) == 2020
    with pytest.raises(CellError):
        cells.parse_int("20.5")
    assert str(cells.parse_decimal("1.50", places=1)) == "1.5"
    with pytest.raises(CellError):
        cells.parse_decimal("1.25", places=1)


# --- the fast ID path agrees with the reference function ------------------------------------------------------

TODAY = datetime.date(2026, 1, 1)
digits = st.text(alphabet="0123456789", min_size=17, max_size=17)


def _reference(text):
    try:
        return identifiers.validate_id_number(text, today=TODAY)
    except identifiers.IdentifierError as exc:
        return ("error", exc.code)


def _fast(parser, text):
    try:
        return parser.parse(text)
    except identifiers.IdentifierError as exc:
        return ("error", exc.code)


@settings(max_examples=3000, deadline=None)
@given(first17=digits, last=st.sampled_from("0123456789Xx"))
def test_fast_id_path_equals_reference_on_random_numbers(first17, last):
    parser = IdParser(today=TODAY)
    text = first17 + last
    assert _fast(parser, text) == _reference(text)


@settings(max_examples=1000, deadline=None)
@given(
    prefix=st.sampled_from(sorted(identifiers.PROVINCE_CODES | {"83", "91", "90"})),
    born=st.dates(min_value=datetime.date(1890, 1, 1), max_value=datetime.date(2030, 12, 31)),
    sequence=st.integers(0, 999),
    tamper=st.booleans(),
)
def test_fast_id_path_equals_reference_on_plausible_numbers(prefix, born, sequence, tamper):
    parser = IdParser(today=TODAY)
    number = identifiers.build_id_number(prefix + "0101", born, sequence)
    if tamper:
        number = number[:17] + ("0" if number[17] != "0" else "1")
    assert _fast(parser, number) == _reference(number)


def test_blind_indexer_equals_crypto_blind_index():
    indexer = BlindIndexer()
    for value in ("440106199001011235", "91350200776049653A", "张三"):
        assert indexer(value) == crypto.blind_index(value)


# --- regions -----------------------------------------------------------------------------------------------


@pytest.fixture
def regions(db):
    from shegong.core.tabular.regions import RegionIndex

    return RegionIndex()


class _Scope:
    def __init__(self, *codes):
        self.codes = set(codes)

    def contains(self, code):
        return code in self.codes


@pytest.mark.parametrize(
    "text",
    [
        "440106",
        "天河区",
        "广东省广州市天河区",
        "广东省 广州市 天河区",
        "广东/广州/天河区",
        "广州市天河区",
        "广州天河区",
    ],
)
def test_region_by_code_name_or_path(regions, text):
    assert regions.resolve(text, level=3) == ("440106", "")


def test_a_repeated_name_is_refused_with_the_candidates(regions):
    with pytest.raises(CellError) as caught:
        regions.resolve("朝阳区", level=3)
    assert caught.value.code == "region_ambiguous"
    assert "110105" in caught.value.message and "220104" in caught.value.message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("北京市朝阳区", "110105"),
        ("北京朝阳区", "110105"),
        ("吉林省长春市朝阳区", "220104"),
        ("长春市/朝阳区", "220104"),
        ("吉林 长春 朝阳区", "220104"),
    ],
)
def test_a_repeated_name_with_its_path(regions, text, code):
    assert regions.resolve(text, level=3) == (code, "")


def test_a_repeated_name_inside_the_importers_scope_is_used_with_a_warning(regions):
    code, warning = regions.resolve("朝阳区", level=3, scope=_Scope("110105"))
    assert code == "110105"
    assert "110105" in warning and "220104" in warning


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("999999", "region_unknown"),
        ("4401", "region_unknown"),
        ("火星区", "region_unknown"),
        ("广州市", "region_level"),
        ("广东省", "region_level"),
    ],
)
def test_unknown_or_wrong_level_regions_are_refused(regions, text, code):
    with pytest.raises(CellError) as caught:
        regions.resolve(text, level=3)
    assert caught.value.code == code


def test_exported_csv_cells_never_run_as_formulas_and_import_back_unchanged():
    from shegong.core.tabular.export import _csv_cell

    assert _csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert _csv_cell("+86 138 0013 8000") == "+86 138 0013 8000"  # a telephone number stays as it is
    assert _csv_cell("020-12345678") == "020-12345678"
    assert cells.clean_text(_csv_cell("=1+1")) == "=1+1"


def test_encryptor_makes_tokens_crypto_decrypts():
    from shegong.core.tabular.keys import Encryptor

    encrypt = Encryptor()
    token = encrypt("440106199001011235")
    assert crypto.is_token(token) and crypto.key_id_of(token) == crypto.current_key_id()
    assert crypto.decrypt(token) == "440106199001011235"
    assert encrypt("440106199001011235") != token  # a fresh nonce every time
