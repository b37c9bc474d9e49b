namespace Portal.Core.Usage;

/// <summary>
/// One proxied request, as the request path hands it to <see cref="UsageMeter"/>: a small value, copied into the
/// channel, no allocation of its own. <see cref="MauUserId"/> is set only for a successful sign-up, sign-in or refresh.
/// </summary>
public readonly record struct UsageEvent(
    string ApplicationId,
    string? KeyId,
    int StatusCode,
    long BytesIn,
    long BytesOut,
    long LatencyMicroseconds,
    string? MauUserId,
    DateTimeOffset Timestamp)
{
    /// <summary>0 for 1xx, 1 for 2xx … 4 for 5xx; anything outside 100–599 counts as a server error.</summary>
    public int StatusClassIndex => StatusCode is >= 100 and < 600 ? (StatusCode / 100) - 1 : 4;
}
