using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.ApiKeys;

/// <summary>Key formats, hashing, the one showing of a secret key, revocation, rotation, and who may do each.</summary>
public sealed class ApiKeyTests(TestServers servers) : PortalTest(servers)
{
    [Theory]
    [InlineData(ApiKeyType.Secret, ApplicationEnvironment.Production, "sk_live_")]
    [InlineData(ApiKeyType.Public, ApplicationEnvironment.Production, "pk_live_")]
    [InlineData(ApiKeyType.Secret, ApplicationEnvironment.Staging, "sk_test_")]
    [InlineData(ApiKeyType.Public, ApplicationEnvironment.Development, "pk_test_")]
    public void Format_HasTheEnvironmentsPrefix_And43Base62Characters(ApiKeyType type, ApplicationEnvironment environment, string prefix)
    {
        var keys = Enumerable.Range(0, 200).Select(_ => ApiKeyFormat.New(type, environment)).ToList();

        Assert.All(keys, key =>
        {
            Assert.StartsWith(prefix, key, StringComparison.Ordinal);
            Assert.Equal(prefix.Length + 43, key.Length);
            Assert.True(ApiKeyFormat.LooksValid(key));
        });
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.False(ApiKeyFormat.LooksValid(keys[0][..^1] + "-"));
        Assert.False(ApiKeyFormat.LooksValid("xk_live_" + keys[0][8..]));
    }

