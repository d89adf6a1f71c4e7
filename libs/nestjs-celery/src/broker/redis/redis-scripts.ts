/**
 * Lua scripts of the Redis broker: the steps that must be atomic, as BullMQ keeps them (one
 * script per step). Keys outside KEYS are only touched by the parking mover (target lists
 * computed when the message was parked); this transport, like kombu's, runs on one Redis node.
 */

/**
 * Pops up to ARGV[1] messages from the lists KEYS[3..] in order (priority 0 first) and, unless
 * ARGV[3] is '1' (no ack), records each in kombu's `unacked` hash (KEYS[1]: tag → `[payload,
 * exchange, routing_key]`) and `unacked_index` sorted set (KEYS[2]: tag → ARGV[2], the time in
 * seconds), in the same step, so a crash never loses a popped message. ARGV[4], when given, is a
 * message the caller already took with BRPOP: it is recorded first (kombu's `QoS.append` after
 * its BRPOP) and not returned. Returns `[list, payload, list, payload, …]`; a payload kombu could
 * not read is returned unrecorded.
 */
export const POP_SCRIPT = `
local want = tonumber(ARGV[1])
local acked = ARGV[3] ~= '1'
local out = {}
local function record(item)
  local ok, msg = pcall(cjson.decode, item)
  if ok and type(msg) == 'table' and type(msg.properties) == 'table' and type(msg.properties.delivery_tag) == 'string' then
    local info = msg.properties.delivery_info
    local ex, rk = '', ''
    if type(info) == 'table' then
      if type(info.exchange) == 'string' then ex = info.exchange end
      if type(info.routing_key) == 'string' then rk = info.routing_key end
    end
    local tag = msg.properties.delivery_tag
    redis.call('HSET', KEYS[1], tag, '[' .. item .. ',' .. cjson.encode(ex) .. ',' .. cjson.encode(rk) .. ']')
    redis.call('ZADD', KEYS[2], ARGV[2], tag)
  end
end
if acked and ARGV[4] then record(ARGV[4]) end
for i = 3, #KEYS do
  if want <= 0 then break end
  local items = redis.call('RPOP', KEYS[i], want)
  if items then
    for _, item in ipairs(items) do
      if acked then record(item) end
      out[#out + 1] = KEYS[i]
      out[#out + 1] = item
    end
    want = want - #items
  end
end
return out
`;

/**
 * Settles one unacknowledged message if it is still recorded (KEYS[1] unacked, KEYS[2] index;
 * ARGV[1] its tag): removes it from both and pushes ARGV[2] (its new payload) onto KEYS[3..]
 * (LPUSH: behind the waiting messages; RPUSH when ARGV[3] is '1': next to be read). Returns 0
 * when another process restored it first, so a message is never restored twice.
 */
export const RESTORE_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
for i = 3, #KEYS do
  if ARGV[3] == '1' then redis.call('RPUSH', KEYS[i], ARGV[2]) else redis.call('LPUSH', KEYS[i], ARGV[2]) end
end
return 1
`;

/**
 * Moves up to 100 parked messages whose time (score) is at or before ARGV[1] out of the sorted
 * set KEYS[1] onto their target lists (each member is JSON `[[list, …], payload]`). Returns the
 * number moved.
 */
export const UNPARK_SCRIPT = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  local ok, rec = pcall(cjson.decode, member)
  if ok and type(rec) == 'table' and type(rec[1]) == 'table' and type(rec[2]) == 'string' then
    for _, list in ipairs(rec[1]) do redis.call('LPUSH', list, rec[2]) end
  end
end
return #due
`;

/** Releases the mutex KEYS[1] if ARGV[1] still owns it (redis-py's `Lock.release`, which kombu's `Mutex` uses). */
export const UNLOCK_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Publishes through a direct exchange in one step, as kombu's `DirectExchange.deliver`: reads the
 * binding set KEYS[1] (`routing_key \x06\x16 pattern \x06\x16 queue` entries) and LPUSHes ARGV[4]
 * onto `ARGV[2] .. queue .. ARGV[3]` (key prefix, priority suffix) for every entry whose routing
 * key equals ARGV[1]. Returns the number of queues.
 */
export const PUBLISH_DIRECT_SCRIPT = `
local sep = '\\6\\22'
local pushed = {}
local n = 0
for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local a = string.find(entry, sep, 1, true)
  if a then
    local key = string.sub(entry, 1, a - 1)
    local b = string.find(entry, sep, a + 2, true)
    if b and key == ARGV[1] then
      local queue = string.sub(entry, b + 2)
      if queue ~= '' and not pushed[queue] then
        pushed[queue] = true
        redis.call('LPUSH', ARGV[2] .. queue .. ARGV[3], ARGV[4])
        n = n + 1
      end
    end
  end
end
return n
`;
