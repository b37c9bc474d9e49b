using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Applications;
using Portal.Features.Applications;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;

namespace Portal.Tests.Applications;

/// <summary>Change notifications through the real Redis: what the worker publishes reaches the pages that subscribed, in few calls.</summary>
public sealed class ApplicationChangesTests(TestServers servers) : PortalTest(servers)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<ApplicationChangeSubscriber> ListeningSubscriberAsync()
    {
        var subscriber = App.Services.GetRequiredService<ApplicationChangeSubscriber>();
        await subscriber.Listening.WaitAsync(Patience, Ct);
        return subscriber;
    }

    /// <summary>Waits until <paramref name="calls"/> has not changed for a while (the debounce window many times over).</summary>
    private static async Task QuietAsync(ConcurrentDictionary<string, int> calls)
    {
        var last = calls.ToArray();
        for (var quiet = 0; quiet < 5;)
        {
            await Task.Delay(100, Ct);
            var now = calls.ToArray();
            quiet = now.OrderBy(p => p.Key).SequenceEqual(last.OrderBy(p => p.Key)) ? quiet + 1 : 0;
            last = now;
        }
    }

    [Fact]
    public async Task Publish_ReachesTheSubscribersOfThatApplication_ThroughRedis()
    {
        var subscriber = await ListeningSubscriberAsync();
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = subscriber.Subscribe("app_roundtrip", () =>
        {
            called.TrySetResult();
            return Task.CompletedTask;
        });

        App.Services.GetRequiredService<ApplicationChanges>().Publish("app_roundtrip");

        await called.Task.WaitAsync(Patience, Ct);
    }

    [Fact]
    public async Task ABurst_IsOneOrTwoCalls_OnlyForThatApplication_AndNotAfterDisposal()
    {
        var subscriber = await ListeningSubscriberAsync();
        var calls = new ConcurrentDictionary<string, int>();
        Func<Task> Count(string name) => () =>
        {
            calls.AddOrUpdate(name, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        };

        using var watched = subscriber.Subscribe("app_burst", Count("watched"));
        using var other = subscriber.Subscribe("app_quiet", Count("other"));
        subscriber.Subscribe("app_burst", Count("disposed")).Dispose();
        var changes = App.Services.GetRequiredService<ApplicationChanges>();

        for (var i = 0; i < 20; i++)
        {
            changes.Publish("app_burst");
        }

        var deadline = DateTime.UtcNow + Patience;
        while (!calls.ContainsKey("watched") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        await QuietAsync(calls);
        Assert.InRange(calls.GetValueOrDefault("watched"), 1, 2);
        Assert.False(calls.ContainsKey("other"));
        Assert.False(calls.ContainsKey("disposed"));
    }

    [Fact]
    public async Task Publish_WithRedisDown_DoesNotFailTheCaller()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        var options = ConfigurationOptions.Parse(redis.ConnectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var changes = new ApplicationChanges(connection, NullLogger<ApplicationChanges>.Instance);
        changes.Publish("app_before");

        await redis.DisposeAsync();
        var deadline = DateTime.UtcNow + Patience;
        while (connection.IsConnected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        Assert.False(connection.IsConnected);
        var published = Record.Exception(() => changes.Publish("app_during"));
        Assert.Null(published);
    }
}