    private async Task<(Application Application, PortalUser Owner)> ApplicationAsync(ApplicationEnvironment environment = ApplicationEnvironment.Production)
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var application = new Application
        {
            WorkspaceId = workspace.Id,
            Name = "Storefront",
            Slug = "storefront",
            Environment = environment,
            Region = "us-east-1",
            CreatedAt = App.Clock.GetUtcNow(),
        };
        await using var db = App.CreateDbContext();
        db.Add(application);
        await db.SaveChangesAsync();
        return (application, owner);
    }

    private Task<Outcome<CreatedApiKey>> CreateAsync(PortalUser by, Application application, ApiKeyType type, IReadOnlyList<string>? scopes = null, DateTimeOffset? expiresAt = null) =>
        WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageApiKeys>().CreateAsync(WorkspaceSteps.ActorFor(by), application.Id, "server", type, scopes, expiresAt));

    [Fact]
    public async Task SecretKey_IsShownOnce_AndStoredOnlyAsItsHashAndPrefix()
    {
        var (application, owner) = await ApplicationAsync();

        var created = await CreateAsync(owner, application, ApiKeyType.Secret, ["users:read"]);

        Assert.True(created.Succeeded, created.Failure?.Message);
        var value = created.Value.Value;
        await using var db = App.CreateDbContext();
        var stored = await db.Set<ApiKey>().SingleAsync(TestContext.Current.CancellationToken);
        Assert.Null(stored.PublicValue);
        Assert.Equal(ApiKeyFormat.Hash(value), stored.Hash);
        Assert.Equal(value[..12] + "…", stored.DisplayPrefix);
        var row = await db.Database.SqlQuery<string>($"SELECT row_to_json(k)::text AS \"Value\" FROM \"ApiKeys\" k").SingleAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(value[8..], row, StringComparison.Ordinal);

        var listed = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ApiKeyQueries>().ListAsync(owner.Id, application.Id));
        Assert.Equal(stored.DisplayPrefix, Assert.Single(listed.Value!).Display);
        var recorded = await db.Set<AuditEvent>().SingleAsync(e => e.Action == "key.created", TestContext.Current.CancellationToken);
        Assert.DoesNotContain(value[8..], recorded.Changes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublicKey_MayBeShownAgain_AndCarriesNoScopes()
    {
        var (application, owner) = await ApplicationAsync(ApplicationEnvironment.Staging);

        var created = await CreateAsync(owner, application, ApiKeyType.Public, ["users:write"]);

        var listed = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ApiKeyQueries>().ListAsync(owner.Id, application.Id));
        var view = Assert.Single(listed.Value!);
        Assert.Equal(created.Value!.Value, view.Display);
        Assert.StartsWith("pk_test_", view.Display, StringComparison.Ordinal);
        Assert.Empty(view.Scopes);
    }

    [Fact]
    public async Task Create_RefusesUnknownScopes_PastExpiry_AndMissingNames()
    {
        var (application, owner) = await ApplicationAsync();

        Assert.Equal("scopes", (await CreateAsync(owner, application, ApiKeyType.Secret, ["users:everything"])).Failure?.Field);
        Assert.Equal("expiresAt", (await CreateAsync(owner, application, ApiKeyType.Secret, null, App.Clock.GetUtcNow().AddMinutes(-1))).Failure?.Field);
        var unnamed = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageApiKeys>().CreateAsync(WorkspaceSteps.ActorFor(owner), application.Id, " ", ApiKeyType.Secret, null, null));
        Assert.Equal("name", unnamed.Failure?.Field);
        await using var db = App.CreateDbContext();
        Assert.False(await db.Set<ApiKey>().AnyAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Revoke_StopsTheKey_AndRotation_KeepsTheOldOneForTheOverlap()
    {
        var (application, owner) = await ApplicationAsync();
        var actor = WorkspaceSteps.ActorFor(owner);
        var first = (await CreateAsync(owner, application, ApiKeyType.Secret)).Value!;
        var second = (await CreateAsync(owner, application, ApiKeyType.Secret)).Value!;
        var manage = (IServiceProvider sp) => sp.GetRequiredService<ManageApiKeys>();

        Assert.True((await WorkspaceSteps.RunAsync(App, sp => manage(sp).RevokeAsync(actor, application.Id, first.Key.Id))).Succeeded);
        Assert.Equal(FailureCode.NotFound, (await WorkspaceSteps.RunAsync(App, sp => manage(sp).RevokeAsync(actor, application.Id, first.Key.Id))).Failure?.Code);

        var rotated = await WorkspaceSteps.RunAsync(App, sp => manage(sp).RotateAsync(actor, application.Id, second.Key.Id));
        Assert.True(rotated.Succeeded, rotated.Failure?.Message);
        await using var db = App.CreateDbContext();
        var old = await db.Set<ApiKey>().SingleAsync(k => k.Id == second.Key.Id, TestContext.Current.CancellationToken);
        Assert.Equal(App.Clock.GetUtcNow() + TimeSpan.FromHours(24), old.ExpiresAt!.Value, TimeSpan.FromMilliseconds(1));
        var replacement = await db.Set<ApiKey>().SingleAsync(k => k.Id == rotated.Value!.Key.Id, TestContext.Current.CancellationToken);
        Assert.Equal(second.Key.Id, replacement.ReplacesKeyId);
        Assert.Equal(second.Key.Scopes, replacement.Scopes);

        App.Clock.Advance(TimeSpan.FromHours(24));
        Assert.Equal(FailureCode.NotFound, (await WorkspaceSteps.RunAsync(App, sp => manage(sp).RevokeAsync(actor, application.Id, second.Key.Id))).Failure?.Code);
        Assert.Equal(1, await db.Set<AuditEvent>().CountAsync(e => e.Action == "key.revoked", TestContext.Current.CancellationToken));
        Assert.Equal(1, await db.Set<AuditEvent>().CountAsync(e => e.Action == "key.rotated", TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(WorkspaceRole.Admin, null)]
    [InlineData(WorkspaceRole.Developer, null)]
    [InlineData(WorkspaceRole.Billing, FailureCode.Forbidden)]
    [InlineData(WorkspaceRole.Viewer, FailureCode.Forbidden)]
    [InlineData(null, FailureCode.NotFound)]
    public async Task Create_FollowsThePermissionTable(WorkspaceRole? role, FailureCode? refusal)
    {
        var (application, _) = await ApplicationAsync();
        var user = await WorkspaceSteps.CreateUserAsync(App);
        if (role is { } r)
        {
            await using var db = App.CreateDbContext();
            db.Add(new Core.Members.Member { WorkspaceId = application.WorkspaceId, UserId = user.Id, Role = r, JoinedAt = App.Clock.GetUtcNow() });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var created = await CreateAsync(user, application, ApiKeyType.Secret);
        var listed = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ApiKeyQueries>().ListAsync(user.Id, application.Id));

        Assert.Equal(refusal, created.Failure?.Code);
        Assert.Equal(role is null ? FailureCode.NotFound : null, listed.Failure?.Code);
    }
}
