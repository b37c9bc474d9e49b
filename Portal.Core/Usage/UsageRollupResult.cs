namespace Portal.Core.Usage;

public sealed record UsageRollupResult(long Claimed, int Applied, int AlreadyApplied, int KeyTimes);
