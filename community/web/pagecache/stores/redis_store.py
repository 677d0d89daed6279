"""Pages in Redis: several hosts share them."""

import json

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .base import GENERATION_KEY, REDIS_TIMEOUT, Found, PageStore, _drawn, _header


class PageRedis(PageStore):
    """One Redis string per page: the header's JSON, a newline, the body; the versions of
    keys in two hashes per generation (structural and live; the structural one holds the
    write sequence number under "_", and a hash without it was lost: a new generation).
    A page is read and checked, or checked and stored, by one script. Commands time out
    after REDIS_TIMEOUT and are not retried: a miss is cheaper than a wait."""

    failures = (redis.RedisError, OSError, ValueError)
    MAX_VERSIONS = 500_000  # keys in a generation's hash before a new generation starts

    _GET = """
local v = redis.call('GET', KEYS[1])
if not v or redis.call('HEXISTS', KEYS[2], '_') == 0 then return false end
local nl = string.find(v, '\\n', 1, true)
local deps = cjson.decode(string.sub(v, 1, nl - 1))['d']
local moved, live = 0, 0
if #deps > 0 then
  local s = redis.call('HMGET', KEYS[2], unpack(deps))
  local l = redis.call('HMGET', KEYS[3], unpack(deps))
  for i = 1, #deps do
    if s[i] and tonumber(s[i]) > moved then moved = tonumber(s[i]) end
    if l[i] and tonumber(l[i]) > live then live = tonumber(l[i]) end
  end
end
return {v, moved, live}
"""
    _SET = """
if redis.call('HEXISTS', KEYS[2], '_') == 0 then return 0 end
local deps = cjson.decode(ARGV[3])
local seq = tonumber(ARGV[4])
if #deps > 0 then
  local s = redis.call('HMGET', KEYS[2], unpack(deps))
  for i = 1, #deps do
    if s[i] and tonumber(s[i]) > seq then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""
    _BUMP = """
if redis.call('HEXISTS', KEYS[1], '_') == 0 then return -1 end
local seq = redis.call('HINCRBY', KEYS[1], '_', 1)
local n = tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('HSET', i <= n + 1 and KEYS[1] or KEYS[2], ARGV[i], seq)
end
return redis.call('HLEN', KEYS[1])
"""

    def __init__(self, url, ttl, prefix, timeout=REDIS_TIMEOUT):
        super().__init__(ttl)
        self.prefix = prefix
        self.client = redis.Redis.from_url(url, socket_timeout=timeout,
                                           socket_connect_timeout=timeout,
                                           retry=Retry(NoBackoff(), 0))
        self._get_script = self.client.register_script(self._GET)
        self._set_script = self.client.register_script(self._SET)
        self._bump_script = self.client.register_script(self._BUMP)
        self._token = None  # the generation this process last read

    def _hashes(self):
        token = self._token or self._get_generation() or ""
        return self.prefix + "v:" + token, self.prefix + "l:" + token

    def _get(self, key):
        found = self._get_script(keys=[self.prefix + key, *self._hashes()])
        if not found:
            return None
        value, moved, live = found
        header, _, body = value.partition(b"\n")
        header = json.loads(header)
        return Found(body, header["a"], _drawn(header), int(moved), int(live))

    def _set(self, key, body, actions, drawn):
        value = _header(actions, drawn).encode() + b"\n" + body
        return bool(self._set_script(keys=[self.prefix + key, *self._hashes()],
                                     args=[value, self.ttl, json.dumps(list(drawn.deps)),
                                           drawn.seq]))

    def _seq(self):
        found = self.client.hget(self._hashes()[0], "_")
        if found is None:  # the versions were lost: nothing stored is to be trusted
            self._stale = True
            return None
        return int(found)

    def _bump_keys(self, structural, live):
        size = self._bump_script(keys=list(self._hashes()),
                                 args=[len(structural), *structural, *live])
        if size < 0 or size > self.MAX_VERSIONS:
            self._stale = True

    def _get_generation(self):
        found = self.client.get(self.prefix + GENERATION_KEY)
        token = found.decode() if found is not None else None
        if token is not None and not self.client.hexists(self.prefix + "v:" + token, "_"):
            token = None
        self._token = token
        return token

    def _set_generation(self, token):
        old = self._token
        pipe = self.client.pipeline()
        pipe.hset(self.prefix + "v:" + token, "_", 0)
        pipe.set(self.prefix + GENERATION_KEY, token)
        if old and old != token:
            pipe.unlink(self.prefix + "v:" + old, self.prefix + "l:" + old)
        pipe.execute()
        self._token = token
