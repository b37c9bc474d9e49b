using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Portal.Core.ApiTokens;
using Portal.Core.RateLimiting;

namespace Portal.Features.ControlApi;

public static class ControlApiServiceCollectionExtensions
{
    /// <summary>The control API: tokens, its bearer scheme and policies, rate limits, idempotency, JSON and OpenAPI.</summary>
    public static IServiceCollection AddControlApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddApiTokens(configuration);
        services.AddOptions<ControlApiOptions>().Bind(configuration.GetSection(ControlApiOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthentication.Scheme, null);
        services.AddAuthorizationBuilder().AddControlApiPolicies();
        services.AddSingleton<IAuthorizationHandler, ApiScopeHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ControlApiAuthorizationResultHandler>();

        services.AddMemoryCache();
        services.AddSingleton<CallerPlans>();
        services.AddFixedWindowLimiter();
        services.AddSingleton<ControlApiRateLimiter>();

        // Bad JSON must reach ControlApiMiddleware as an exception to be answered with the field at fault.
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
            json.SerializerOptions.Converters.Add(new TextInputConverter());
        });

        services.AddOpenApi(ControlApiEndpoints.DocumentName, openApi =>
        {
            openApi.ShouldInclude = description => ("/" + description.RelativePath).StartsWith(ControlApiEndpoints.Prefix + "/", StringComparison.OrdinalIgnoreCase);
            openApi.AddDocumentTransformer<OpenApiDocumentTransformer>();
        });
        return services;
    }
}
