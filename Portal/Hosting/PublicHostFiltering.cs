using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;

namespace Portal.Hosting;

/// <summary>
/// Host filtering from the public URL: without an explicit <c>AllowedHosts</c>, only <c>Portal:PublicUrl</c>'s host is
/// served and any other Host header gets a 400, so no page ever runs for a forged host. The health probes are exempt:
/// kubelet sends the pod's address as Host. The proxy's <c>/v1</c> branch runs before this, on its own host.
/// </summary>
public static class PublicHostFiltering
{
    /// <summary>The framework's filter (run before any of our middleware) is left open; ours runs where the probes can skip it.</summary>
    public static IServiceCollection AddPublicHostFiltering(this IServiceCollection services, IConfiguration configuration, PortalOptions options)
    {
        var explicitHosts = (configuration["AllowedHosts"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var allowed = new HostFilteringOptions { AllowedHosts = explicitHosts.Length > 0 ? [.. explicitHosts] : [options.PublicUrl.IdnHost] };
        services.Configure<HostFilteringOptions>(framework => framework.AllowedHosts = ["*"]);
        services.AddSingleton(new PublicHosts(allowed));
        return services;
    }

    public static IApplicationBuilder UsePublicHostFiltering(this IApplicationBuilder app)
    {
        var hosts = app.ApplicationServices.GetRequiredService<PublicHosts>();
        return app.UseWhen(context => !IsProbe(context.Request.Path),
            branch => branch.UseMiddleware<HostFilteringMiddleware>(hosts));
    }

    private static bool IsProbe(PathString path) =>
        path.Equals("/health/live", StringComparison.OrdinalIgnoreCase) || path.Equals("/health/ready", StringComparison.OrdinalIgnoreCase);

    /// <summary>The allowed hosts, handed to the framework's middleware as a fixed options monitor.</summary>
    private sealed class PublicHosts(HostFilteringOptions options) : IOptionsMonitor<HostFilteringOptions>
    {
        public HostFilteringOptions CurrentValue => options;

        public HostFilteringOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<HostFilteringOptions, string?> listener) => null;
    }
}
