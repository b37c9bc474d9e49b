namespace Portal.Hosting;

/// <summary>The <c>Portal</c> section.</summary>
public sealed class PortalOptions
{
    public const string Section = "Portal";

    public const string WebRole = "web";
    public const string WorkerRole = "worker";
    public const string ProxyRole = "proxy";

    /// <summary>Where <c>Portal:PublicUrl</c> points in Development when unset and no <c>urls</c> are configured.</summary>
    public const string DevelopmentDefaultUrl = "http://localhost:5000";

    private static readonly string[] KnownRoles = [WebRole, WorkerRole, ProxyRole];

    /// <summary>What this process runs: <c>web</c> (UI, control API), <c>worker</c> (Hangfire server), <c>proxy</c>.</summary>
    public IList<string> Roles { get; init; } = [];

    /// <summary>Which peers may tell the client's address and scheme (X-Forwarded-For, -Proto): the ingress, nobody else.</summary>
    public TrustedProxyOptions ForwardedHeaders { get; init; } = new();

    /// <summary>Redirect to HTTPS and send HSTS (always off in Development).</summary>
    public bool RequireHttps { get; init; } = true;

    /// <summary>
    /// The portal's public address (https://portal.example.com): the only source of emailed links and, unless
    /// <c>AllowedHosts</c> is set, the only host served. Required outside Development; always set once read.
    /// </summary>
    public Uri PublicUrl { get; set; } = default!;

    /// <summary>Prefix of every Redis key this portal writes, so that environments can share one Redis.</summary>
    public string RedisKeyPrefix { get; init; } = "portal:";

    public bool Runs(string role) => Roles.Contains(role, StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads and checks the section; outside Development <c>Portal:PublicUrl</c> must be set, in Development it defaults to the first of <c>urls</c>.</summary>
    public static PortalOptions Read(IConfiguration configuration, bool isDevelopment)
    {
        if (configuration[$"{Section}:TrustForwardedHeaders"] is { Length: > 0 })
        {
            throw new InvalidOperationException(
                "Setting 'Portal:TrustForwardedHeaders' was replaced by 'Portal:ForwardedHeaders:KnownNetworks' (CIDR ranges of the ingress) "
                + "and 'Portal:ForwardedHeaders:KnownProxies' (addresses): forwarded headers are believed from those peers only.");
        }

        var options = configuration.GetSection(Section).Get<PortalOptions>() ?? new PortalOptions();
        if (options.Roles.Count == 0)
        {
            throw new InvalidOperationException(
                "Missing setting 'Portal:Roles': list one or more of web, worker, proxy (environment variables Portal__Roles__0, Portal__Roles__1, …).");
        }

        var unknown = options.Roles.Where(r => !KnownRoles.Contains(r, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"Setting 'Portal:Roles' has unknown roles: {string.Join(", ", unknown)}. Known roles: {string.Join(", ", KnownRoles)}.");
        }

        options.PublicUrl ??= isDevelopment
            ? DevelopmentUrl(configuration)
            : throw new InvalidOperationException(
                "Missing setting 'Portal:PublicUrl' (environment variable Portal__PublicUrl): the portal's public address, e.g. https://portal.example.com. "
                + "Emailed links and the allowed Host header come from it alone.");
        var url = options.PublicUrl;
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || url.AbsolutePath != "/" || url.Query.Length > 0)
        {
            throw new InvalidOperationException($"Setting 'Portal:PublicUrl' must be an absolute http(s) address without a path; it is '{url}'.");
        }

        options.ForwardedHeaders.Validate();
        return options;
    }

    /// <summary>In Development: the address the portal itself listens on (<c>--urls</c>, ASPNETCORE_URLS), wildcards read as localhost.</summary>
    private static Uri DevelopmentUrl(IConfiguration configuration)
    {
        var first = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        var address = first?.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("[::]", "localhost", StringComparison.Ordinal);
        return Uri.TryCreate(address, UriKind.Absolute, out var url) ? new Uri(url, "/") : new Uri(DevelopmentDefaultUrl + "/");
    }
}
