using Portal.Core.Applications;
using StackExchange.Redis;

namespace Portal.Features.Applications;

/// <summary>Calls back the open pages of an application when <see cref="ApplicationChanges"/> announces a change (status, provisioning run).</summary>
public sealed class ApplicationChangeSubscriber(IConnectionMultiplexer redis, ILogger<ApplicationChangeSubscriber> logger)
    : ChangeSubscriber(redis, ApplicationChanges.Channel, "application changes", logger);
