/*
 * Lua scripts of the Redis outbox. Each script runs atomically on the server: no other client's
 * command runs between its reads and writes, which is what makes claim, settle and replay safe
 * with several hookmux processes on one Redis.
 *
 * Every script gets the key prefix (`<prefix>:`) as ARGV[1] and builds its keys from it, so the
 * scripts touch keys they were not given in KEYS: fine on one Redis (with replicas or Sentinel),
 * not supported on Redis Cluster.
 *
 * Keys (P = `<prefix>:`), ids are zero-padded decimal (15 digits), sortable as strings and exact
 * as sorted-set scores:
 *   P seq                     counter of delivery ids
 *   P d:<id>                  hash: one delivery row
 *   P e:<eventId>             string: the stored event (encodeStoredEvent: deflated HookEvent JSON)
 *   P erefs                   hash: eventId → rows referring to it (purge deletes at 0)
 *   P dedup                   hash: JSON [eventId, sink] → id
 *   P all                     zset: every row (score = id)
 *   P sinks                   set: sinks with rows
 *   P sk:<sink>               zset: rows of a sink (score = id)
 *   P st:<status>             zset: rows in a status (score = id)
 *   P ss:<status>:<sink>      zset: rows of a sink in a status (score = id)
 *   P u:<sink>                zset: unsent rows of a sink (score = id): the lane order
 *   P n:<sink>                zset: unsent rows of a sink (score = nextAttemptAt): due counts
 *   P upd:<sent|dead>         zset: finished rows (score = updatedAt): purge
 */

/** Helpers shared by the scripts: every change of a row goes through `update` so indexes follow. */
const lib = `
local P = ARGV[1]
local UNSENT = { pending = true, retrying = true }
local FINISHED = { sent = true, dead = true }

local function pad(n)
  return string.format('%015.0f', n)
end

local function index(id, sink, status, nextAt, updatedAt)
  local s = tonumber(id)
  redis.call('ZADD', P .. 'st:' .. status, s, id)
  redis.call('ZADD', P .. 'ss:' .. status .. ':' .. sink, s, id)
  if UNSENT[status] then
    redis.call('ZADD', P .. 'u:' .. sink, s, id)
    redis.call('ZADD', P .. 'n:' .. sink, nextAt, id)
  end
  if FINISHED[status] then redis.call('ZADD', P .. 'upd:' .. status, updatedAt, id) end
end

local function unindex(id, sink, status)
  redis.call('ZREM', P .. 'st:' .. status, id)
  redis.call('ZREM', P .. 'ss:' .. status .. ':' .. sink, id)
  if UNSENT[status] then
    redis.call('ZREM', P .. 'u:' .. sink, id)
    redis.call('ZREM', P .. 'n:' .. sink, id)
  end
  if FINISHED[status] then redis.call('ZREM', P .. 'upd:' .. status, id) end
end

-- Applies changes (field → value; false deletes the field) to row id; false when there is no row.
local function update(id, changes)
  local key = P .. 'd:' .. id
  local cur = redis.call('HMGET', key, 'sink', 'status', 'nextAttemptAt', 'updatedAt')
  if not cur[1] then return false end
  unindex(id, cur[1], cur[2])
  local sets, dels = {}, {}
  for f, v in pairs(changes) do
    if v == false then
      table.insert(dels, f)
    else
      table.insert(sets, f)
      table.insert(sets, v)
    end
  end
  if #sets > 0 then redis.call('HSET', key, unpack(sets)) end
  if #dels > 0 then redis.call('HDEL', key, unpack(dels)) end
  local status = changes.status or cur[2]
  local nextAt = changes.nextAttemptAt or cur[3]
  local updatedAt = changes.updatedAt or cur[4]
  index(id, cur[1], status, nextAt, updatedAt)
  return true
end

-- Back to pending, as a replay does: attempts reset and outcome cleared when it had finished.
local function replayRow(id, now)
  local status = redis.call('HGET', P .. 'd:' .. id, 'status')
  if not status then return 'missing' end
  if status == 'sending' then return 'in-flight' end
  local changes = { status = 'pending', nextAttemptAt = now, updatedAt = now }
  if FINISHED[status] then
    changes.attempts = '0'
    changes.sentAt = false
    changes.digestId = false
  end
  update(id, changes)
  return 'ok'
end

local function deleteRow(id)
  local key = P .. 'd:' .. id
  local cur = redis.call('HMGET', key, 'sink', 'status', 'eventId')
  if not cur[1] then return false end
  local sink, status, eventId = cur[1], cur[2], cur[3]
  unindex(id, sink, status)
  redis.call('ZREM', P .. 'all', id)
  redis.call('ZREM', P .. 'sk:' .. sink, id)
  redis.call('HDEL', P .. 'dedup', cjson.encode({ eventId, sink }))
  redis.call('DEL', key)
  if redis.call('HINCRBY', P .. 'erefs', eventId, -1) <= 0 then
    redis.call('HDEL', P .. 'erefs', eventId)
    redis.call('DEL', P .. 'e:' .. eventId)
  end
  if redis.call('ZCARD', P .. 'sk:' .. sink) == 0 then redis.call('SREM', P .. 'sinks', sink) end
  return true
end
`;

