using System.Globalization;
using StackExchange.Redis;

namespace Portal.Core.Usage;

/// <summary>
/// Events gathered by the writer between two flushes, aggregated per application and minute. Once sealed, a batch
/// becomes a fixed list of script calls, each with its own token, so that sending it again after a failure (or after a
/// reply lost with the connection) applies each call exactly once.
/// </summary>
internal sealed class UsageBatch
{
    private const int BucketsPerCall = 256;
    private const int MauIdsPerCall = 4_000;
    private const int MauIdsPerPfadd = 1_000;

    public Dictionary<(string ApplicationId, long Minute), MinuteAggregate> Buckets { get; } = [];

    public Dictionary<string, long> LastUsed { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string ApplicationId, int Year, int Month), HashSet<string>> Mau { get; } = [];

    public long Events { get; private set; }

    public IReadOnlyList<RedisValue[]>? Calls { get; private set; }

    public void Add(in UsageEvent usage)
    {
        Events++;
        var unixMs = usage.Timestamp.ToUnixTimeMilliseconds();
        var minute = Math.DivRem(unixMs, 60_000, out var rest) - (rest < 0 ? 1 : 0);
        if (!Buckets.TryGetValue((usage.ApplicationId, minute), out var bucket))
        {
            bucket = new MinuteAggregate();
            Buckets[(usage.ApplicationId, minute)] = bucket;
        }

        bucket.Status[usage.StatusClassIndex]++;
        bucket.BytesIn += usage.BytesIn;
        bucket.BytesOut += usage.BytesOut;
        bucket.Latency[LatencyHistogram.BucketOf(usage.LatencyMicroseconds)]++;

        if (usage.KeyId is { } keyId && (!LastUsed.TryGetValue(keyId, out var last) || last < unixMs))
        {
            LastUsed[keyId] = unixMs;
        }

        if (usage.MauUserId is { Length: > 0 } userId)
        {
            var utc = usage.Timestamp.UtcDateTime;
            if (!Mau.TryGetValue((usage.ApplicationId, utc.Year, utc.Month), out var users))
            {
                users = new HashSet<string>(StringComparer.Ordinal);
                Mau[(usage.ApplicationId, utc.Year, utc.Month)] = users;
            }

            users.Add(userId);
        }
    }

    /// <summary>
    /// Turns the batch into the arguments of <see cref="FlushScript"/> calls:
    /// token, token TTL, open set, last-used hash, MAU TTL, then the buckets, the key times and the MAU sets, each list
    /// preceded by its length.
    /// </summary>
    public IReadOnlyList<RedisValue[]> Seal(MeteringKeys keys, TimeSpan mauRetention)
    {
        if (Calls is not null)
        {
            return Calls;
        }

        var token = Guid.NewGuid().ToString("N");
        var calls = new List<RedisValue[]>();
        var args = new List<RedisValue>();
        var mauSeconds = (long)mauRetention.TotalSeconds;

        void Start()
        {
            args.Clear();
            args.Add(keys.FlushToken(token + ":" + calls.Count.ToString(CultureInfo.InvariantCulture)));
            args.Add(86_400);
            args.Add(keys.OpenSet);
            args.Add(keys.LastUsed);
            args.Add(mauSeconds);
        }

        // Buckets and last-used times (small) go in the first calls; MAU ids (possibly many) in their own.
        var bucketList = Buckets.ToList();
        for (var offset = 0; offset < Math.Max(bucketList.Count, 1); offset += BucketsPerCall)
        {
            Start();
            var slice = bucketList.Skip(offset).Take(BucketsPerCall).ToList();
            args.Add(slice.Count);
            foreach (var ((applicationId, minute), bucket) in slice)
            {
                args.Add(keys.Bucket(applicationId, minute));
                var countIndex = args.Count;
                args.Add(0);
                var fields = 0;
                for (var i = 0; i < bucket.Status.Length; i++)
                {
                    if (bucket.Status[i] != 0)
                    {
                        args.Add("s" + (i + 1).ToString(CultureInfo.InvariantCulture));
                        args.Add(bucket.Status[i]);
                        fields++;
                    }
                }

                if (bucket.BytesIn != 0)
                {
                    args.Add("bi");
                    args.Add(bucket.BytesIn);
                    fields++;
                }

                if (bucket.BytesOut != 0)
                {
                    args.Add("bo");
                    args.Add(bucket.BytesOut);
                    fields++;
                }

                for (var i = 0; i < bucket.Latency.Length; i++)
                {
                    if (bucket.Latency[i] != 0)
                    {
                        args.Add("h" + i.ToString(CultureInfo.InvariantCulture));
                        args.Add(bucket.Latency[i]);
                        fields++;
                    }
                }

                args[countIndex] = fields;
            }

            if (offset == 0)
            {
                args.Add(LastUsed.Count);
                foreach (var (keyId, unixMs) in LastUsed)
                {
                    args.Add(keyId);
                    args.Add(unixMs);
                }
            }
            else
            {
                args.Add(0);
            }

            args.Add(0);
            calls.Add([.. args]);
        }

        foreach (var ((applicationId, year, month), users) in Mau)
        {
            var key = keys.Mau(applicationId, year, month);
            foreach (var chunk in users.Chunk(MauIdsPerCall))
            {
                Start();
                args.Add(0);
                args.Add(0);
                var pfadds = chunk.Chunk(MauIdsPerPfadd).ToList();
                args.Add(pfadds.Count);
                foreach (var ids in pfadds)
                {
                    args.Add(key);
                    args.Add(ids.Length);
                    foreach (var id in ids)
                    {
                        args.Add(id);
                    }
                }

                calls.Add([.. args]);
            }
        }

        Calls = calls;
        return calls;
    }

    /// <summary>Applies one call at most once (its token is remembered for a day). Keys are not declared: a single Redis, not a cluster.</summary>
    public const string FlushScript = """
        if not redis.call('SET', ARGV[1], '1', 'NX', 'EX', ARGV[2]) then return 0 end
        local i = 6
        local buckets = tonumber(ARGV[i]); i = i + 1
        for b = 1, buckets do
          local key = ARGV[i]; local n = tonumber(ARGV[i + 1]); i = i + 2
          for f = 1, n do
            redis.call('HINCRBY', key, ARGV[i], ARGV[i + 1]); i = i + 2
          end
          redis.call('SADD', ARGV[3], key)
        end
        local keys = tonumber(ARGV[i]); i = i + 1
        for k = 1, keys do
          local current = tonumber(redis.call('HGET', ARGV[4], ARGV[i]) or '0')
          if tonumber(ARGV[i + 1]) > current then redis.call('HSET', ARGV[4], ARGV[i], ARGV[i + 1]) end
          i = i + 2
        end
        local sets = tonumber(ARGV[i]); i = i + 1
        for s = 1, sets do
          local key = ARGV[i]; local n = tonumber(ARGV[i + 1]); i = i + 2
          redis.call('PFADD', key, unpack(ARGV, i, i + n - 1))
          redis.call('EXPIRE', key, ARGV[5])
          i = i + n
        end
        return 1
        """;
}
