namespace Portal.Core.Usage;

/// <summary>A claimed Redis minute bucket whose counts are in the usage tables: the rollup adds a claim once only.</summary>
public sealed class UsageRollupClaim
{
    public required string Id { get; set; }

    public DateTimeOffset AppliedAt { get; set; }
}
