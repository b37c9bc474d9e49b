using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Changes;
using Portal.Features.Changes;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;

namespace Portal.Tests.Applications;

/// <summary>
/// Application change notifications through the real Redis: what the worker publishes reaches the pages that
/// subscribed, in few calls. "Nothing more arrived" is proved by a later message (the channel keeps order), never by waiting.
/// </summary>
public sealed class ApplicationChangesTests(TestServers servers) : PortalTest(servers)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<PageChangeSubscriber> ListeningSubscriberAsync()
    {
        var subscriber = App.Services.GetRequiredService<PageChangeSubscriber>();
        await subscriber.Listening.WaitAsync(Patience, Ct);
        return subscriber;
    }

    /// <summary>A page callback that completes <paramref name="called"/>.</summary>
    private static Func<Task> Completes(TaskCompletionSource called) => () =>
    {
        called.TrySetResult();
        return Task.CompletedTask;
    };

    [Fact]
    public async Task Publish_ReachesTheSubscribersOfThatApplication_ThroughRedis()
    {
        var subscriber = await ListeningSubscriberAsync();
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = subscriber.Subscribe(ChangeTopic.Application, "app_roundtrip", Completes(called));

        App.Services.GetRequiredService<ChangeChannel>().Publish(ChangeTopic.Application, "app_roundtrip");

        await called.Task.WaitAsync(Patience, Ct);
    }

    [Fact]
    public async Task ABurstDuringACall_IsOneMoreCall_OnlyForThatApplication_AndNotAfterDisposal()
    {
        var subscriber = await ListeningSubscriberAsync();
        var changes = App.Services.GetRequiredService<ChangeChannel>();
        var calls = new ConcurrentDictionary<string, int>();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<Task> Count(string name) => () =>
        {
            calls.AddOrUpdate(name, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        };

        using var watched = subscriber.Subscribe(ChangeTopic.Application, "app_burst", async () =>
        {
            if (calls.AddOrUpdate("watched", 1, (_, n) => n + 1) == 1)
            {
                entered.TrySetResult();
                await release.Task;
            }
            else
            {
                secondDone.TrySetResult();
            }
        });
        using var other = subscriber.Subscribe(ChangeTopic.Application, "app_quiet", Count("other"));
        subscriber.Subscribe(ChangeTopic.Application, "app_burst", Count("disposed")).Dispose();
        var sentinel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sentinelSubscription = subscriber.Subscribe(ChangeTopic.Application, "app_sentinel", Completes(sentinel));

        changes.Publish(ChangeTopic.Application, "app_burst");
        await entered.Task.WaitAsync(Patience, Ct);
        // The first call is running: the whole burst, heard before the sentinel, makes one more call.
        for (var i = 0; i < 20; i++)
        {
            changes.Publish(ChangeTopic.Application, "app_burst");
        }

        changes.Publish(ChangeTopic.Application, "app_sentinel");
        await sentinel.Task.WaitAsync(Patience, Ct);
        release.TrySetResult();
        await secondDone.Task.WaitAsync(Patience, Ct);

        // A last round trip: a third call would need a message, and every message was heard before this one.
        var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (subscriber.Subscribe(ChangeTopic.Application, "app_last", Completes(last)))
        {
            changes.Publish(ChangeTopic.Application, "app_last");
            await last.Task.WaitAsync(Patience, Ct);
        }

        Assert.Equal(2, calls.GetValueOrDefault("watched"));
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
        using var changes = new ChangeChannel(connection, $"test-{Guid.NewGuid():N}:", TimeProvider.System, NullLogger<ChangeChannel>.Instance);
        changes.Publish(ChangeTopic.Application, "app_before");

        await redis.DisposeAsync();
        var deadline = DateTime.UtcNow + Patience;
        while (connection.IsConnected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        Assert.False(connection.IsConnected);
        Assert.Null(Record.Exception(() => changes.Publish(ChangeTopic.Application, "app_during")));
        Assert.Null(Record.Exception(() => changes.Publish(ChangeTopic.Usage, ["app_during", "app_after"])));
    }
}
