package dev.sluice.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The Lua script that keeps one shared quota in Redis: the RPM and TPM buckets of every JVM sharing it, in one
 * hash, changed only by this script so each operation is atomic and one round trip.
 *
 * <h2>Keys</h2>
 * {@code KEYS[1]} = {@code sluice:{<quota>}:bucket}, a hash: {@code ts} (last update, ms of Redis server time),
 * {@code r}/{@code rf} (requests: whole tokens, and the fraction accrued toward the next one), {@code t}/{@code tf}
 * (tokens, likewise), {@code p} (paused until, ms). {@code KEYS[2]} = {@code sluice:{<quota>}:replicas}, a sorted
 * set of the JVMs seen recently (score = their last heartbeat). The braces are a hash tag: both keys of a quota
 * live in one Redis Cluster slot. The bucket key expires once it would be full again (an absent bucket is a full
 * one), so nothing is left behind.
 *
 * <h2>Arithmetic</h2>
 * Time is Redis's own clock ({@code TIME}, so the JVMs' clocks never matter), in milliseconds. The refill is
 * exact in integers: {@code gained = floor((elapsed * perMinute + fraction) / 60000)}, the remainder kept as the
 * new fraction, so no token is ever lost or invented however often the bucket is touched. Lua numbers are
 * doubles: every intermediate stays below 2^53 (elapsed is split into whole minutes and a rest below 60000, so
 * {@code rest * perMinute < 6e4 * 1e11}); {@code idiv} corrects the one rounding a double division can make;
 * values are written with {@code %.0f}, never in exponent form.
 *
 * <h2>Operations</h2> ({@code ARGV[1]}; limits in {@code ARGV[2..5]} = rpm, request capacity, tpm, token
 * capacity, a limit of 0 meaning that dimension is not limited; amounts in {@code ARGV[6..7]})
 * <ul>
 *   <li>{@code take r t}: both or nothing. Returns {@code {1, 0, 0, 0, rLevel, tLevel}} when taken, else
 *       {@code {0, pauseMs, rWaitMs, tWaitMs, rLevel, tLevel}}: how long until the pause ends and until each bucket
 *       holds enough, so the caller sleeps exactly that long. A request above the capacity is taken when the
 *       bucket is full, into debt (as the local bucket does).</li>
 *   <li>{@code adjust r t}: positive charges (into debt, at most 2^50), negative refunds (never above capacity).
 *       Usage corrections, observe-mode takes and unused grants, batched by the caller.</li>
 *   <li>{@code lower r t [cr ct]}: lowers a level to the given one if it holds more (-1 = leave): the provider's
 *       remaining figures. A JVM re-joining after it admitted from its own share also passes what it admitted
 *       meanwhile ({@code cr ct}), charged first but never below zero (the provider refuses rather than lends).</li>
 *   <li>{@code pause ms} (extends, never shortens), {@code resume}: the provider's 429 pauses every JVM.</li>
 *   <li>{@code view}: {@code {rLevel, tLevel, pauseMs}} without changing anything.</li>
 *   <li>{@code beat member windowMs}: records a JVM's heartbeat, forgets those older than the window, returns how
 *       many remain; {@code leave member} forgets one.</li>
 * </ul>
 */
