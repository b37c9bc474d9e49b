using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Core;
using Portal.Core.Audit;

namespace Portal.Features.Audit;

/// <summary>
/// The activity filters as query parameters, shared by the page's export links and the export endpoints:
/// <c>actor</c>, <c>action</c>, <c>from</c> and <c>to</c>. A date (<c>2026-11-28</c>) means that whole UTC day, so
/// <c>to</c> is inclusive; a date-time with an offset (<c>2026-11-28T10:00:00Z</c>) is that instant, <c>to</c> exclusive.
/// </summary>
public static class AuditFilterQuery
{
    public const int MaxActorLength = 256;
    public const int MaxActionLength = 64;
    private const string DateFormat = "yyyy-MM-dd";

    public static Outcome<AuditFilter> Parse(IQueryCollection query)
    {
        var actor = Single(query, "actor");
        var action = Single(query, "action");
        if (actor is { Length: > MaxActorLength })
        {
            return Failure.Invalid("actor", $"Parameter 'actor' is at most {MaxActorLength} characters.");
        }

        if (action is { Length: > MaxActionLength })
        {
            return Failure.Invalid("action", $"Parameter 'action' is at most {MaxActionLength} characters.");
        }

        if (!TryParseInstant(Single(query, "from"), endOfDay: false, out var from))
        {
            return BadDate("from");
        }

        if (!TryParseInstant(Single(query, "to"), endOfDay: true, out var to))
        {
            return BadDate("to");
        }

        if (actor is not null && TextRules.HasForbiddenCharacters(actor))
        {
            return Failure.Invalid("actor", $"'actor': {TextRules.ControlCharacterMessage}");
        }

        if (action is not null && TextRules.HasForbiddenCharacters(action))
        {
            return Failure.Invalid("action", $"'action': {TextRules.ControlCharacterMessage}");
        }

        if (from >= to)
        {
            return Failure.Invalid("to", "Parameter 'to' must be later than 'from'.");
        }

        return new AuditFilter(actor, action, from, to);
    }

    /// <summary>The filter of the activity page: whole UTC days from <paramref name="fromDay"/> through <paramref name="toDay"/>.</summary>
    public static AuditFilter FromDays(string? actor, string? action, DateTime? fromDay, DateTime? toDay) => new(
        string.IsNullOrWhiteSpace(actor) ? null : actor.Trim(),
        string.IsNullOrWhiteSpace(action) ? null : action.Trim(),
        fromDay is { } from ? UtcDays.Start(from) : null,
        toDay is { } to ? UtcDays.End(to) : null);

    /// <summary>The query string of the same filters for the export links of the activity page.</summary>
    public static string ToQueryString(string? actor, string? action, DateTime? fromDay, DateTime? toDay)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["actor"] = string.IsNullOrWhiteSpace(actor) ? null : actor.Trim(),
            ["action"] = string.IsNullOrWhiteSpace(action) ? null : action.Trim(),
            ["from"] = fromDay?.ToString(DateFormat, CultureInfo.InvariantCulture),
            ["to"] = toDay?.ToString(DateFormat, CultureInfo.InvariantCulture),
        };
        return QueryHelpers.AddQueryString("", parameters.Where(p => p.Value is not null));
    }

    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrWhiteSpace(values[^1]) ? values[^1]!.Trim() : null;

    private static bool TryParseInstant(string? value, bool endOfDay, out DateTimeOffset? instant)
    {
        instant = null;
        if (value is null)
        {
            return true;
        }

        if (DateTime.TryParseExact(value, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            instant = endOfDay ? UtcDays.End(day) : UtcDays.Start(day);
            return true;
        }

        // A date-time must say which zone it is in (Z or an offset): an export must not depend on the server's zone.
        if (value.Length > DateFormat.Length && (value.EndsWith('Z') || value[^6] is '+' or '-')
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            instant = parsed.ToUniversalTime();
            return true;
        }

        return false;
    }

    private static Failure BadDate(string name) => Failure.Invalid(name,
        $"Parameter '{name}' must be a date (2026-11-28) or a date-time with its offset (2026-11-28T10:00:00Z).");
}
