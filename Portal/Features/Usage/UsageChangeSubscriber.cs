using Portal.Core.Usage;
using Portal.Features.Applications;
using StackExchange.Redis;

namespace Portal.Features.Usage;

/// <summary>Calls back the open metrics and usage pages of an application when the rollup announces new usage (<see cref="UsageChanges"/>).</summary>
public sealed class UsageChangeSubscriber(IConnectionMultiplexer redis, ILogger<UsageChangeSubscriber> logger)
    : ChangeSubscriber(redis, UsageChanges.Channel, "usage changes", logger);
