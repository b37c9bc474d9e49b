using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Audit;

/// <summary>
/// Which events of a workspace to read. <paramref name="Actor"/> matches the actor's id exactly or a part of its name
/// or email; <paramref name="Action"/> matches exactly, or as a prefix when it ends with <c>.</c> or <c>*</c>
/// (<c>member.</c>); <paramref name="From"/> is inclusive and <paramref name="To"/> exclusive, both UTC.
/// </summary>
public sealed record AuditFilter(string? Actor = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    public static readonly AuditFilter None = new();

    internal IQueryable<AuditEvent> Apply(IQueryable<AuditEvent> events)
    {
        if (Actor?.Trim() is { Length: > 0 } actor)
        {
            var pattern = LikePattern.Containing(actor);
            events = events.Where(e => e.ActorId == actor || (e.ActorName != null && EF.Functions.ILike(e.ActorName, pattern, LikePattern.EscapeCharacter)));
        }

        if (Action?.Trim() is { Length: > 0 } action)
        {
            if (action.EndsWith('*') || action.EndsWith('.'))
            {
                var prefix = action.TrimEnd('*');
                events = events.Where(e => e.Action.StartsWith(prefix));
            }
            else
            {
                events = events.Where(e => e.Action == action);
            }
        }

        if (From is { } from)
        {
            var fromUtc = from.ToUniversalTime();
            events = events.Where(e => e.OccurredAt >= fromUtc);
        }

        if (To is { } to)
        {
            var toUtc = to.ToUniversalTime();
            events = events.Where(e => e.OccurredAt < toUtc);
        }

        return events;
    }
}
