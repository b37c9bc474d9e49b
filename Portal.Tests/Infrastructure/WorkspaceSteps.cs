using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Workspaces;

namespace Portal.Tests.Infrastructure;

/// <summary>Users and workspaces made straight through the database and the use cases, for tests about what comes after.</summary>
public static class WorkspaceSteps
{
    public static async Task<string> UserIdAsync(PortalApp app, string email)
    {
        await using var db = app.CreateDbContext();
        return await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A confirmed account that never signs in (a member or actor that only needs to exist).</summary>
    public static async Task<PortalUser> AddUserAsync(PortalApp app, string? email = null)
    {
        email ??= AccountSteps.NewEmail();
        var user = new PortalUser
        {
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = true,
            CreatedAt = app.Clock.GetUtcNow(),
        };
        await using var db = app.CreateDbContext();
        db.Users.Add(user);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return user;
    }

    /// <summary>A new workspace owned by <paramref name="ownerId"/>, through the real use case.</summary>
    public static async Task<string> CreateWorkspaceAsync(PortalApp app, string ownerId, string? name = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<CreateWorkspace>()
            .ExecuteAsync(Actor.User(ownerId, "owner"), name ?? $"Workspace {Guid.NewGuid():N}"[..20], null, TestContext.Current.CancellationToken);
        Assert.True(created.Succeeded, created.Failure?.Message);
        return created.Value.Id;
    }
}
