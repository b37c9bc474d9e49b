using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Proxy;

/// <summary>
/// A portal running the web and proxy roles on a real Kestrel port (real PostgreSQL and Redis), a test upstream as
/// the applications' instance, a plain HTTP client, and steps to seed applications and keys.
/// </summary>
public sealed class ProxyHost : IAsyncDisposable
{
    private ProxyHost(PortalApp app, TestUpstream upstream, HttpClient client)
    {
        App = app;
        Upstream = upstream;
        Client = client;
    }

    public sealed record Seeded(PortalUser Owner, Workspace Workspace, Application Application, string SecretKey, string PublicKey);

    public PortalApp App { get; }

    public TestUpstream Upstream { get; }

    public HttpClient Client { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Rate limits high enough not to interfere, unless <paramref name="settings"/> say otherwise; the web role too
    /// unless <paramref name="proxyOnly"/> (as the proxy runs in production); the run's Redis unless <paramref name="redis"/>; a new database unless it is another replica of <paramref name="replicaOf"/>.
    /// </summary>
    public static async Task<ProxyHost> StartAsync(TestServers servers, IDictionary<string, string?>? settings = null, bool proxyOnly = false, RedisServer? redis = null, ProxyHost? replicaOf = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Portal:Roles:0"] = proxyOnly ? "proxy" : "web",
            ["Proxy:Free:Requests"] = "10000",
            ["Proxy:Free:MonthlyRequests"] = "0",
            ["Metering:FlushInterval"] = "00:00:00.100",
        };
        if (!proxyOnly)
        {
            all["Portal:Roles:1"] = "proxy";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var upstream = await TestUpstream.StartAsync();
        var app = replicaOf is null ? await PortalApp.CreateAsync(servers, all, redis) : PortalApp.SharingDatabaseWith(replicaOf.App, all, redis);
        var address = app.StartKestrel();
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };
        return new ProxyHost(app, upstream, client);
    }

    /// <summary>A new workspace's application at the upstream, with a secret key of all scopes and a public key.</summary>
    public async Task<Seeded> SeedAsync(ApplicationStatus status = ApplicationStatus.Active, string? internalUrl = null, bool deleted = false)
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var application = new Application
        {
            WorkspaceId = workspace.Id,
            Name = "Storefront",
            Slug = $"storefront-{Guid.NewGuid():N}"[..20],
            Region = "eu-test-1",
            Status = status,
            InternalUrl = status == ApplicationStatus.Provisioning ? null : internalUrl ?? Upstream.Url,
            CreatedAt = App.Clock.GetUtcNow(),
            DeletedAt = deleted ? App.Clock.GetUtcNow() : null,
        };
        await using (var db = App.CreateDbContext())
        {
            db.Add(application);
            await db.SaveChangesAsync(Ct);
        }

        var secret = await CreateKeyAsync(owner, application.Id, ApiKeyType.Secret, ["*"]);
        var publicKey = await CreateKeyAsync(owner, application.Id, ApiKeyType.Public, null);
        return new Seeded(owner, workspace, application, secret.Value, publicKey.Value);
    }

    public async Task<CreatedApiKey> CreateKeyAsync(PortalUser owner, string applicationId, ApiKeyType type, IReadOnlyList<string>? scopes, DateTimeOffset? expiresAt = null)
    {
        var created = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageApiKeys>()
            .CreateAsync(WorkspaceSteps.ActorFor(owner), applicationId, $"key {type} {Guid.NewGuid():N}"[..20], type, scopes, expiresAt, Ct));
        Assert.True(created.Succeeded, created.Failure?.Message);
        return created.Value;
    }

    /// <summary>A request to <c>/v1/{appId}/{path}</c> with the key as a bearer token (or in X-AuthSome-Key).</summary>
    public static HttpRequestMessage Request(HttpMethod method, string applicationId, string path, string? key, bool keyInOwnHeader = false)
    {
        var request = new HttpRequestMessage(method, $"/v1/{applicationId}/{path}");
        if (key is not null)
        {
            if (keyInOwnHeader)
            {
                request.Headers.TryAddWithoutValidation("X-AuthSome-Key", key);
            }
            else
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
            }
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
