namespace Portal.Core.Audit;

/// <summary>The kinds of thing an audit event is about (<see cref="AuditEvent.TargetType"/>).</summary>
public static class AuditTargets
{
    public const string User = "user";
    public const string Workspace = "workspace";
    public const string Member = "member";
    public const string Invitation = "invitation";
}