/**
 * ARGV: P, marker, now, eventId, eventName, eventBody, then per target 6 values: route, routeDir,
 * sink, robotKey, dueAt, batchMs (routeDir, robotKey and batchMs: '' when absent, else '=' +
 * value; dueAt: the time it is first due). Returns [queued,
 * duplicates], or [-1, 0] when the storage marker is not the one this process opened: the keys
 * were flushed (or Redis restarted without persistence) under it, so nothing is accepted.
 */
export const insertScript = `${lib}
if redis.call('GET', P .. 'meta') ~= ARGV[2] then return { -1, 0 } end
local now, eventId, eventName, body = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local queued, duplicates = 0, 0
for i = 7, #ARGV, 6 do
  local route, routeDir, sink, robotKey = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local dueAt, batchMs = ARGV[i + 4], ARGV[i + 5]
  local pair = cjson.encode({ eventId, sink })
  if redis.call('HEXISTS', P .. 'dedup', pair) == 1 then
    duplicates = duplicates + 1
  else
    local id = pad(redis.call('INCR', P .. 'seq'))
    redis.call('HSET', P .. 'dedup', pair, id)
    local fields = {
      'eventId', eventId, 'eventName', eventName, 'route', route, 'sink', sink,
      'status', 'pending', 'attempts', '0', 'nextAttemptAt', dueAt, 'createdAt', now, 'updatedAt', now,
    }
    if batchMs ~= '' then
      table.insert(fields, 'batchMs')
      table.insert(fields, string.sub(batchMs, 2))
    end
    if routeDir ~= '' then
      table.insert(fields, 'routeDir')
      table.insert(fields, string.sub(routeDir, 2))
    end
    if robotKey ~= '' then
      table.insert(fields, 'robotKey')
      table.insert(fields, string.sub(robotKey, 2))
    end
    redis.call('HSET', P .. 'd:' .. id, unpack(fields))
    local s = tonumber(id)
    redis.call('ZADD', P .. 'all', s, id)
    redis.call('ZADD', P .. 'sk:' .. sink, s, id)
    redis.call('SADD', P .. 'sinks', sink)
    index(id, sink, 'pending', dueAt, now)
    redis.call('HINCRBY', P .. 'erefs', eventId, 1)
    queued = queued + 1
  end
end
if queued > 0 then redis.call('SET', P .. 'e:' .. eventId, body, 'NX') end
return { queued, duplicates }
`;

/**
 * ARGV: P, robotKey, now, max, dueBy, sinks... Returns {} (lane empty), {'wait', nextDueAt} (head
 * not due at now) or {'claimed', id...} (now sending, oldest first; rows after the head while due
 * by dueBy).
 */
export const claimScript = `${lib}
local robotKey, now, max, dueBy = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if dueBy < now then dueBy = now end
local headId, headSink, headScore = nil, nil, nil
for i = 6, #ARGV do
  local sink = ARGV[i]
  local first = redis.call('ZRANGE', P .. 'u:' .. sink, 0, 0, 'WITHSCORES')
  if first[1] and (headScore == nil or tonumber(first[2]) < headScore) then
    headId, headSink, headScore = first[1], sink, tonumber(first[2])
  end
end
if headId == nil then return {} end
local headDue = tonumber(redis.call('HGET', P .. 'd:' .. headId, 'nextAttemptAt'))
if headDue > now then return { 'wait', tostring(headDue) } end
local run = redis.call('ZRANGE', P .. 'u:' .. headSink, 0, max - 1)
local out = { 'claimed' }
for _, id in ipairs(run) do
  if tonumber(redis.call('HGET', P .. 'd:' .. id, 'nextAttemptAt')) > dueBy then break end
  update(id, { status = 'sending', robotKey = robotKey, updatedAt = ARGV[3] })
  table.insert(out, id)
end
return out
`;

/** ARGV: P, now, then per settlement 8 values: id, status, attemptsDelta, next, hasError, code, detail, digestId. */
export const settleScript = `${lib}
local now = ARGV[2]
for i = 3, #ARGV, 8 do
  local id, status, delta, nextAt = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local hasError, code, detail, digestId = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7]
  local changes = { status = status, updatedAt = now }
  if nextAt ~= '' then changes.nextAttemptAt = nextAt end
  if hasError == '1' then
    changes.errDetail = detail
    if code == '' then changes.errCode = false else changes.errCode = code end
  end
  if status == 'sent' then
    changes.sentAt = now
    if digestId == '' then changes.digestId = false else changes.digestId = digestId end
  end
  if update(id, changes) and delta ~= '0' then
    redis.call('HINCRBY', P .. 'd:' .. id, 'attempts', tonumber(delta))
  end
end
return 1
`;

