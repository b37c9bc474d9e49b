namespace Portal.Core.Audit;

/// <summary>Where a request came from, as recorded on audit events.</summary>
public sealed record ClientInfo(string? IpAddress, string? UserAgent, string? RequestId)
{
    public const int MaxUserAgentLength = 512;

    public static ClientInfo Create(string? ipAddress, string? userAgent, string? requestId) =>
        new(ipAddress, userAgent is { Length: > MaxUserAgentLength } ? userAgent[..MaxUserAgentLength] : userAgent, requestId);
}
