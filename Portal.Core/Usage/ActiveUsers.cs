namespace Portal.Core.Usage;

/// <summary>Distinct end users of a month (<c>YYYY-MM</c>) and what the plan includes (null: no included limit).</summary>
public sealed record ActiveUsers(string Month, long Count, long? Included);
