using Microsoft.Extensions.Options;
using Portal.Core.Usage;

namespace Portal.Features.Proxy;

public static class ProxyHostServiceCollectionExtensions
{
    /// <summary>The proxy role: forwarding settings (validated on start), the compiled route table, YARP's forwarder, the metering writer.</summary>
    public static IServiceCollection AddProxyHost(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProxyHostOptions>().Bind(configuration.GetSection(ProxyHostOptions.Section))
            .PostConfigure(o =>
            {
                // Lists bind by appending, so the defaults apply only when nothing is configured.
                if (o.PublicRoutes.Count == 0)
                {
                    o.PublicRoutes.AddRange(ProxyHostOptions.DefaultPublicRoutes);
                }

                if (o.ScopeRoutes.Count == 0)
                {
                    o.ScopeRoutes.AddRange(ProxyHostOptions.DefaultScopeRoutes);
                }
            })
            .Validate(o => o.UpstreamTimeout > TimeSpan.Zero, "Proxy:UpstreamTimeout must be positive (e.g. 00:00:30).")
            .Validate(o => o.ConnectTimeout > TimeSpan.Zero, "Proxy:ConnectTimeout must be positive (e.g. 00:00:05).")
            .Validate(o => o.PooledConnectionLifetime > TimeSpan.Zero, "Proxy:PooledConnectionLifetime must be positive.")
            .Validate(o => o.MaxRequestBodySize > 0, "Proxy:MaxRequestBodySize must be a positive number of bytes (e.g. 1048576).")
            .Validate(o => o.MaxUserIdBodySize is > 0 and <= 1024 * 1024, "Proxy:MaxUserIdBodySize must be between 1 and 1048576 bytes.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyHostOptions>, ProxyRoutesValidation>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ProxyHostOptions>>().Value;
            return ProxyRouteTable.Compile(options.PublicRoutes, options.ScopeRoutes, out _);
        });
        services.AddHttpForwarder();
        services.AddSingleton<ProxyForwarding>();
        services.AddSingleton<ProxyRequestHandler>();
        services.AddHostedService<UsageWriterService>();
        return services;
    }

    /// <summary>The route patterns must compile; the first mistake is the start-up error.</summary>
    private sealed class ProxyRoutesValidation : IValidateOptions<ProxyHostOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProxyHostOptions options)
        {
            ProxyRouteTable.Compile(options.PublicRoutes, options.ScopeRoutes, out var error);
            return error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
        }
    }
}
