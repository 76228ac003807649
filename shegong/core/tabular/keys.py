"""Per-row key material for bulk work: the blind index of many values under the current key.

``BlindIndexer()(value)`` equals ``crypto.blind_index(value)`` (a test checks it) but reuses one
keyed HMAC state instead of deriving it for every row: bulk imports compute it a million times.
``Encryptor()`` likewise makes ``crypto.encrypt`` tokens (a test decrypts them with ``crypto.decrypt``).
Imports keyed by a blind index refuse to run during a key rotation (rows not yet rotated still
carry their old-key index, so matching under the current key alone would add duplicates).
"""

import base64
import hashlib
import hmac
import os

from django.utils.translation import gettext as _

from shegong.core import crypto


class BlindIndexer:
    def __init__(self):
        self._base = hmac.new(crypto.current_key().index_key, digestmod=hashlib.sha256)

    def __call__(self, value):
        state = self._base.copy()
        state.update(value.encode("utf-8"))
        return state.hexdigest()


class Encryptor:
    """``Encryptor()(value)`` makes the same kind of token as ``crypto.encrypt(value)`` (current key, a
    fresh random nonce, AES-GCM), with the key looked up once instead of per value."""

    def __init__(self):
        key = crypto.current_key()
        self._seal = key.aead.encrypt
        self._prefix = crypto.SEPARATOR.join((crypto.VERSION, key.key_id, ""))

    def __call__(self, value):
        nonce = os.urandom(crypto.NONCE_BYTES)
        sealed = self._seal(nonce, value.encode("utf-8"), None)
        return self._prefix + base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")


def refuse_during_rotation():
    from .engine import ImportRefused

    if crypto.old_keys():
        raise ImportRefused(
            _(
                "The encryption key of personal identifiers is being rotated; imports matched on ID numbers resume "
                "when the rotation has finished."
            )
        )
