namespace Portal.Hosting;

/// <summary>The <c>Portal</c> section.</summary>
public sealed class PortalOptions
{
    public const string Section = "Portal";

    public const string WebRole = "web";
    public const string WorkerRole = "worker";
    public const string ProxyRole = "proxy";

    private static readonly string[] KnownRoles = [WebRole, WorkerRole, ProxyRole];

    /// <summary>What this process runs: <c>web</c> (UI, control API), <c>worker</c> (Hangfire server), <c>proxy</c>.</summary>
    public IList<string> Roles { get; init; } = [];

    /// <summary>Behind a trusted ingress: take the client address and scheme from X-Forwarded-For and -Proto.</summary>
    public bool TrustForwardedHeaders { get; init; }

    /// <summary>Redirect to HTTPS and send HSTS (always off in Development).</summary>
    public bool RequireHttps { get; init; } = true;

    /// <summary>The portal's public address (https://portal.example.com), used in emailed links; the request's own address when unset.</summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>Prefix of every Redis key this portal writes, so that environments can share one Redis.</summary>
    public string RedisKeyPrefix { get; init; } = "portal:";

    public bool Runs(string role) => Roles.Contains(role, StringComparer.OrdinalIgnoreCase);

    public static PortalOptions Read(IConfiguration configuration)
    {
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

        if (options.PublicUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            throw new InvalidOperationException($"Setting 'Portal:PublicUrl' must be an absolute http(s) address; it is '{url}'.");
        }

        return options;
    }
}
