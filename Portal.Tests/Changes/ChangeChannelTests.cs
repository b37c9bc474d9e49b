using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Changes;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;

namespace Portal.Tests.Changes;

/// <summary>
/// The change channel through the real Redis, each "process" a connection of its own: what one publishes reaches the
/// listeners of that topic in the others with the same key prefix, in order, and keeps doing so across a lost
/// connection. "Nothing else arrived" is proved by a later message arriving first, never by waiting.
/// </summary>
public sealed class ChangeChannelTests(TestServers servers) : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly List<IDisposable> _disposables = [];
    private readonly List<ConnectionMultiplexer> _connections = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewPrefix() => $"test-{Guid.NewGuid():N}:";

    private async Task<ConnectionMultiplexer> ConnectAsync(string? connectionString = null, string? name = null)
    {
        var options = ConfigurationOptions.Parse(connectionString ?? servers.Redis.ConnectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ClientName = name;
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        _connections.Add(connection);
        return connection;
    }

    private ChangeChannel Channel(IConnectionMultiplexer connection, string prefix, TimeProvider? clock = null)
    {
        var channel = new ChangeChannel(connection, prefix, clock ?? TimeProvider.System, NullLogger<ChangeChannel>.Instance);
        _disposables.Add(channel);
        return channel;
    }

    /// <summary>The ids of <paramref name="topic"/> that <paramref name="channel"/> hears, in the order heard.</summary>
    private Channel<string> Heard(ChangeChannel channel, ChangeTopic topic)
    {
        var heard = System.Threading.Channels.Channel.CreateUnbounded<string>();
        _disposables.Add(channel.Subscribe(topic, id => heard.Writer.TryWrite(id)));
        return heard;
    }

    private static async Task<string> NextAsync(Channel<string> heard) => await heard.Reader.ReadAsync(Ct).AsTask().WaitAsync(Patience, Ct);

    [Fact]
    public async Task Publish_ReachesTheListenersOfThatTopic_InAnotherProcess_InOrder()
    {
        var prefix = NewPrefix();
        var publisher = Channel(await ConnectAsync(), prefix);
        var listener = Channel(await ConnectAsync(), prefix);
        var applications = Heard(listener, ChangeTopic.Application);
        var usage = Heard(listener, ChangeTopic.Usage);
        await listener.Listening.WaitAsync(Patience, Ct);

        publisher.Publish(ChangeTopic.Application, "app_first");
        publisher.Publish(ChangeTopic.Usage, ["app_u1", "app_u2"]);
        await publisher.PublishAsync(ChangeTopic.Application, "app_last");

        Assert.Equal("app_first", await NextAsync(applications));
        Assert.Equal("app_last", await NextAsync(applications));
        // Heard before app_last, which was published after them.
        Assert.True(usage.Reader.TryRead(out var first));
        Assert.True(usage.Reader.TryRead(out var second));
        Assert.Equal(("app_u1", "app_u2"), (first, second));
        Assert.False(usage.Reader.TryRead(out _));
    }

    [Fact]
    public async Task AnotherPrefix_IsNotHeard()
    {
        var prefix = NewPrefix();
        var connection = await ConnectAsync();
        var neighbour = Channel(connection, NewPrefix());
        var publisher = Channel(connection, prefix);
        var listener = Channel(await ConnectAsync(), prefix);
        var heard = Heard(listener, ChangeTopic.Application);
        await listener.Listening.WaitAsync(Patience, Ct);

        // On one connection, in this order: had the prefix been ignored, the neighbour's message would arrive first.
        await neighbour.PublishAsync(ChangeTopic.Application, "app_neighbour");
        await publisher.PublishAsync(ChangeTopic.Application, "app_mine");

        Assert.Equal("app_mine", await NextAsync(heard));
    }

    [Fact]
    public async Task AListener_KeepsHearing_AfterRedisDropsItsConnection_AndHearsEachMessageOnce()
    {
        var prefix = NewPrefix();
        var name = $"changes-{Guid.NewGuid():N}";
        var publisher = Channel(await ConnectAsync(), prefix);
        var listening = await ConnectAsync(name: name);
        var listener = Channel(listening, prefix);
        var heard = Heard(listener, ChangeTopic.Application);
        await listener.Listening.WaitAsync(Patience, Ct);
        await publisher.PublishAsync(ChangeTopic.Application, "app_before");
        Assert.Equal("app_before", await NextAsync(heard));

        var admin = await ConnectAsync(servers.Redis.ConnectionString + ",allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var killed = 0;
        foreach (var client in await server.ClientListAsync())
        {
            if (client.Name == name)
            {
                await server.ClientKillAsync(new ClientKillFilter().WithId(client.Id));
                killed++;
            }
        }

        Assert.True(killed > 0, "the listener's connections were not found");

        // Published until heard: what is published before the library has subscribed again is lost, as designed.
        var deadline = TimeProvider.System.GetUtcNow() + Patience;
        string? back = null;
        for (var attempt = 0; back is null; attempt++)
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "the listener heard nothing after its connection was dropped");
            await publisher.PublishAsync(ChangeTopic.Application, $"app_after_{attempt}");
            var arrived = heard.Reader.WaitToReadAsync(Ct).AsTask();
            if (await Task.WhenAny(arrived, Task.Delay(200, Ct)) == arrived && heard.Reader.TryRead(out var id))
            {
                back = id;
            }
        }

        Assert.StartsWith("app_after_", back, StringComparison.Ordinal);
        await publisher.PublishAsync(ChangeTopic.Application, "app_sentinel");
        // Once subscribed again, once only: no message is heard twice.
        var rest = new List<string>();
        for (var next = await NextAsync(heard); next != "app_sentinel"; next = await NextAsync(heard))
        {
            rest.Add(next);
        }

        Assert.Equal(rest.Distinct(), rest);
        Assert.DoesNotContain(back, rest);
    }

    [Fact]
    public async Task AListenerStartedWhileRedisIsDown_SubscribesOnceRedisIsBack_OnItsClock()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            var prefix = NewPrefix();
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var listening = await ConnectAsync(redis.ConnectionString);
            await redis.StopAsync();
            var listener = Channel(listening, prefix, clock);
            var heard = Heard(listener, ChangeTopic.Plan);

            await redis.StartAsync();
            var publisher = Channel(await ConnectAsync(redis.ConnectionString), prefix);
            // Retries wait on the clock: move it until the listener is subscribed.
            var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
            while (!listener.Listening.IsCompleted)
            {
                Assert.True(TimeProvider.System.GetUtcNow() < deadline, "the listener did not subscribe once Redis was back");
                clock.Advance(TimeSpan.FromSeconds(5));
                await Task.WhenAny(listener.Listening, Task.Delay(50, Ct));
            }

            await publisher.PublishAsync(ChangeTopic.Plan, "ws_one");
            await publisher.PublishAsync(ChangeTopic.Plan, "ws_two");
            Assert.Equal("ws_one", await NextAsync(heard));
            Assert.Equal("ws_two", await NextAsync(heard));
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
