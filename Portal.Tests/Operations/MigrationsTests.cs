using Microsoft.EntityFrameworkCore;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Operations;

public sealed class MigrationsTests(TestServers servers)
{
    /// <summary>The check `dotnet ef migrations has-pending-model-changes` makes: the model and the migrations agree.</summary>
    [Fact]
    public async Task Model_HasNoChangesMissingFromTheMigrations()
    {
        await using var db = PostgresServer.CreateContext(await servers.Postgres.CreateDatabaseAsync());

        Assert.False(db.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add <Name> --project migrations --startup-project migrations");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
    }
}
