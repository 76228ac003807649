"""Per-row key material for bulk work: the blind index of many values under the current key.

``BlindIndexer()(value)`` equals ``crypto.blind_index(value)`` (a test checks it) but reuses one
keyed HMAC state instead of deriving it for every row: bulk imports compute it a million times.
Imports keyed by a blind index refuse to run during a key rotation (rows not yet rotated still
carry their old-key index, so matching under the current key alone would add duplicates).
"""

import hashlib
import hmac

from django.utils.translation import gettext as _

from shegong.core import crypto


class BlindIndexer:
    def __init__(self):
        self._base = hmac.new(crypto.current_key().index_key, digestmod=hashlib.sha256)

    def __call__(self, value):
        state = self._base.copy()
        state.update(value.encode("utf-8"))
        return state.hexdigest()


def refuse_during_rotation():
    from .engine import ImportRefused

    if crypto.old_keys():
        raise ImportRefused(
            _(
                "The encryption key of personal identifiers is being rotated; imports matched on ID numbers resume "
                "when the rotation has finished."
            )
        )
