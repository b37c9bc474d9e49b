using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core;

namespace Portal.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Hangfire on PostgreSQL storage; with <paramref name="runWorker"/>, this process also runs a Hangfire server.</summary>
    public static IServiceCollection AddPortalJobs(this IServiceCollection services, IConfiguration configuration, bool runWorker)
    {
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();

        var connectionString = configuration.GetRequiredConnectionString("Portal");
        services.AddHangfire((sp, hangfire) =>
        {
            var options = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            hangfire
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(
                    storage => storage.UseNpgsqlConnection(connectionString),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = JobsOptions.Schema,
                        // The schema is installed by the `migrate` command, never at start-up.
                        PrepareSchemaIfNecessary = false,
                        EnableLongPolling = true,
                        QueuePollInterval = options.QueuePollInterval,
                        UseSlidingInvisibilityTimeout = true,
                    });
        });

        if (runWorker)
        {
            services.AddHangfireServer((sp, server) =>
            {
                var options = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
                server.Queues = JobQueues.All;
                server.WorkerCount = options.WorkerCount;
                server.SchedulePollingInterval = options.SchedulePollingInterval;
            });
            services.AddHostedService<RecurringJobsRegistration>();
        }

        return services;
    }

    /// <summary>Creates or upgrades Hangfire's tables (part of the <c>migrate</c> command).</summary>
    public static async Task InstallJobStorageAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        PostgreSqlObjectsInstaller.Install(connection, JobsOptions.Schema);
    }
}
