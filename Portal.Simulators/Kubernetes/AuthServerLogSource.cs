using System.Globalization;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The default log: what an AuthSome authentication server plausibly writes, JSON lines with a level, a message
/// and fields; start-up lines first, then requests with the odd warning and error.
/// </summary>
public sealed class AuthServerLogSource : IPodLogSource
{
    private static readonly string[] StartUp =
    [
        "starting authsome server",
        "configuration loaded",
        "connected to postgresql",
        "connected to redis",
        "migrations up to date",
        "listening on :8080",
    ];

    private static readonly (string Level, string Message, string Route, int Status)[] Requests =
    [
        ("info", "token issued", "POST /oauth/token", 200),
        ("info", "user signed in", "POST /login", 200),
        ("info", "session refreshed", "POST /session/refresh", 200),
        ("info", "jwks served", "GET /.well-known/jwks.json", 200),
        ("info", "user info served", "GET /userinfo", 200),
        ("info", "health check", "GET /healthz", 200),
        ("warn", "invalid password", "POST /login", 401),
        ("warn", "rate limit reached", "POST /login", 429),
        ("error", "redis command timed out", "POST /session/refresh", 503),
    ];

    public string Line(PodLogContext context, long index, DateTimeOffset time)
    {
        var ts = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        if (index < StartUp.Length)
        {
            return $"{{\"ts\":\"{ts}\",\"level\":\"info\",\"msg\":\"{StartUp[index]}\",\"pod\":\"{context.Pod}\",\"image\":\"{context.Image}\"}}";
        }

        var seed = Fnv1a($"{context.Namespace}/{context.Pod}/{context.Container}/{index}");
        // Mostly successful requests: the warnings and errors are the last three entries, drawn rarely.
        var pick = seed % 100 < 94 ? (int)(seed % 6) : 6 + (int)(seed % 3);
        var (level, message, route, status) = Requests[pick];
        var latency = 2 + (seed >> 8) % 120;
        var client = $"app_{(seed >> 4) % 9000 + 1000}";
        return $"{{\"ts\":\"{ts}\",\"level\":\"{level}\",\"msg\":\"{message}\",\"route\":\"{route}\",\"status\":{status},\"latency_ms\":{latency},\"client_id\":\"{client}\",\"request_id\":\"{seed:x8}\"}}";
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
