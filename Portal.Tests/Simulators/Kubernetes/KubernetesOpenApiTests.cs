using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Portal.Tests.Simulators.Kubernetes;

/// <summary>The OpenAPI v3 documents kubectl reads, and the fieldValidation they promise, over plain HTTP requests.</summary>
public sealed class KubernetesOpenApiTests(KubernetesSimulatorFixture fixture) : IClassFixture<KubernetesSimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Http => ((k8s.Kubernetes)fixture.Client).HttpClient;

    [Fact]
    public async Task OpenApiV3_IndexesEachGroupVersion_AndDescribesDeployment()
    {
        var (status, index) = await SendAsync(HttpMethod.Get, "/openapi/v3");
        Assert.Equal(HttpStatusCode.OK, status);
        var paths = JsonNode.Parse(index)!["paths"]!.AsObject();
        Assert.Contains("api/v1", paths.Select(p => p.Key));
        Assert.Contains("apis/networking.k8s.io/v1", paths.Select(p => p.Key));
        var appsUrl = paths["apis/apps/v1"]!["serverRelativeURL"]!.GetValue<string>();
        Assert.Matches("^/openapi/v3/apis/apps/v1\\?hash=[0-9A-F]{64}$", appsUrl);

        var (documentStatus, text) = await SendAsync(HttpMethod.Get, appsUrl);
        Assert.Equal(HttpStatusCode.OK, documentStatus);
        var document = JsonNode.Parse(text)!;
        Assert.StartsWith("3.0", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);

        var schemas = document["components"]!["schemas"]!.AsObject();
        var deployment = schemas["io.k8s.api.apps.v1.Deployment"]!;
        var gvk = Assert.Single(deployment["x-kubernetes-group-version-kind"]!.AsArray())!;
        Assert.Equal(("apps", "v1", "Deployment"), (gvk["group"]!.GetValue<string>(), gvk["version"]!.GetValue<string>(), gvk["kind"]!.GetValue<string>()));
        Assert.Equal("Deployment enables declarative updates for Pods and ReplicaSets.", deployment["description"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec", deployment["properties"]!["spec"]!["allOf"]![0]!["$ref"]!.GetValue<string>());

        var replicas = schemas["io.k8s.api.apps.v1.DeploymentSpec"]!["properties"]!["replicas"]!;
        Assert.Equal(("integer", "int32"), (replicas["type"]!.GetValue<string>(), replicas["format"]!.GetValue<string>()));
        Assert.Contains("Number of desired pods", replicas["description"]!.GetValue<string>(), StringComparison.Ordinal);

        // What a Deployment refers to is in the same document, under the API server's names, with the patch merge keys.
        var containers = schemas["io.k8s.api.core.v1.PodSpec"]!["properties"]!["containers"]!;
        Assert.Equal("name", containers["x-kubernetes-patch-merge-key"]!.GetValue<string>());
        Assert.NotNull(schemas["io.k8s.api.core.v1.Container"]);
        Assert.NotNull(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]);
        Assert.True(schemas["io.k8s.api.core.v1.ContainerPort"]!["properties"]!["containerPort"] is not null);

        // kubectl asks for server-side validation only when the kind's PATCH takes fieldValidation.
        var patch = document["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!;
        Assert.Equal("Deployment", patch["x-kubernetes-group-version-kind"]!["kind"]!.GetValue<string>());
        Assert.Contains(patch["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "fieldValidation" && p["in"]!.GetValue<string>() == "query");
        Assert.NotNull(patch["requestBody"]!["content"]!["application/strategic-merge-patch+json"]);

        var (missing, _) = await SendAsync(HttpMethod.Get, "/openapi/v3/apis/storage.k8s.io/v1");
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Fact]
    public async Task FieldValidation_StrictRefusesUnknownFields_WarnWarns_IgnoreDropsThem()
    {
        var ns = await fixture.NewNamespaceAsync("fv");
        var url = $"/apis/apps/v1/namespaces/{ns}/deployments";
        string Body(string name) => $$"""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{name}}" },
             "spec":{"replicas":1,"foo":"bar","selector":{"matchLabels":{"app":"{{name}}" } },
                     "template":{"metadata":{"labels":{"app":"{{name}}" } },"spec":{"containers":[{"name":"web","image":"nginx","imagePullPolicyy":"Always"}]} } } }
            """;

        var (strict, refusal) = await SendAsync(HttpMethod.Post, url + "?fieldValidation=Strict", Body("strict"));
        Assert.Equal(HttpStatusCode.BadRequest, strict);
        var status = JsonNode.Parse(refusal)!;
        Assert.Equal("BadRequest", status["reason"]!.GetValue<string>());
        Assert.Equal(
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.foo\", unknown field \"spec.template.spec.containers[0].imagePullPolicyy\"",
            status["message"]!.GetValue<string>());
        var (notStored, _) = await SendAsync(HttpMethod.Get, url + "/strict");
        Assert.Equal(HttpStatusCode.NotFound, notStored);

        var (ignored, created) = await SendAsync(HttpMethod.Post, url + "?fieldValidation=Ignore", Body("ignored"));
        Assert.Equal(HttpStatusCode.Created, ignored);
        var spec = JsonNode.Parse(created)!["spec"]!;
        Assert.Null(spec["foo"]);
        Assert.Null(spec["template"]!["spec"]!["containers"]![0]!["imagePullPolicyy"]);
        Assert.Equal(1, spec["replicas"]!.GetValue<int>());

        using var warned = await SendRawAsync(HttpMethod.Post, url + "?fieldValidation=Warn", Body("warned"));
        Assert.Equal(HttpStatusCode.Created, warned.StatusCode);
        Assert.Contains("299 - \"unknown field \\\"spec.foo\\\"\"", warned.Headers.GetValues("Warning"));

        // Patches are checked on the object they produce.
        var (patchStrict, patchRefusal) = await SendAsync(HttpMethod.Patch, url + "/ignored?fieldValidation=Strict", """{"spec":{"bar":1}}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.BadRequest, patchStrict);
        Assert.Equal("strict decoding error: unknown field \"spec.bar\"", JsonNode.Parse(patchRefusal)!["message"]!.GetValue<string>());
        var (patchIgnore, _) = await SendAsync(HttpMethod.Patch, url + "/ignored?fieldValidation=Ignore", """{"spec":{"bar":1,"replicas":2}}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, patchIgnore);

        var (invalid, _) = await SendAsync(HttpMethod.Post, url + "?fieldValidation=Sometimes", Body("invalid"));
        Assert.Equal(HttpStatusCode.BadRequest, invalid);
    }

    [Fact]
    public async Task DryRunAll_AnswersTheWrite_AndKeepsNothing()
    {
        var ns = await fixture.NewNamespaceAsync("dry");
        var url = $"/api/v1/namespaces/{ns}/configmaps";
        var (created, body) = await SendAsync(HttpMethod.Post, url + "?dryRun=All", """{"metadata":{"name":"c"},"data":{"a":"1"}}""");
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal("1", JsonNode.Parse(body)!["data"]!["a"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, url + "/c")).Status);

        Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, url, """{"metadata":{"name":"c"},"data":{"a":"1"}}""")).Status);
        var (patched, patchedBody) = await SendAsync(HttpMethod.Patch, url + "/c?dryRun=All", """{"data":{"a":"2"}}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal("2", JsonNode.Parse(patchedBody)!["data"]!["a"]!.GetValue<string>());
        // kubectl delete --dry-run=server puts dryRun in the DeleteOptions body.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Delete, url + "/c", """{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["All"]}""")).Status);
        var (_, stored) = await SendAsync(HttpMethod.Get, url + "/c");
        Assert.Equal("1", JsonNode.Parse(stored)!["data"]!["a"]!.GetValue<string>());
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var response = await SendRawAsync(method, path, body, contentType);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, new Uri(fixture.Cluster.BaseUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Cluster.Token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType));
        }

        return await Http.SendAsync(request, Ct);
    }
}
