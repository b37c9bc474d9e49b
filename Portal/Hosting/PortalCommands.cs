using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core;
using Portal.Core.Admin;
using Portal.Jobs;

namespace Portal.Hosting;

/// <summary>
/// The binary's commands: none (serve), <c>migrate</c> (apply EF Core migrations and install Hangfire's schema),
/// <c>grant-admin &lt;email&gt;</c> (make an account a platform administrator), <c>simulate-kubernetes</c> (the
/// Kubernetes API simulator on its own; it needs no portal configuration, so it runs before the host is built).
/// </summary>
public static class PortalCommands
{
    private static readonly string[] Commands = ["migrate", "grant-admin"];

    /// <summary>The arguments left for the host's configuration once the command and its operands are taken out.</summary>
    public static string[] HostArguments(string[] args) =>
        args.Length > 0 && Commands.Contains(args[0]) ? args[(args[0] == "grant-admin" ? 2 : 1)..] : args;

    /// <summary>Runs a command that needs no portal configuration (no database); null when <paramref name="args"/> name none.</summary>
    public static async Task<int?> TryRunStandaloneCommandAsync(string[] args) =>
        args.FirstOrDefault() == SimulateKubernetesCommand.Name ? await SimulateKubernetesCommand.RunAsync(args[1..]) : null;

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        if (await TryRunCommandAsync(app.Services, args) is { } exitCode)
        {
            return exitCode;
        }

        await app.RunAsync();
        return 0;
    }

    /// <summary>Runs the command <paramref name="args"/> names and returns its exit code; null when they name none.</summary>
    public static async Task<int?> TryRunCommandAsync(IServiceProvider services, string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "migrate":
                await MigrateAsync(services, CancellationToken.None);
                Console.WriteLine("Database is up to date.");
                return 0;
            case "grant-admin":
                return await GrantAdminAsync(services, args.Length > 1 ? args[1] : null);
            default:
                return null;
        }
    }

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        await JobsServiceCollectionExtensions.InstallJobStorageAsync(
            scope.ServiceProvider.GetRequiredService<NpgsqlDataSource>(), cancellationToken);
    }

    private static async Task<int> GrantAdminAsync(IServiceProvider services, string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            await Console.Error.WriteLineAsync("Usage: Portal grant-admin <email>");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<GrantPlatformAdmin>().ExecuteAsync(email);
        if (!result.Succeeded)
        {
            await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, result.Errors.Select(e => e.Description)));
            return 1;
        }

        Console.WriteLine($"{email} is now a platform administrator.");
        return 0;
    }
}
