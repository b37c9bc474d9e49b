using System.Net;

namespace Portal.Core.Webhooks;

/// <summary>Thrown at connect time when every address of a webhook's host is one <see cref="WebhookDestinations.IsPrivate"/> refuses.</summary>
public sealed class WebhookDestinationRefusedException(string host, IReadOnlyList<IPAddress> addresses)
    : Exception($"Refused: '{host}' resolves to {string.Join(", ", addresses)}, which is not a public address.")
{
    public string Host { get; } = host;

    public IReadOnlyList<IPAddress> Addresses { get; } = addresses;
}
