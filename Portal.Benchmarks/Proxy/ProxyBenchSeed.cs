using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Workspaces;

namespace Portal.Benchmarks.Proxy;

/// <summary>
/// The benchmark's tenant in its throw-away database: an enterprise workspace, an active application whose internal
/// URL is the upstream, and a secret key (all scopes) made afresh on every run, so that no proxy cache can hold an
/// older upstream address for it. Written with EF Core straight to the tables: a fixture, not a customer action.
/// </summary>
internal static class ProxyBenchSeed
{
    public const string WorkspaceId = "ws_benchproxy";
    public const string ApplicationId = "app_benchproxy";

    /// <summary>Seeds and returns the key's value.</summary>
    public static async Task<string> SeedAsync(string connectionString, Uri upstream, CancellationToken cancellationToken)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>().UseNpgsql(connectionString).Options;
        await using var db = new PortalDbContext(options);
        var now = DateTimeOffset.UtcNow;

        var workspace = await db.Set<Workspace>().SingleOrDefaultAsync(w => w.Id == WorkspaceId, cancellationToken);
        if (workspace is null)
        {
            workspace = new Workspace { Id = WorkspaceId, Name = "Proxy benchmark", Slug = "bench-proxy", CreatedAt = now };
            db.Add(workspace);
        }

        workspace.Plan = WorkspacePlan.Enterprise;
        workspace.Status = WorkspaceStatus.Active;
        workspace.DeletedAt = null;
        workspace.SuspendedAt = null;

        var application = await db.Set<Application>().SingleOrDefaultAsync(a => a.Id == ApplicationId, cancellationToken);
        if (application is null)
        {
            application = new Application
            {
                Id = ApplicationId,
                WorkspaceId = WorkspaceId,
                Name = "Proxy benchmark",
                Slug = "bench",
                Region = "bench",
                Environment = ApplicationEnvironment.Production,
                CreatedAt = now,
            };
            db.Add(application);
        }

        application.Status = ApplicationStatus.Active;
        application.DeletedAt = null;
        application.InternalUrl = upstream.ToString().TrimEnd('/');

        await db.Set<ApiKey>().Where(k => k.ApplicationId == ApplicationId).ExecuteDeleteAsync(cancellationToken);
        var key = ApiKeyFormat.New(ApiKeyType.Secret, ApplicationEnvironment.Production);
        db.Add(new ApiKey
        {
            ApplicationId = ApplicationId,
            Name = "benchmark",
            Type = ApiKeyType.Secret,
            DisplayPrefix = ApiKeyFormat.Display(key),
            Hash = ApiKeyFormat.Hash(key),
            Scopes = ["*"],
            CreatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);
        return key;
    }
}
