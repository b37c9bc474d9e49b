namespace Portal.Core.Usage;

public sealed class UsageHour : UsagePeriod;
