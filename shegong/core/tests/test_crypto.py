import base64

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from shegong.core import crypto
from shegong.core.serializers import UNMASK_CONTEXT_KEY, MaskedIdField

NUMBER = "360426199101010071"


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English (the msgids).
    with translation.override("en"):
        yield


@pytest.fixture
def keys(settings, monkeypatch):
    monkeypatch.delenv("SHEGONG_FIELD_KEY_OLD", raising=False)
    settings.FIELD_KEY = "test-key-one"
    settings.FIELD_KEY_OLD = ""
    settings.FIELD_KEY_FALLBACKS = []
    return settings


def test_round_trip(keys):
    token = crypto.encrypt(NUMBER)
    assert crypto.is_token(token)
    assert NUMBER not in token
    assert crypto.decrypt(token) == NUMBER
    assert crypto.decrypt(crypto.encrypt("欧阳娜娜")) == "欧阳娜娜"
    assert crypto.encrypt(None) is None and crypto.decrypt(None) is None


def test_token_format_carries_version_and_key_id(keys):
    token = crypto.encrypt(NUMBER)
    version, key_id, body = token.split("$")
    assert version == "v1"
    assert key_id == crypto.current_key_id() and len(key_id) == 8
    blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert len(blob) == 12 + len(NUMBER) + 16  # nonce + ciphertext + tag


def test_fresh_nonce_per_value(keys):
    tokens = {crypto.encrypt(NUMBER) for _ in range(20)}
    assert len(tokens) == 20


def test_tampering_is_detected(keys):
    token = crypto.encrypt(NUMBER)
    version, key_id, body = token.split("$")
    blob = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    blob[15] ^= 1
    tampered = "$".join((version, key_id, base64.urlsafe_b64encode(bytes(blob)).rstrip(b"=").decode()))
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("$".join((version, key_id, body[:10])))
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(NUMBER)


def test_associated_data_binds_the_value(keys):
    token = crypto.encrypt(NUMBER, associated_data=b"person:1")
    assert crypto.decrypt(token, associated_data=b"person:1") == NUMBER
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, associated_data=b"person:2")


def test_wrong_key_cannot_decrypt(keys):
    token = crypto.encrypt(NUMBER)
    keys.FIELD_KEY = "another-key"
    with pytest.raises(crypto.DecryptionError, match="Unknown field key"):
        crypto.decrypt(token)


def test_old_key_stays_readable_during_rotation(keys):
    token = crypto.encrypt(NUMBER)
    keys.FIELD_KEY_OLD = "test-key-one"
    keys.FIELD_KEY = "test-key-two"
    assert crypto.needs_rotation(token)
    assert crypto.decrypt(token) == NUMBER
    fresh = crypto.reencrypt(token)
    assert not crypto.needs_rotation(fresh)
    assert crypto.key_id_of(fresh) != crypto.key_id_of(token)
    assert crypto.decrypt(fresh) == NUMBER


def test_old_keys_from_environment(keys, monkeypatch):
    token = crypto.encrypt(NUMBER)
    del keys.FIELD_KEY_OLD
    keys.FIELD_KEY = "test-key-two"
    monkeypatch.setenv("SHEGONG_FIELD_KEY_OLD", "unrelated, test-key-one")
    assert crypto.decrypt(token) == NUMBER


def test_blind_index_is_stable_and_key_dependent(keys):
    first = crypto.blind_index(NUMBER)
    assert first == crypto.blind_index(NUMBER)
    assert len(first) == 64 and int(first, 16) >= 0
    assert crypto.blind_index("34052419800101001X") != first
    assert crypto.blind_index("") is None
    keys.FIELD_KEY = "test-key-two"
    second = crypto.blind_index(NUMBER)
    assert second != first
    keys.FIELD_KEY_OLD = "test-key-one"
    assert crypto.blind_index_candidates(NUMBER) == [second, first]


def test_blind_index_differs_from_a_plain_hash(keys):
    import hashlib

    assert crypto.blind_index(NUMBER) != hashlib.sha256(NUMBER.encode()).hexdigest()


# --- masking in templates and the API --------------------------------------------------------------


def render(template, **context):
    return Template("{% load masking %}" + template).render(Context(context))


def test_template_filters_mask_plain_and_encrypted_values(keys):
    assert render("{{ v|mask_id }}", v="44010619900101123X") == "440106********123X"
    assert render("{{ v|mask_id }}", v=crypto.encrypt("44010619900101123X")) == "440106********123X"
    assert render("{{ v|mask_name }}", v="张三丰") == "张*丰"
    assert render("{{ v|mask_phone }}", v="13812345678") == "138****5678"
    assert render("{{ v|mask_id }}", v=None) == ""


def test_masked_id_field(keys):
    field = MaskedIdField()
    field.bind("id_number", parent=None)
    field._context = {}
    token = crypto.encrypt(NUMBER)
    assert field.to_representation(token) == "360426********0071"
    assert field.to_representation(NUMBER) == "360426********0071"
    field._context = {UNMASK_CONTEXT_KEY: True}
    assert field.to_representation(token) == NUMBER
    assert field.to_representation("") is None


@pytest.mark.django_db
def test_rotate_field_key_without_encrypted_rows(keys, capsys):
    call_command("rotate_field_key", "--dry-run")
    assert "0 rows remain under old keys." in capsys.readouterr().out
