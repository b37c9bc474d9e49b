using Portal.Features.ApiKeys;
using Portal.Features.ApiTokens;
using Portal.Features.Applications;
using Portal.Features.Members;
using Portal.Features.Operations;
using Portal.Features.Usage;
using Portal.Features.Webhooks;
using Portal.Features.Workspaces;
using Scalar.AspNetCore;

namespace Portal.Features.ControlApi;

public static class ControlApiEndpoints
{
    public const string Prefix = "/control/v1";
    public const string DocumentName = "v1";
    public const string ReferencePath = "/docs/api";

    private static readonly int[] ErrorStatuses =
    [
        StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
        StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status429TooManyRequests,
        StatusCodes.Status500InternalServerError, StatusCodes.Status503ServiceUnavailable,
    ];

    /// <summary>
    /// Everything under <c>/control</c> is the API's, whatever the version: a path that matches nothing there (an
    /// unknown version, or dot segments a client resolved out of <c>/control/v1</c>) answers the envelope, not a page.
    /// </summary>
    public static bool IsApiPath(PathString path) => path.StartsWithSegments("/control", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The control API under <c>/control/v1</c>, its OpenAPI document (<c>/openapi/v1.json</c>) and reference page
    /// (<c>/docs/api</c>), and the middleware that answers its errors in the envelope (added here, after routing and
    /// authorization, so that it sees every API request that reaches an endpoint).
    /// </summary>
    public static WebApplication MapControlApiEndpoints(this WebApplication app)
    {
        app.UseMiddleware<ControlApiMiddleware>();

        var api = app.MapGroup(Prefix)
            .RequireAuthorization(ControlApiPolicies.Caller)
            .DisableAntiforgery();
        foreach (var status in ErrorStatuses)
        {
            api.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ApiErrorEnvelope), ["application/json"]));
        }

        api.MapApiTokensEndpoints();
        api.MapWorkspacesEndpoints();
        api.MapMembersEndpoints();
        api.MapApplicationsEndpoints();
        api.MapApiKeysEndpoints();
        api.MapWebhooksEndpoints();
        api.MapUsageEndpoints();
        api.MapOperationsEndpoints();

        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, (options, http) => options
                .WithTitle("AuthSome Cloud control API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .AddDocument(DocumentName)
                .DisableDefaultFonts()
                .DisableAgent()
                .DisableMcp()
                .WithNonce(ControlApiReferencePage.Nonce(http))
                .AddPreferredSecuritySchemes([OpenApiDocumentTransformer.BearerScheme]))
            .AllowAnonymous();
        return app;
    }
}
