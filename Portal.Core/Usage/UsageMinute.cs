namespace Portal.Core.Usage;

public sealed class UsageMinute : UsagePeriod;
