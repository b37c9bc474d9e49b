using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Portal.Core.Usage;

/// <summary>
/// The request path's only contact with metering: <see cref="Record"/> puts an event into a bounded channel and
/// returns at once. When the channel is full (the writer is behind, or Redis has been away long enough to fill its
/// buffer), the event is dropped and counted in <see cref="Dropped"/>; a request never waits and never fails here.
/// </summary>
public sealed class UsageMeter
{
    private readonly Channel<UsageEvent> _channel;
    private long _dropped;

    public UsageMeter(IOptions<MeteringOptions> options)
    {
        _channel = Channel.CreateBounded<UsageEvent>(new BoundedChannelOptions(options.Value.ChannelCapacity)
        {
            // TryWrite on a full channel returns false in Wait mode (it never waits): the drop is ours to count.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
    }

    /// <summary>Events dropped because the channel was full, since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events waiting for the writer.</summary>
    public int Pending => _channel.Reader.Count;

    public bool Record(in UsageEvent usage)
    {
        if (_channel.Writer.TryWrite(usage))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    internal ChannelReader<UsageEvent> Reader => _channel.Reader;
}
