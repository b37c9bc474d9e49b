using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.ControlApi;

/// <summary>
/// Black-box checks of every control API operation, enumerated from the OpenAPI document (which
/// <see cref="ControlApiDocumentTests"/> proves lists every mapped endpoint, so a new endpoint is covered here without
/// a change): odd ids in every path parameter, odd values in every query parameter, and malformed, mistyped, huge,
/// NUL-carrying and far-dated bodies. Every answer is below 500, and every 4xx is the error envelope.
/// </summary>
public sealed class ControlApiFuzzTests(TestServers servers) : PortalTest(servers)
{
    private const int HugeLength = 1024 * 1024;

    private static readonly string[] KeyCreatedOnly = ["key.created"];

    // An encoded NUL in a path never reaches the application (Kestrel refuses the request target with 400, and the
    // in-memory test client throws before sending): other control characters stand for it in path parameters.
    private static readonly string[] OddIds =
    [
        "..", "../..", "..%2F..%2Fworkspaces", "%2e%2e", "%01", "a%1Fb", "ws_%7F", new string('a', 5000), "日本語", "🚀", "%F0%9F%9A%80",
        "' OR 1=1 --", "%25", "%ZZ", "a%0Ab", "%C0%AE", "%ED%A0%80", "-1",
    ];

    private static readonly string[] OddQueryValues =
    [
        "-1", "0", "-2147483649", "2147483648", "99999999999999999999", "1e9", "1.5", "abc", "", "%00", "9999-12-31", "0001-01-01",
        "9999-12-31T23:59:59Z", "10000-01-01", "1900-01", "9999-12", "2026-00", "true", "%ED%A0%80", new string('9', 5000),
    ];

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Kubernetes:Regions:us-east-1:Kubeconfig"] = "simulated",
        ["ControlApi:MaxRequestBodyBytes"] = (4 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ControlApi:RateLimits:Free:PerMinute"] = "1000000",
        ["ControlApi:RateLimits:Free:PerDay"] = "1000000",
        ["ControlApi:RateLimits:Pro:PerMinute"] = "1000000",
        ["ControlApi:RateLimits:Pro:PerDay"] = "1000000",
        ["ControlApi:LoginAttemptsPerMinutePerIp"] = "100000",
    };

    private sealed record Operation(string Method, string Path, JsonNode Node);

    private sealed class Fixture
    {
        public required HttpClient Client { get; init; }

        public required Dictionary<string, string> Ids { get; init; }

        public required JsonNode Document { get; init; }

        public List<Operation> Operations { get; } = [];

        public List<string> Failures { get; } = [];

        public int Requests { get; set; }
    }

    private async Task<Fixture> SetUpAsync()
    {
        var owner = await CreateUserAsync(App);
        var client = Client(App, await SessionTokenAsync(App, owner));
        var workspaceId = await CreateWorkspaceAsync(App, owner, WorkspacePlan.Pro);
        var memberId = await AddMemberAsync(App, workspaceId, await CreateUserAsync(App), WorkspaceRole.Developer);
        var created = await BodyAsync(await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/applications",
            new { name = "Fuzzed", slug = "fuzzed", environment = "staging", region = "us-east-1" }));
        var applicationId = (string)created["application"]!["id"]!;
        var keyId = (string)created["secretKey"]!["id"]!;
        var endpoint = await BodyAsync(await PostAsync(client, $"/control/v1/applications/{applicationId}/webhooks",
            new { url = "https://8.8.8.8/hook", events = KeyCreatedOnly }));
        var endpointId = (string)endpoint["id"]!;
        var document = await BodyAsync(await GetAsync(client, "/openapi/v1.json"));

