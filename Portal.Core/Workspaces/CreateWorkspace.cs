using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Members;

namespace Portal.Core.Workspaces;

public sealed class CreateWorkspace(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock, IOptions<WorkspaceOptions> options)
{
    /// <summary>Creates a workspace on the free plan with <paramref name="actor"/> as its owner; the slug defaults to one made from the name.</summary>
    public async Task<Outcome<Workspace>> ExecuteAsync(Actor actor, string? name, string? slug, CancellationToken cancellationToken = default)
    {
        if (actor.UserId is not { } userId)
        {
            return Failure.Forbidden("Only a user can create a workspace.");
        }

        name = name?.Trim();
        slug = string.IsNullOrWhiteSpace(slug) ? WorkspaceRules.SuggestSlug(name) : slug.Trim();
        if ((WorkspaceRules.ValidateName(name) ?? WorkspaceRules.ValidateSlug(slug)) is { } invalid)
        {
            return invalid;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // One create at a time per account: the count of owned workspaces below and the insert are one decision.
        await using var transaction = await RowLocks.LockUserAsync(db, userId, cancellationToken);
        if (await db.Set<Workspace>().AnyAsync(w => w.Slug == slug, cancellationToken))
        {
            return SlugTaken(slug);
        }

        var owned = await db.Set<Member>().CountAsync(
            m => m.UserId == userId && m.Role == WorkspaceRole.Owner && m.Workspace!.Status != WorkspaceStatus.Deleted, cancellationToken);
        if (owned >= options.Value.MaxOwnedWorkspaces)
        {
            return Failure.Forbidden($"You already own {owned} workspaces, the most one account may own.");
        }

        var now = clock.GetUtcNow();
        var workspace = new Workspace { Name = name!, Slug = slug, CreatedAt = now, CreatedByUserId = userId };
        db.Add(workspace);
        db.Add(new Member { WorkspaceId = workspace.Id, UserId = userId, Role = WorkspaceRole.Owner, JoinedAt = now });
        audit.Add(db, actor, "workspace.created", workspace.Id, "workspace", workspace.Id, new AuditChanges()
            .Field<string?>("name", null, workspace.Name)
            .Field<string?>("slug", null, workspace.Slug)
            .Field<string?>("plan", null, "free"));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return SlugTaken(slug);
        }

        return workspace;
    }

    private static Failure SlugTaken(string slug) =>
        Failure.Conflict($"The slug '{slug}' is taken; choose another.", "slug");
}
