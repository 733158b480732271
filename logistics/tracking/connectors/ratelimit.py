"""A per-carrier rate limit for calls to the tracking provider: a token bucket in Redis.

The provider's limit is per account (kuaidi100: the live query is for clicks, an old spec says 1 request/s),
so the bucket is shared by every enterprise and every worker: one Redis hash per (account, carrier code),
refilled continuously at TRACKING_POLL_PER_MINUTE tokens a minute up to the same burst, taken atomically
by a Lua script. The Redis is the project's (settings.REDIS_URL, the cache's and the broker's server)."""

from __future__ import annotations

import time

import redis
from django.conf import settings

from logistics.tracking.connectors import kuaidi100

DEFAULT_PER_MINUTE = 60

_TAKE = """
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local taken = 0
if tokens >= 1 then tokens = tokens - 1; taken = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return taken
"""

_client: redis.Redis | None = None
_script = None


def _redis() -> redis.Redis:
    global _client, _script
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL)
        _script = _client.register_script(_TAKE)
    return _client


def per_minute() -> int:
    return max(1, int(getattr(settings, "TRACKING_POLL_PER_MINUTE", DEFAULT_PER_MINUTE)))


def bucket_key(carrier_code: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "db")
    return f"{prefix}:tracking-rate:{kuaidi100.setting('TRACKING_AGGREGATOR_CUSTOMER')}:{carrier_code or '-'}"


def token_take(carrier_code: str) -> bool:
    """Take one call of this carrier's allowance; False when the bucket is empty (try again later)."""
    _redis()
    rate = per_minute()
    return bool(_script(keys=[bucket_key(carrier_code)], args=[rate / 60.0, rate, f"{time.time():.6f}"]))