/** ARGV: P, now, ids... Sending rows back to unsent as they were. */
export const releaseScript = `${lib}
local now = ARGV[2]
for i = 3, #ARGV do
  local id = ARGV[i]
  local cur = redis.call('HMGET', P .. 'd:' .. id, 'status', 'attempts')
  if cur[1] == 'sending' then
    local status = 'pending'
    if tonumber(cur[2]) > 0 then status = 'retrying' end
    update(id, { status = status, updatedAt = now })
  end
end
return 1
`;

/** ARGV: P, now. Every sending row to pending, due now; returns how many. */
export const recoverScript = `${lib}
local now = ARGV[2]
local ids = redis.call('ZRANGE', P .. 'st:sending', 0, -1)
for _, id in ipairs(ids) do
  update(id, { status = 'pending', nextAttemptAt = now, updatedAt = now })
end
return #ids
`;

/** ARGV: P, now, id. Returns 'ok', 'missing' or 'in-flight'. */
export const replayScript = `${lib}
return replayRow(ARGV[3], ARGV[2])
`;

/** ARGV: P, now, index key suffix (`st:dead` or `ss:dead:<sink>`), chunk. Returns how many. */
export const replayDeadScript = `${lib}
local ids = redis.call('ZRANGE', P .. ARGV[3], 0, tonumber(ARGV[4]) - 1)
for _, id in ipairs(ids) do replayRow(id, ARGV[2]) end
return #ids
`;

/** ARGV: P, status, cutoff, chunk. Deletes finished rows last updated before cutoff; returns how many. */
export const purgeScript = `${lib}
local ids = redis.call('ZRANGEBYSCORE', P .. 'upd:' .. ARGV[2], '-inf', '(' .. ARGV[3], 'LIMIT', 0, tonumber(ARGV[4]))
local n = 0
for _, id in ipairs(ids) do
  if deleteRow(id) then n = n + 1 end
end
return n
`;

/** ARGV: P, now, limit, sinks... Unsent rows due at now, counting no further than limit. */
export const countDueScript = `${lib}
local now, limit, n = ARGV[2], tonumber(ARGV[3]), 0
for i = 4, #ARGV do
  if n >= limit then break end
  n = n + redis.call('ZCOUNT', P .. 'n:' .. ARGV[i], '-inf', now)
end
if n > limit then n = limit end
return n
`;

/** ARGV: P. Returns flat [sink, status, count, oldestCreatedAt, ...]. */
export const countsScript = `${lib}
local out = {}
local statuses = { 'pending', 'sending', 'sent', 'retrying', 'dead' }
for _, sink in ipairs(redis.call('SMEMBERS', P .. 'sinks')) do
  for _, status in ipairs(statuses) do
    local key = P .. 'ss:' .. status .. ':' .. sink
    local n = redis.call('ZCARD', key)
    if n > 0 then
      local oldest = nil
      -- createdAt is the caller's clock: the smallest id is nearly always the oldest, but look a
      -- few rows further for rows queued by a process whose clock ran behind.
      for _, id in ipairs(redis.call('ZRANGE', key, 0, 9)) do
        local c = tonumber(redis.call('HGET', P .. 'd:' .. id, 'createdAt'))
        if oldest == nil or c < oldest then oldest = c end
      end
      table.insert(out, sink)
      table.insert(out, status)
      table.insert(out, n)
      table.insert(out, tostring(oldest))
    end
  end
end
return out
`;

/** ARGV: P, marker, now. 'deleted' / 'replaced' when the marker is gone / another; else writes a probe: 'ok'. */
export const healthScript = `
local P = ARGV[1]
local marker = redis.call('GET', P .. 'meta')
if not marker then return 'deleted' end
if marker ~= ARGV[2] then return 'replaced' end
redis.call('SET', P .. 'probe', ARGV[3], 'PX', 60000)
return 'ok'
`;

/**
 * ARGV: P, pair fields as an insert (eventId, eventName, route, sink), then the row's fields as
 * name/value pairs. Imports one row from the BullMQ outbox of an older hookmux (it carries its
 * rendered `message`, no stored event); skipped when its (event, sink) pair is queued already.
 * Returns 1 when imported.
 */
export const importScript = `${lib}
local eventId, sink = ARGV[2], ARGV[3]
local pair = cjson.encode({ eventId, sink })
if redis.call('HEXISTS', P .. 'dedup', pair) == 1 then return 0 end
local id = pad(redis.call('INCR', P .. 'seq'))
redis.call('HSET', P .. 'dedup', pair, id)
local fields = { 'eventId', eventId, 'sink', sink }
for i = 4, #ARGV do table.insert(fields, ARGV[i]) end
redis.call('HSET', P .. 'd:' .. id, unpack(fields))
local row = redis.call('HMGET', P .. 'd:' .. id, 'status', 'nextAttemptAt', 'updatedAt')
local s = tonumber(id)
redis.call('ZADD', P .. 'all', s, id)
redis.call('ZADD', P .. 'sk:' .. sink, s, id)
redis.call('SADD', P .. 'sinks', sink)
index(id, sink, row[1], row[2], row[3])
redis.call('HINCRBY', P .. 'erefs', eventId, 1)
return 1
`;
