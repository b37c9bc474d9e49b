using Microsoft.Extensions.Hosting;

namespace Portal.Core.Usage;

/// <summary>Runs <see cref="UsageWriter"/> in the background of a proxy process.</summary>
public sealed class UsageWriterService(UsageWriter writer) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() => writer.RunAsync(stoppingToken), CancellationToken.None);
}
