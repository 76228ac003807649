"""Attempt counters in the store every process shares (Redis when configured, else the database cache).

``hit(scope, key, limit, window)`` counts one attempt in the current fixed window and answers whether it
is still within ``limit`` and how many seconds are left. A per-process cache would multiply every limit
by the number of workers, so nothing here uses the default cache when it is local memory.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches


def shared_cache():
    return caches[getattr(settings, "SHEGONG_SHARED_CACHE", "default")]


def digest(value):
    """A key part that does not store the raw value (ID numbers, phone numbers, addresses)."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int


def hit(scope, key, limit, window):
    now = int(time.time())
    period = now // window
    name = f"limit:{scope}:{digest(key)}:{period}"
    cache = shared_cache()
    cache.add(name, 0, window + 5)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, window + 5)
        count = 1
    return Verdict(allowed=count <= limit, count=count, retry_after=window - now % window)


def peek(scope, key, window):
    now = int(time.time())
    return shared_cache().get(f"limit:{scope}:{digest(key)}:{now // window}", 0)
