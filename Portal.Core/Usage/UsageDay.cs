namespace Portal.Core.Usage;

public sealed class UsageDay : UsagePeriod;
