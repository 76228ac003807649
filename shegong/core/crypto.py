"""Field encryption and blind index for personal identifiers.

Keys: everything derives (HKDF-SHA256) from ``settings.FIELD_KEY`` (SHEGONG_FIELD_KEY): one
AES-256-GCM key for encryption, a separate HMAC-SHA256 key for the blind index, and a short key id.
Earlier keys listed in SHEGONG_FIELD_KEY_FALLBACKS (comma-separated; ``settings.FIELD_KEY_FALLBACKS``)
stay readable during a rotation (see the ``rotate_field_key`` command and docs/keys.md).

Token (what the database column holds): ``v1$<key id, 8 hex>$<base64url(nonce 12 bytes || ciphertext+tag)>``.
A fresh random 96-bit nonce per value; one AES-GCM call per value (bulk import encrypts rows in a loop).

Blind index: hex HMAC-SHA256 of the *normalised* value, for exact-match lookups and uniqueness.
During a rotation, rows not yet re-encrypted still carry their old-key index, so lookups use
``blind_index_candidates``.

Models declare the column with ``EncryptedTextField``. Its Python value is the token, never the
plaintext: rendering it by mistake shows ciphertext. ``decrypt`` (or the model's own accessor)
gives the plaintext; showing it unmasked to a person is audited by the caller.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

VERSION = "v1"
SEPARATOR = "$"
NONCE_BYTES = 12
_SALT = b"shegong field keys"


class DecryptionError(Exception):
    """A token that cannot be decrypted: unknown key, wrong format or tampered with."""


class _Key:
    __slots__ = ("key_id", "aead", "index_key")

    def __init__(self, material):
        if not material:
            raise ValueError("Empty field key.")
        raw = material.encode() if isinstance(material, str) else bytes(material)

        def derive(info, length=32):
            return HKDF(algorithm=hashes.SHA256(), length=length, salt=_SALT, info=info).derive(raw)

        self.key_id = derive(b"shegong key id v1", 4).hex()
        self.aead = AESGCM(derive(b"shegong field encryption v1"))
        self.index_key = derive(b"shegong blind index v1")


@lru_cache(maxsize=16)
def _key(material):
    return _Key(material)


def _old_materials():
    """Earlier keys: ``settings.FIELD_KEY_FALLBACKS`` (SHEGONG_FIELD_KEY_FALLBACKS, comma-separated),
    and ``settings.FIELD_KEY_OLD`` where it is still set (the former name); the environment variable
    where a setting is absent."""
    materials = []
    for name in ("FIELD_KEY_FALLBACKS", "FIELD_KEY_OLD"):
        configured = getattr(settings, name, None)
        if configured is None:
            configured = os.environ.get(f"SHEGONG_{name}", "")
        if isinstance(configured, str):
            configured = configured.split(",")
        materials += [str(m).strip() for m in configured if m and str(m).strip()]
    return materials


def current_key():
    return _key(settings.FIELD_KEY)


def old_keys():
    current = current_key()
    return [k for k in (_key(m) for m in _old_materials()) if k.key_id != current.key_id]


def _keys_by_id():
    keys = {k.key_id: k for k in old_keys()}
    current = current_key()
    keys[current.key_id] = current
    return keys


def current_key_id():
    return current_key().key_id


# --- encryption ------------------------------------------------------------------------------------------


def encrypt(plaintext, *, associated_data=None):
    """Encrypt a string under the current key; returns the token to store."""
    if plaintext is None:
        return None
    key = current_key()
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, str(plaintext).encode("utf-8"), associated_data)
    body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
    return SEPARATOR.join((VERSION, key.key_id, body))


def is_token(value):
    return isinstance(value, str) and value.startswith(VERSION + SEPARATOR) and value.count(SEPARATOR) == 2


def key_id_of(token):
    if not is_token(token):
        raise DecryptionError("Not an encrypted value.")
    return token.split(SEPARATOR)[1]


def decrypt(token, *, associated_data=None):
    """The plaintext of a token (under the current or an old key); raises ``DecryptionError``."""
    if token is None:
        return None
    if not is_token(token):
        raise DecryptionError("Not an encrypted value.")
    _version, key_id, body = token.split(SEPARATOR)
    key = _keys_by_id().get(key_id)
    if key is None:
        raise DecryptionError(f"Unknown field key {key_id}: set SHEGONG_FIELD_KEY_FALLBACKS during a rotation.")
    try:
        blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as exc:
        raise DecryptionError("Malformed encrypted value.") from exc
    if len(blob) < NONCE_BYTES + 16:
        raise DecryptionError("Malformed encrypted value.")
    try:
        plain = key.aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated_data)
    except InvalidTag as exc:
        raise DecryptionError("The encrypted value was tampered with or the key is wrong.") from exc
    return plain.decode("utf-8")


def needs_rotation(token):
    return is_token(token) and key_id_of(token) != current_key_id()


def reencrypt(token, *, associated_data=None):
    """The token re-encrypted under the current key (unchanged if it already is)."""
    if not needs_rotation(token):
        return token
    return encrypt(decrypt(token, associated_data=associated_data), associated_data=associated_data)


# --- blind index -----------------------------------------------------------------------------------------


def _index(key, value):
    return hmac.new(key.index_key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()


def blind_index(value):
    """HMAC-SHA256 (hex, 64 characters) of an already normalised value under the current key."""
    if value is None or value == "":
        return None
    return _index(current_key(), value)


def blind_index_candidates(value):
    """The value's blind index under the current key, then under each old key (for lookups mid-rotation)."""
    if value is None or value == "":
        return []
    return [_index(current_key(), value)] + [_index(key, value) for key in old_keys()]


# --- model field -----------------------------------------------------------------------------------------


class EncryptedTextField(models.TextField):
    """A column holding an encryption token (see the module docstring).

    Assign it ``crypto.encrypt(normalised_value)``; assigning anything that is not a token raises,
    so plaintext can never be stored by mistake. ``blind_index_field`` names the sibling field
    holding the value's blind index, so that ``rotate_field_key`` can recompute it.
    Encrypted columns support no lookups except ``isnull``.
    """

    description = _("Encrypted text")

    def __init__(self, *args, blind_index_field=None, **kwargs):
        self.blind_index_field = blind_index_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index_field:
            kwargs["blind_index_field"] = self.blind_index_field
        return name, path, args, kwargs

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        if not is_token(value):
            raise ValueError(f"{self.model.__name__}.{self.name} only stores values made by crypto.encrypt().")
        return value

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull", "exact", "in"):
            return None
        return super().get_lookup(lookup_name)


def encrypted_fields():
    """(model, field) for every EncryptedTextField of every installed model."""
    from django.apps import apps

    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, EncryptedTextField):
                yield model, model_field
