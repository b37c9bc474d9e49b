namespace Portal.Core.Audit;

/// <summary>
/// Adds audit events to the caller's <see cref="PortalDbContext"/>, so that an event is saved in the same transaction
/// as the change it records: there is never a change without its event, nor an event for a change that failed.
/// </summary>
public sealed class AuditLog(TimeProvider clock)
{
    public AuditEvent Add(
        PortalDbContext db,
        Actor actor,
        string action,
        string? workspaceId,
        string targetType,
        string? targetId,
        AuditChanges? changes = null)
    {
        var entry = new AuditEvent
        {
            OccurredAt = clock.GetUtcNow(),
            WorkspaceId = workspaceId,
            ActorType = actor.Type,
            ActorId = actor.Id,
            ActorName = actor.Name,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            Changes = changes?.ToJson(),
            IpAddress = actor.IpAddress,
            UserAgent = actor.UserAgent,
            RequestId = actor.RequestId,
        };
        db.Add(entry);
        return entry;
    }
}
