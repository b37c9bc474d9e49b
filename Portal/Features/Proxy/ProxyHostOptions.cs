namespace Portal.Features.Proxy;

/// <summary>The proxy host's forwarding settings (section <c>Proxy</c>, beside the key and rate-limit settings).</summary>
public sealed class ProxyHostOptions
{
    public const string Section = "Proxy";

    /// <summary>How long the instance may stay silent (before answering, or between parts of a body) before the client gets 504.</summary>
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening a connection to an instance may take before the client gets 502.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest request body passed on, in bytes (413 above it).</summary>
    public long MaxRequestBodySize { get; set; } = 1024 * 1024;

    /// <summary>How long a pooled connection to an instance is kept (so DNS changes of Services are picked up).</summary>
    public TimeSpan PooledConnectionLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Routes public keys may call: <c>"METHOD pattern"</c> (METHOD may be <c>*</c>). Defaults in <see cref="DefaultPublicRoutes"/>.</summary>
    public List<string> PublicRoutes { get; set; } = [];

    /// <summary>Routes each secret-key scope grants: <c>"scope METHOD pattern"</c>. Defaults in <see cref="DefaultScopeRoutes"/>.</summary>
    public List<string> ScopeRoutes { get; set; } = [];

    /// <summary>The largest JSON body of a sign-up, sign-in or refresh answer read for the user's id (MAU) when the header is absent.</summary>
    public int MaxUserIdBodySize { get; set; } = 64 * 1024;

    public static readonly IReadOnlyList<string> DefaultPublicRoutes =
    [
        "* auth/sign-up",
        "* auth/sign-in",
        "* auth/refresh",
        "* auth/session",
        "* .well-known/**",
    ];

    public static readonly IReadOnlyList<string> DefaultScopeRoutes =
    [
        "users:read GET users/**",
        "users:write POST users/**",
        "users:write PUT users/**",
        "users:write PATCH users/**",
        "users:write DELETE users/**",
        "sessions:read GET sessions/**",
        "sessions:write POST sessions/**",
        "sessions:write DELETE sessions/**",
        "tokens:verify POST tokens/verify",
        "organizations:read GET organizations/**",
        "organizations:write POST organizations/**",
        "organizations:write PUT organizations/**",
        "organizations:write PATCH organizations/**",
        "organizations:write DELETE organizations/**",
        "admin * admin/**",
    ];
}
