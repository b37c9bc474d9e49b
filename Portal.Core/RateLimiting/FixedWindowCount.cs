namespace Portal.Core.RateLimiting;

/// <summary>A window's count after a hit (or a refusal, which is not counted), and the time until the window ends.</summary>
public readonly record struct FixedWindowCount(long Count, TimeSpan Reset);
