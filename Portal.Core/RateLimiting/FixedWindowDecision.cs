namespace Portal.Core.RateLimiting;

/// <summary>
/// The answer of <see cref="FixedWindowLimiter"/>: allowed (counted in every window) or refused (counted in none),
/// with each window's count; <see cref="Second"/> is default when one window was asked.
/// </summary>
public readonly record struct FixedWindowDecision(bool Allowed, FixedWindowCount First, FixedWindowCount Second);
