using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.RateLimiting;
using Portal.Core.Workspaces;
using StackExchange.Redis;

namespace Portal.Core.Proxy;

/// <summary>
/// The per-key rate limit of the plan, shared by every proxy replica: GCRA (a leaky bucket of <c>Requests</c> per
/// <c>Period</c>, bursts up to <c>Requests</c>) in one atomic Lua script on Redis's clock. When Redis fails, each replica
/// limits on its own with the same algorithm in memory (so the limit is per replica meanwhile) and tries Redis again
/// after <see cref="ProxyKeyOptions.RedisRetryInterval"/>, so it recovers without a restart.
/// </summary>
public sealed partial class ProxyRateLimiter(IConnectionMultiplexer redis, IOptions<ProxyKeyOptions> options, TimeProvider clock, ILogger<ProxyRateLimiter> logger)
{
    // For each request i (from 0): KEYS[3i+1] the key's bucket, KEYS[3i+2] the workspace's monthly request counter,
    // KEYS[3i+3] that counter under its name before hash tags (its count is moved into the new one; the counter itself
    // when there is nothing to move); ARGV[4i+1] the period and ARGV[4i+2] the emission interval (period / requests),
    // in µs; ARGV[4i+3] the monthly limit (0 = none) and ARGV[4i+4] the counter's lifetime in seconds. Returns, per
    // request, five numbers: allowed (0/1), remaining, µs until the bucket is full, µs before a refused request may be
    // retried, and 1 when the monthly quota refused it (its bucket is then left untouched). Requests of one key in one
    // call are taken in order. The three keys of a request share the hash tag of its workspace (one Cluster slot).
    private const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local out = {}
        for i = 0, #KEYS / 3 - 1 do
          local bucket, counter, legacy = KEYS[3 * i + 1], KEYS[3 * i + 2], KEYS[3 * i + 3]
          local period = tonumber(ARGV[4 * i + 1])
          local emission = tonumber(ARGV[4 * i + 2])
          local quota = tonumber(ARGV[4 * i + 3])
          if quota > 0 and legacy ~= counter then
            local old = redis.call('GET', legacy)
            if old then
              redis.call('DEL', legacy)
              redis.call('INCRBY', counter, old)
              redis.call('EXPIRE', counter, tonumber(ARGV[4 * i + 4]))
            end
          end
          local tat = tonumber(redis.call('GET', bucket))
          if not tat or tat < now then tat = now end
          local new_tat = tat + emission
          local allow_at = new_tat - period
          local r
          if now < allow_at then
            r = {0, 0, tat - now, allow_at - now, 0}
          else
            local refused = false
            if quota > 0 then
              local used = tonumber(redis.call('GET', counter))
              if used and used >= quota then
                r = {0, math.floor((period - (tat - now)) / emission), tat - now, 0, 1}
                refused = true
              elseif redis.call('INCR', counter) == 1 then
                redis.call('EXPIRE', counter, tonumber(ARGV[4 * i + 4]))
              end
            end
            if not refused then
              redis.call('SET', bucket, string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
              r = {1, math.floor((period - (new_tat - now)) / emission), new_tat - now, 0, 0}
            end
          end
          for j = 1, 5 do out[#out + 1] = r[j] end
        end
        return out
        """;

    /// <summary>A month's counter outlives the month (up to 31 days) by a margin, then goes.</summary>
    private const long QuotaLifetimeSeconds = 40L * 24 * 3600;

    private readonly ProxyKeyOptions _options = options.Value;
    private readonly LocalLimiterTable<LocalBucket> _local = new(options.Value.LocalCacheCapacity, clock);
    private readonly RedisOutageGate _redisGate = new(options.Value.RedisRetryInterval, clock);
    private readonly Func<string, LocalBucket> _newBucket = _ => new LocalBucket(clock.TimestampFrequency);
    private readonly Lock _gate = new();
    private List<PendingRequest> _pending = [];
    private List<PendingRequest> _spare = [];
    private bool _sending;
    private long _scriptCalls;
    private bool? _cluster;
    private MonthText _month = new(0, 0, "");

    /// <summary>Script calls sent to Redis (each decides every request that was waiting).</summary>
    public long ScriptCalls => Interlocked.Read(ref _scriptCalls);

    /// <summary>Whether the last decisions came from this replica's own limiter (Redis unavailable).</summary>
    public bool Degraded => _redisGate.Degraded;

    /// <summary>
    /// Takes one request from <paramref name="keyId"/>'s bucket and, when <paramref name="workspaceId"/> is given and
    /// the plan has a monthly quota (<see cref="ProxyKeyOptions.RateLimit.MonthlyRequests"/>), counts it against the
    /// workspace's month in the same round trip. The quota is not enforced while Redis is away (allowed, not counted).
    /// </summary>
    public ValueTask<RateLimitDecision> AcquireAsync(string keyId, WorkspacePlan plan, string? workspaceId = null)
    {
        var limit = _options.LimitFor(plan);
        var period = (long)(limit.Period.Ticks / 10);
        var emission = period / Math.Max(1, limit.Requests);
        if (Degraded)
        {
            return new(AcquireLocal(keyId, limit.Requests, period, emission));
        }

        var quota = workspaceId is null ? 0 : limit.MonthlyRequests;
        var (bucket, counter, legacy) = KeysOf(keyId, workspaceId, quota > 0);
        var request = new PendingRequest(keyId, limit.Requests, period, emission, quota)
        {
            BucketKey = bucket,
            CounterKey = counter,
            LegacyCounterKey = legacy,
        };
        bool send;
        lock (_gate)
        {
            _pending.Add(request);
            send = !_sending;
            _sending = true;
        }

        if (send)
        {
            _ = SendAsync();
        }

        return new(request.Decision.Task);
    }

    /// <summary>
    /// One script call for every request that arrived while the previous call was on its way: under load, Redis runs
    /// one script per round trip instead of one per request; alone, a request is sent at once.
    /// </summary>
    private async Task SendAsync()
    {
        while (true)
        {
            List<PendingRequest> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _sending = false;
                    return;
                }

                // Swap the lists instead of copying: the next arrivals queue into the emptied one.
                batch = _pending;
                _pending = _spare;
                _spare = batch;
            }

            await DecideAsync(batch);
            batch.Clear();
        }
    }

    private async Task DecideAsync(List<PendingRequest> batch)
    {
        if (Degraded)
        {
            CompleteLocally(batch);
            return;
        }

        try
        {
            var cluster = _cluster ??= redis.GetServers().Any(server => server.ServerType == ServerType.Cluster);
            if (!cluster)
            {
                // One server holds every slot: the whole batch is one script call.
                await DecideOnOneSlotAsync(batch, 0, batch.Count, cluster);
            }
            else
            {
                // A script call may only touch one slot: one call per slot (each keeps its requests' order), sent together.
                await Task.WhenAll(batch.GroupBy(Slot).Select(slot => slot.ToList()).Select(group => DecideOnOneSlotAsync(group, 0, group.Count, cluster)));
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            _cluster = null;
            _redisGate.Trip();
            LogRedisFailed(logger, e.Message);
            CompleteLocally(batch);
        }
        catch (Exception e)
        {
            foreach (var r in batch)
            {
                r.Decision.TrySetException(e);
            }
        }
    }

    /// <summary>Decides <paramref name="batch"/>[start..end) in one script call (the caller made sure it is one slot in a cluster).</summary>
    private async Task DecideOnOneSlotAsync(List<PendingRequest> batch, int start, int end, bool cluster)
    {
        var count = end - start;
        var keys = new RedisKey[count * 3];
        var values = new RedisValue[count * 4];
        for (var i = 0; i < count; i++)
        {
            var r = batch[start + i];
            keys[3 * i] = r.BucketKey;
            keys[(3 * i) + 1] = r.CounterKey;
            // The counter's name before hash tags lives in another slot: only a single server can still move it.
            keys[(3 * i) + 2] = cluster ? r.CounterKey : r.LegacyCounterKey;
            values[4 * i] = r.Period;
            values[(4 * i) + 1] = r.Emission;
            values[(4 * i) + 2] = r.Quota;
            values[(4 * i) + 3] = QuotaLifetimeSeconds;
        }

        Interlocked.Increment(ref _scriptCalls);
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Script, keys, values))!;
        for (var i = 0; i < count; i++)
        {
            var r = batch[start + i];
            var quotaExceeded = (int)result[(5 * i) + 4] == 1;
            r.Decision.TrySetResult(new RateLimitDecision(
                (int)result[5 * i] == 1, r.Requests, (int)result[(5 * i) + 1],
                TimeSpan.FromMicroseconds((long)result[(5 * i) + 2]),
                quotaExceeded ? UntilNextMonth() : TimeSpan.FromMicroseconds((long)result[(5 * i) + 3]), Shared: true)
            { QuotaExceeded = quotaExceeded });
        }
    }

    private int Slot(PendingRequest request) => redis.HashSlot(request.BucketKey);

    private void CompleteLocally(List<PendingRequest> batch)
    {
        foreach (var r in batch)
        {
            r.Decision.TrySetResult(AcquireLocal(r.KeyId, r.Requests, r.Period, r.Emission));
        }
    }

    private sealed class PendingRequest(string keyId, int requests, long period, long emission, long quota)
    {
        public string KeyId => keyId;

        public int Requests => requests;

        public long Period => period;

        public long Emission => emission;

        public long Quota => quota;

        public RedisKey BucketKey { get; init; }

        public RedisKey CounterKey { get; init; }

        public RedisKey LegacyCounterKey { get; init; }

        public TaskCompletionSource<RateLimitDecision> Decision { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// The hash tag of a request's keys: its workspace (bucket and monthly counter in one slot), or its key when no
    /// workspace is given.
    /// </summary>
    private static string Tag(string keyId, string? workspaceId) => workspaceId is null ? "{key:" + keyId + "}" : "{ws:" + workspaceId + "}";

    /// <summary>The Redis keys one request's script call touches: bucket, monthly counter, and the counter's name before hash tags.</summary>
    internal (RedisKey Bucket, RedisKey Counter, RedisKey LegacyCounter) KeysOf(string keyId, string? workspaceId, bool quota)
    {
        var tagged = _options.RedisKeyPrefix + Tag(keyId, workspaceId);
        if (!quota || workspaceId is null)
        {
            var none = tagged + ":quota:none";
            return (tagged + ":rl:" + keyId, none, none);
        }

        return (tagged + ":rl:" + keyId, QuotaKey(workspaceId), _options.RedisKeyPrefix + "quota:" + workspaceId + ":" + CurrentMonth());
    }

    /// <summary>The Redis counter of <paramref name="workspaceId"/>'s requests in the current UTC month (tagged by the workspace).</summary>
    public string QuotaKey(string workspaceId) => _options.RedisKeyPrefix + "{ws:" + workspaceId + "}:quota:" + CurrentMonth();

    private string CurrentMonth()
    {
        var now = clock.GetUtcNow();
        var cached = _month;
        if (cached.Year == now.Year && cached.Month == now.Month)
        {
            return cached.Text;
        }

        var text = now.ToString("yyyyMM", CultureInfo.InvariantCulture);
        _month = new MonthText(now.Year, now.Month, text);
        return text;
    }

    private TimeSpan UntilNextMonth()
    {
        var now = clock.GetUtcNow();
        var next = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        return next - now;
    }

    private sealed record MonthText(int Year, int Month, string Text);

    /// <summary>Keys this replica limits on its own (Redis away), for tests.</summary>
    internal int LocalBuckets => _local.Count;

    private RateLimitDecision AcquireLocal(string keyId, int requests, long period, long emission)
    {
        var bucket = _local.GetOrAdd(keyId, _newBucket);
        var now = LocalBucket.Microseconds(clock.GetTimestamp(), clock.TimestampFrequency);
        lock (bucket)
        {
            var tat = Math.Max(bucket.Tat, now);
            var newTat = tat + emission;
            var allowAt = newTat - period;
            if (now < allowAt)
            {
                return new RateLimitDecision(false, requests, 0, TimeSpan.FromMicroseconds(tat - now), TimeSpan.FromMicroseconds(allowAt - now), Shared: false);
            }

            bucket.Tat = newTat;
            return new RateLimitDecision(true, requests, (int)((period - (newTat - now)) / emission), TimeSpan.FromMicroseconds(newTat - now), TimeSpan.Zero, Shared: false);
        }
    }

    /// <summary>A key's GCRA state on this replica: the theoretical arrival time, in µs of the limiter's clock.</summary>
    private sealed class LocalBucket(long timestampFrequency) : ILocalLimiterState
    {
        public long Tat { get; set; }

        /// <summary>A timestamp of the clock in µs, the unit of the GCRA arithmetic (the same as the script's).</summary>
        public static long Microseconds(long timestamp, long frequency) => (long)((Int128)timestamp * 1_000_000 / frequency);

        /// <summary>A bucket whose arrival time has passed is full again: a new one decides the same.</summary>
        public bool IsStale(long now)
        {
            lock (this)
            {
                return Tat <= Microseconds(now, timestampFrequency);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Redis is unavailable for rate limiting, each proxy replica limits on its own meanwhile: {Reason}")]
    private static partial void LogRedisFailed(ILogger logger, string reason);
}