final class QuotaScript {
    static final String SOURCE = """
            if redis.replicate_commands then redis.replicate_commands() end
            local MIN = 60000
            local DEBT = 1125899906842624
            local op = ARGV[1]
            local OPS = {take = 1, adjust = 1, lower = 1, view = 1, pause = 1, resume = 1, beat = 1, leave = 1}
            if not OPS[op] then return redis.error_reply('sluice quota script: unknown operation ' .. tostring(op)) end
            local key = KEYS[1]
            local clock = redis.call('TIME')
            local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

            local function idiv(a, b)
              local q = math.floor(a / b)
              if q * b > a then q = q - 1 elseif (q + 1) * b <= a then q = q + 1 end
              return q
            end
            local function fmt(x) return string.format('%.0f', x) end

            if op == 'beat' then
              local window = tonumber(ARGV[3])
              redis.call('ZADD', KEYS[2], now, ARGV[2])
              redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
              redis.call('PEXPIRE', KEYS[2], window * 3)
              return redis.call('ZCARD', KEYS[2])
            end
            if op == 'leave' then return redis.call('ZREM', KEYS[2], ARGV[2]) end

            local h = redis.call('HMGET', key, 'ts', 'r', 'rf', 't', 'tf', 'p')
            local pause = tonumber(h[6]) or 0
            if op == 'pause' then
              local untilMs = now + tonumber(ARGV[2])
              if untilMs > pause then
                pause = untilMs
                redis.call('HSET', key, 'p', fmt(pause))
                if redis.call('PTTL', key) < pause - now + 1000 then redis.call('PEXPIRE', key, pause - now + 1000) end
              end
              return pause - now
            end
            if op == 'resume' then
              redis.call('HDEL', key, 'p')
              return 0
            end

            local rpm, rcap = tonumber(ARGV[2]), tonumber(ARGV[3])
            local tpm, tcap = tonumber(ARGV[4]), tonumber(ARGV[5])
            local a1, a2 = tonumber(ARGV[6]) or 0, tonumber(ARGV[7]) or 0
            local ts = tonumber(h[1])
            local dt = 0
            if ts then
              dt = now - ts
              if dt < 0 then dt = 0 elseif dt > 2147483647 then dt = 2147483647 end
            end

            local function refill(level, frac, rate, cap)
              if rate <= 0 then return 0, 0 end
              if level == nil or ts == nil or level >= cap then return cap, 0 end
              local q = idiv(dt, MIN)
              local acc = (dt - q * MIN) * rate + frac
              local g = idiv(acc, MIN)
              level = level + q * rate + g
              if level >= cap then return cap, 0 end
              return level, acc - g * MIN
            end
            local rl, rf = refill(tonumber(h[2]), tonumber(h[3]) or 0, rpm, rcap)
            local tl, tf = refill(tonumber(h[4]), tonumber(h[5]) or 0, tpm, tcap)

            local function wait(level, frac, rate, need)
              if rate <= 0 or level >= need then return 0 end
              local short = need - level
              local nq = idiv(short, rate)
              local x = (short - nq * rate) * MIN - frac
              local c
              if x <= 0 then c = -idiv(-x, rate) else c = idiv(x + rate - 1, rate) end
              return nq * MIN + c
            end
            local function save()
              local ttl = 0
              if pause > now then ttl = pause - now end
              local fields = {'ts', fmt(now)}
              if rpm > 0 then
                fields[#fields + 1] = 'r'
                fields[#fields + 1] = fmt(rl)
                fields[#fields + 1] = 'rf'
                fields[#fields + 1] = fmt(rf)
                ttl = math.max(ttl, wait(rl, rf, rpm, rcap))
              elseif h[2] then
                redis.call('HDEL', key, 'r', 'rf')
              end
              if tpm > 0 then
                fields[#fields + 1] = 't'
                fields[#fields + 1] = fmt(tl)
                fields[#fields + 1] = 'tf'
                fields[#fields + 1] = fmt(tf)
                ttl = math.max(ttl, wait(tl, tf, tpm, tcap))
              elseif h[4] then
                redis.call('HDEL', key, 't', 'tf')
              end
              redis.call('HSET', key, unpack(fields))
              redis.call('PEXPIRE', key, ttl + 1000)
            end

            if op == 'take' then
              local wp, wr, wt = 0, 0, 0
              if pause > now then wp = pause - now end
              if rpm > 0 and a1 > 0 then wr = wait(rl, rf, rpm, math.min(a1, rcap)) end
              if tpm > 0 and a2 > 0 then wt = wait(tl, tf, tpm, math.min(a2, tcap)) end
              if wp > 0 or wr > 0 or wt > 0 then return {0, wp, wr, wt, rl, tl} end
              if rpm > 0 then rl = math.max(rl - a1, -DEBT) end
              if tpm > 0 then tl = math.max(tl - a2, -DEBT) end
              save()
              return {1, 0, 0, 0, rl, tl}
            end
            if op == 'adjust' then
              if rpm > 0 then
                if a1 > 0 then rl = math.max(rl - a1, -DEBT) elseif a1 < 0 then rl = math.min(rl - a1, rcap) end
              end
              if tpm > 0 then
                if a2 > 0 then tl = math.max(tl - a2, -DEBT) elseif a2 < 0 then tl = math.min(tl - a2, tcap) end
              end
              save()
              return {rl, tl}
            end
            if op == 'lower' then
              local c1, c2 = tonumber(ARGV[8]) or 0, tonumber(ARGV[9]) or 0
              if rpm > 0 then
                if c1 > 0 and rl > 0 then rl = math.max(0, rl - c1) end
                if a1 >= 0 and a1 < rl then rl = a1 end
              end
              if tpm > 0 then
                if c2 > 0 and tl > 0 then tl = math.max(0, tl - c2) end
                if a2 >= 0 and a2 < tl then tl = a2 end
              end
              save()
              return {rl, tl}
            end
            if op == 'view' then
              local wp = 0
              if pause > now then wp = pause - now end
              return {rl, tl, wp}
            end
            """;

    static final String SHA = sha1(SOURCE);

    private QuotaScript() {
    }

    private static String sha1(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder(40);
            for (byte b : d) sb.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
