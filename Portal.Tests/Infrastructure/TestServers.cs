[assembly: AssemblyFixture(typeof(Portal.Tests.Infrastructure.TestServers))]

namespace Portal.Tests.Infrastructure;

/// <summary>The servers shared by the whole run: one PostgreSQL and one Redis, started once and stopped at the end.</summary>
public sealed class TestServers : IAsyncLifetime
{
    public PostgresServer Postgres { get; } = new();

    public RedisServer Redis { get; } = new();

    public async ValueTask InitializeAsync() => await Task.WhenAll(Postgres.InitializeAsync().AsTask(), Redis.InitializeAsync().AsTask());

    public async ValueTask DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}
