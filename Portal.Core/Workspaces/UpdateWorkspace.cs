using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;

namespace Portal.Core.Workspaces;

public sealed class UpdateWorkspace(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit)
{
    public async Task<Outcome<Workspace>> ExecuteAsync(Actor actor, string workspaceId, WorkspaceChange change, CancellationToken cancellationToken = default)
    {
        if (((change.Name is null ? null : WorkspaceRules.ValidateName(change.Name)) ?? WorkspaceRules.ValidateMetadata(change.Metadata)) is { } invalid)
        {
            return invalid;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, actor.UserId, workspaceId, WorkspacePermission.ManageSettings, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        var workspace = await db.Set<Workspace>().SingleAsync(w => w.Id == workspaceId, cancellationToken);
        var changes = new AuditChanges();
        if (change.Name is { } name)
        {
            changes.Field("name", workspace.Name, name.Trim());
            workspace.Name = name.Trim();
        }

        if (change.Metadata is { } metadata)
        {
            changes.Field("metadata", workspace.Metadata, metadata);
            workspace.Metadata = new Dictionary<string, string>(metadata);
        }

        if (change.RequireTwoFactor is { } requireTwoFactor)
        {
            changes.Field("requireTwoFactor", workspace.RequireTwoFactor, requireTwoFactor);
            workspace.RequireTwoFactor = requireTwoFactor;
        }

        if (changes.IsEmpty)
        {
            return workspace;
        }

        audit.Add(db, actor, "workspace.updated", workspace.Id, "workspace", workspace.Id, changes);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Failure.Conflict("Someone else changed this workspace at the same time; reload and try again.");
        }

        return workspace;
    }
}
