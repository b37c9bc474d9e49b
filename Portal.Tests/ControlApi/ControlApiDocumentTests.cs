using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.ControlApi;

public sealed partial class ControlApiDocumentTests(TestServers servers) : PortalTest(servers)
{
    [Fact]
    public async Task OpenApiDocument_DescribesEveryMappedEndpoint_ErrorsAndBearerScheme()
    {
        using var client = Client(App);
        var response = await GetAsync(client, "/openapi/v1.json");
        Assert.Equal(200, (int)response.StatusCode);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

        var documented = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => $"{operation.Key.ToUpperInvariant()} {path.Key}"))
            .Order().ToList();
        var mapped = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/control/v1/", StringComparison.Ordinal) == true && !e.RoutePattern.RawText.Contains("{**", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods
                .Select(m => $"{m} {TrailingSlash().Replace(e.RoutePattern.RawText!, "")}"))
            .Order().ToList();
        Assert.Equal(37, mapped.Count);
        Assert.Equal(mapped, documented);

        Assert.Equal("http", (string?)document["components"]!["securitySchemes"]!["Bearer"]!["type"]);
        Assert.NotNull(document["components"]!["schemas"]!["ApiErrorEnvelope"]);
        foreach (var path in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in path.Value!.AsObject())
            {
                var responses = operation!["responses"]!.AsObject();
                foreach (var status in new[] { "400", "401", "403", "404", "409", "429", "500", "503" })
                {
                    var schema = responses[status]?["content"]?["application/json"]?["schema"]?["$ref"];
                    Assert.True((string?)schema == "#/components/schemas/ApiErrorEnvelope", $"{method} {path.Key} {status}: {responses[status]}");
                }

                Assert.True(operation["operationId"] is not null && operation["summary"] is not null, $"{method} {path.Key} has no name or summary");
                var secured = operation["security"] is JsonArray { Count: > 0 };
                Assert.Equal(path.Key != "/control/v1/auth/login", secured);
            }
        }

        var create = document["paths"]!["/control/v1/workspaces"]!["post"]!;
        Assert.NotNull(create["requestBody"]!["content"]!["application/json"]);
        Assert.NotNull(create["responses"]!["201"]);
    }

    [Fact]
    public async Task ReferencePage_ServesScalarLocally_UnderAPolicyWithItsNonce()
    {
        using var client = Client(App);
        var page = await GetAsync(client, "/docs/api");
        if ((int)page.StatusCode is 301 or 302)
        {
            page = await GetAsync(client, new Uri(new Uri("http://localhost/docs/api"), page.Headers.Location!).PathAndQuery);
        }

        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True((int)page.StatusCode == 200, $"{page.RequestMessage!.RequestUri} {page.StatusCode}");

        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = NoncePattern().Match(csp).Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.DoesNotContain("unsafe-inline' 'self'; style", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        foreach (Match script in ScriptTag().Matches(html))
        {
            var tag = script.Value;
            Assert.True(tag.Contains($"nonce=\"{nonce}\"", StringComparison.Ordinal) || tag.Contains("src=", StringComparison.Ordinal), tag);
        }

        foreach (Match source in ScriptSource().Matches(html))
        {
            var asset = await GetAsync(client, new Uri(new Uri("http://localhost/docs/api/"), source.Groups[1].Value).PathAndQuery);
            Assert.True((int)asset.StatusCode == 200, $"{source.Groups[1].Value}: {asset.StatusCode}");
        }

        // Other pages keep the strict policy.
        var home = await GetAsync(client, "/Account/Login");
        Assert.DoesNotContain("nonce", home.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [GeneratedRegex("/$")]
    private static partial Regex TrailingSlash();

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex NoncePattern();

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTag();

    [GeneratedRegex("<script[^>]*src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
