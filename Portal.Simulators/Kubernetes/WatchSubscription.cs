using System.Threading.Channels;

namespace Portal.Simulators.Kubernetes;

/// <summary>An open watch: the store writes the events it selects; the HTTP response reads them.</summary>
internal sealed class WatchSubscription(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields)
{
    private readonly Channel<WatchMessage> _messages = Channel.CreateUnbounded<WatchMessage>(new UnboundedChannelOptions { SingleReader = true });

    public ResourceType Type { get; } = type;

    public ChannelReader<WatchMessage> Messages => _messages.Reader;

    /// <summary>Cancelled to drop the stream, as when a fault asks for it or the simulator stops.</summary>
    public CancellationTokenSource Dropped { get; } = new();

    /// <summary>Called under the store's lock.</summary>
    public void Offer(WatchEvent change)
    {
        if (change.Object.Type != Type || (ns is not null && change.Object.Namespace != ns))
        {
            return;
        }

        var matchesNow = Selects(change.Object);
        var matchedBefore = change.Previous is not null && Selects(change.Previous);
        var type = change.Type switch
        {
            "DELETED" => matchesNow || matchedBefore ? "DELETED" : null,
            "ADDED" => matchesNow ? "ADDED" : null,
            // A label change moves an object into or out of a selector: watchers see it arrive or leave.
            _ => (matchedBefore, matchesNow) switch
            {
                (true, true) => "MODIFIED",
                (false, true) => "ADDED",
                (true, false) => "DELETED",
                _ => null,
            },
        };
        if (type is not null)
        {
            _messages.Writer.TryWrite(new WatchMessage(type, change.Object.Json));
        }
    }

    public void Send(WatchMessage message) => _messages.Writer.TryWrite(message);

    public bool Selects(StoredObject obj) => labels.Matches(obj) && fields.Matches(obj);

    public void Complete() => _messages.Writer.TryComplete();
}
