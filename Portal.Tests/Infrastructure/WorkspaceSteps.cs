using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.Audit;
using Portal.Core.Members;
using Portal.Core.Workspaces;

namespace Portal.Tests.Infrastructure;

/// <summary>Quick set-up of users, workspaces and memberships straight through the services, for tests about what follows.</summary>
public static class WorkspaceSteps
{
    /// <summary>A confirmed account with the test password, created without the sign-up pages.</summary>
    public static async Task<PortalUser> CreateUserAsync(PortalApp app, string? email = null)
    {
        email ??= AccountSteps.NewEmail();
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = app.Clock.GetUtcNow() };
        var result = await users.CreateAsync(user, AccountSteps.StrongPassword);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return user;
    }

    public static Actor ActorFor(PortalUser user) => Actor.User(user.Id, user.Email);

    public static async Task<Workspace> CreateWorkspaceAsync(PortalApp app, PortalUser owner, string? slug = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        slug ??= $"ws-{Guid.NewGuid():N}"[..20];
        var created = await scope.ServiceProvider.GetRequiredService<CreateWorkspace>().ExecuteAsync(ActorFor(owner), $"Team {slug}", slug);
        Assert.True(created.Succeeded, created.Failure?.Message);
        return created.Value;
    }

    /// <summary>Makes <paramref name="user"/> a member with <paramref name="role"/> directly, as if they had accepted an invitation.</summary>
    public static async Task<Member> AddMemberAsync(PortalApp app, Workspace workspace, PortalUser user, WorkspaceRole role)
    {
        await using var db = app.CreateDbContext();
        var member = new Member { WorkspaceId = workspace.Id, UserId = user.Id, Role = role, JoinedAt = app.Clock.GetUtcNow() };
        db.Add(member);
        await db.SaveChangesAsync();
        return member;
    }

    /// <summary>The before and after an audit event recorded for <paramref name="field"/>, as JSON text ("null" when absent).</summary>
    public static (string Before, string After) ChangeOf(AuditEvent auditEvent, string field)
    {
        var changes = System.Text.Json.Nodes.JsonNode.Parse(auditEvent.Changes ?? "{}")!;
        var entry = changes[field] ?? throw new Xunit.Sdk.XunitException($"{auditEvent.Action} recorded no change of '{field}': {auditEvent.Changes}");
        return (entry["before"]?.ToJsonString() ?? "null", entry["after"]?.ToJsonString() ?? "null");
    }

    public static async Task<T> RunAsync<T>(PortalApp app, Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

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
