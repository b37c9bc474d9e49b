using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Portal.Features.ControlApi;

/// <summary>The document's title, the bearer scheme, and the security requirement on every operation that needs a token.</summary>
internal sealed class OpenApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "AuthSome Cloud control API",
            Version = "v1",
            Description = "Workspaces and members of AuthSome Cloud. Authenticate with a bearer token from POST /control/v1/auth/login "
                + "or a personal access token (account settings → Access tokens). Errors answer "
                + "{ \"error\": { \"code\", \"message\", \"details\"?, \"requestId\" } }.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A login token (asl_…, one hour) or a personal access token (asp_…).",
        };

        var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] };
        var anonymous = context.DescriptionGroups
            .SelectMany(g => g.Items)
            .Where(d => d.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any())
            .Select(d => (Path: "/" + d.RelativePath?.TrimStart('/'), Method: d.HttpMethod))
            .ToHashSet();
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                if (!anonymous.Contains((path, method.Method)))
                {
                    operation.Security = [requirement];
                }
            }
        }

        return Task.CompletedTask;
    }
}