        var fixture = new Fixture
        {
            Client = client,
            Document = document,
            Ids = new()
            {
                ["workspaceId"] = workspaceId,
                ["applicationId"] = applicationId,
                ["keyId"] = keyId,
                ["endpointId"] = endpointId,
                ["memberId"] = memberId,
                ["deliveryId"] = "del_doesnotexist",
            },
        };
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                fixture.Operations.Add(new Operation(method.ToUpperInvariant(), path, operation!));
            }
        }

        Assert.True(fixture.Operations.Count >= 36, $"Only {fixture.Operations.Count} operations in the document");
        return fixture;
    }

    private static string FillPath(Fixture fixture, Operation operation, string? oddParameter = null, string? oddValue = null) =>
        System.Text.RegularExpressions.Regex.Replace(operation.Path, "{([^}]+)}", m =>
            m.Groups[1].Value == oddParameter ? oddValue! : fixture.Ids.GetValueOrDefault(m.Groups[1].Value, "x_unknown"));

    private static IEnumerable<(string Name, string In, JsonNode? Schema)> Parameters(Operation operation) =>
        (operation.Node["parameters"] as JsonArray ?? []).Select(p => ((string)p!["name"]!, (string)p["in"]!, p["schema"]));

    /// <summary>Sends the request and records a failure for a 5xx, or a 4xx without the envelope.</summary>
    private static async Task SendAsync(Fixture fixture, string method, string url, HttpContent? content, string what)
    {
        fixture.Requests++;
        using var request = new HttpRequestMessage(new HttpMethod(method),
            new Uri("http://localhost" + url))
        {
            Content = content,
        };
        using var response = await fixture.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var shown = text.Length > 300 ? text[..300] : text;
        var label = url.Length > 160 ? url[..160] + "…" : url;
        if (status >= 500)
        {
            fixture.Failures.Add($"{method} {label} ({what}): {status} {shown}");
            return;
        }

        if (status >= 400)
        {
            try
            {
                var error = JsonNode.Parse(text)?["error"];
                if (error?["code"] is null || error["message"] is null || error["requestId"] is null)
                {
                    fixture.Failures.Add($"{method} {label} ({what}): {status} without the envelope: {shown}");
                }
            }
            catch (JsonException)
            {
                fixture.Failures.Add($"{method} {label} ({what}): {status} not JSON: {shown}");
            }
        }
    }

    private static void AssertNoFailures(Fixture fixture) =>
        Assert.True(fixture.Failures.Count == 0, $"{fixture.Failures.Count} of {fixture.Requests} requests failed:\n{string.Join("\n", fixture.Failures.Take(60))}");

    [Fact]
    public async Task OddIds_InEveryPathParameter_Are4xxInTheEnvelope()
    {
        var fixture = await SetUpAsync();
        using var _ = fixture.Client;
        foreach (var operation in fixture.Operations)
        {
            foreach (var (name, _, _) in Parameters(operation).Where(p => p.In == "path"))
            {
                foreach (var odd in OddIds)
                {
                    var encoded = odd.Contains('%', StringComparison.Ordinal) || odd.Contains('/', StringComparison.Ordinal) ? odd : Uri.EscapeDataString(odd);
                    await SendAsync(fixture, operation.Method, FillPath(fixture, operation, name, encoded), Body(operation, "{}"), $"{name}={odd[..Math.Min(odd.Length, 20)]}");
                }
            }
        }

        AssertNoFailures(fixture);
    }

    [Fact]
    public async Task OddValues_InEveryQueryParameter_Are4xxInTheEnvelope_OrAnswered()
    {
        var fixture = await SetUpAsync();
        using var _ = fixture.Client;
        // Deleting with a valid id would succeed whatever the query: those run last.
        foreach (var operation in fixture.Operations.OrderBy(o => o.Method == "DELETE"))
        {
            var path = FillPath(fixture, operation);
            var names = Parameters(operation).Where(p => p.In == "query").Select(p => p.Name).Append("page").Append("unexpected").Distinct();
            foreach (var name in names)
            {
                foreach (var odd in OddQueryValues)
                {
                    var encoded = odd.Contains('%', StringComparison.Ordinal) ? odd : Uri.EscapeDataString(odd);
                    await SendAsync(fixture, operation.Method, $"{path}?{name}={encoded}", Body(operation, "{\"unknownField\": 1}"), $"{name}={odd[..Math.Min(odd.Length, 20)]}");
                }
            }
        }

        AssertNoFailures(fixture);
    }

    [Fact]
    public async Task MalformedMistypedHugeAndNulBodies_OfEveryOperation_Are4xxInTheEnvelope()
    {
        var fixture = await SetUpAsync();
        using var _ = fixture.Client;
        var huge = new string('a', HugeLength);
        foreach (var operation in fixture.Operations.Where(o => o.Method is "POST" or "PATCH" or "PUT"))
        {
            var path = FillPath(fixture, operation);
            foreach (var raw in new[] { "{", "{\"a\":", "[]", "\"text\"", "42", "null", "{\"a\": 1} trailing", "{\"\\u0000\": 1}", "\u0000", "{\"a\": \"\\ud800\"}" })
            {
                await SendAsync(fixture, operation.Method, path, ControlApiSteps.Json(raw), $"body {raw}");
            }

            await SendAsync(fixture, operation.Method, path, new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded"), "form body");
            await SendAsync(fixture, operation.Method, path, new ByteArrayContent([0xff, 0xfe, 0x00, 0x7b]) { Headers = { ContentType = new("application/json") } }, "bad UTF-8");

            if (RequestSchema(fixture, operation) is not { } schema)
            {
                continue;
            }

            var properties = schema["properties"]?.AsObject().Select(p => (p.Key, Schema: Resolve(fixture, p.Value))).ToList() ?? [];
            foreach (var (property, propertySchema) in properties)
            {
                var types = Types(propertySchema);
                var values = new List<(string Label, JsonNode? Value)>
                {
                    ("NUL", JsonValue.Create("a\u0000b")),
                    ("C1", JsonValue.Create("a\u009bb")),
                    ("huge", JsonValue.Create(huge)),
                    ("object", new JsonObject { ["x"] = 1 }),
                    ("array", new JsonArray(1, "\u0000")),
                    ("number", JsonValue.Create(1e308)),
                    ("negative", JsonValue.Create(-1)),
                    ("long", JsonValue.Create(long.MaxValue)),
                    ("bool", JsonValue.Create(true)),
                    ("far date", JsonValue.Create("9999-12-31T23:59:59.9999999+00:00")),
                    ("early date", JsonValue.Create("0001-01-01T00:00:00+14:00")),
                    ("bad date", JsonValue.Create("2026-02-30T00:00:00Z")),
                };
                if (types.Contains("array"))
                {
                    values.Add(("array of NUL", new JsonArray("a\u0000b")));
                    values.Add(("array of huge", new JsonArray(huge)));
                    values.Add(("long array", new JsonArray([.. Enumerable.Range(0, 10_000).Select(i => (JsonNode?)JsonValue.Create($"v{i}"))])));
                    values.Add(("array of objects", new JsonArray(new JsonObject())));
                }

                if (types.Contains("object"))
                {
                    values.Add(("object of NUL", new JsonObject { ["k"] = "a\u0000b" }));
                    values.Add(("object key NUL", new JsonObject { ["k\u0000"] = "v" }));
                    values.Add(("deep object", Deep(100)));
                }

                foreach (var (label, value) in values)
                {
                    var body = ValidLooking(fixture, properties);
                    body[property] = value;
                    await SendAsync(fixture, operation.Method, path, ControlApiSteps.Json(body.ToJsonString()), $"{property}: {label}");
                }
            }
        }

        AssertNoFailures(fixture);
    }

    private static JsonNode Deep(int depth)
    {
        JsonNode node = new JsonObject();
        for (var i = 0; i < depth; i++)
        {
            node = new JsonObject { ["d"] = node };
        }

        return node;
    }

    /// <summary>A body whose other fields are plausible, so that the odd one is what the endpoint judges.</summary>
    private static JsonObject ValidLooking(Fixture fixture, List<(string Key, JsonNode? Schema)> properties)
    {
        var body = new JsonObject();
        foreach (var (name, schema) in properties)
        {
            var types = Types(schema);
            body[name] = name switch
            {
                "name" => "Fuzz",
                "slug" => "fuzz-slug",
                "email" => "fuzz@example.com",
                "password" => "not the password",
                "url" => "https://8.8.8.8/fuzz",
                "region" => "us-east-1",
                "environment" => "staging",
                "role" => "viewer",
                "type" => "secret",
                "memberId" => fixture.Ids["memberId"],
                "events" => new JsonArray("key.created"),
                "scopes" => new JsonArray("*"),
                _ when schema?["enum"] is JsonArray { Count: > 0 } options => options[0]!.DeepClone(),
                _ when types.Contains("boolean") => true,
                _ when types.Contains("integer") || types.Contains("number") => 1,
                _ when types.Contains("array") => new JsonArray(),
                _ when types.Contains("object") => new JsonObject(),
                _ => "fuzz",
            };
        }

        return body;
    }

    private static JsonNode? RequestSchema(Fixture fixture, Operation operation) =>
        Resolve(fixture, operation.Node["requestBody"]?["content"]?["application/json"]?["schema"]);

    private static JsonNode? Resolve(Fixture fixture, JsonNode? schema)
    {
        for (var i = 0; i < 10 && schema is not null; i++)
        {
            if (schema["$ref"] is JsonValue reference)
            {
                var name = ((string)reference!).Split('/')[^1];
                schema = fixture.Document["components"]?["schemas"]?[name];
                continue;
            }

            if ((schema["oneOf"] ?? schema["anyOf"]) is JsonArray choices)
            {
                schema = choices.FirstOrDefault(c => c?["type"] is not JsonValue t || (string?)t != "null") ?? choices.FirstOrDefault();
                continue;
            }

            break;
        }

        return schema;
    }

    private static HashSet<string> Types(JsonNode? schema) => schema?["type"] switch
    {
        JsonValue one => [(string)one!],
        JsonArray many => [.. many.Select(t => (string)t!)],
        _ => [],
    };

    private static StringContent? Body(Operation operation, string json) =>
        operation.Method is "POST" or "PATCH" or "PUT" ? ControlApiSteps.Json(json) : null;
}
