using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core;
using Portal.Core.Members;
using Portal.Core.Notifications;
using Portal.Core.Provisioning;
using Portal.Core.Webhooks;
using Portal.Jobs.Members;
using Portal.Jobs.Notifications;
using Portal.Jobs.Provisioning;
using Portal.Jobs.Webhooks;

namespace Portal.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Hangfire on PostgreSQL storage; with <paramref name="runWorker"/>, this process also runs a Hangfire server.</summary>
    public static IServiceCollection AddPortalJobs(this IServiceCollection services, IConfiguration configuration, bool runWorker)
    {
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();

        var connectionString = configuration.GetRequiredConnectionString("Portal");

        // The storage and the job activator are this container's own. Hangfire's default registrations hand out the
        // statics JobStorage.Current and JobActivator.Current, which another host in the same process (tests,
        // benchmarks) overwrites: its worker would then watch, or build jobs from, the other host.
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddSingleton<JobStorage>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            var storageOptions = new PostgreSqlStorageOptions
            {
                SchemaName = JobsOptions.Schema,
                // The schema is installed by the `migrate` command, never at start-up.
                PrepareSchemaIfNecessary = false,
                EnableLongPolling = true,
                QueuePollInterval = options.QueuePollInterval,
                UseSlidingInvisibilityTimeout = true,
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, storageOptions, null), storageOptions);
        });
        services.AddHangfire((sp, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseActivator(sp.GetRequiredService<JobActivator>())
            .UseStorage(sp.GetRequiredService<JobStorage>()));

        services.AddSingleton<IEmailRetries, HangfireEmailRetries>();
        services.AddSingleton<IInvitationDelivery, HangfireInvitationDelivery>();
        services.AddSingleton<HangfireProvisioningQueue>();
        services.AddSingleton<IProvisioningQueue>(sp => sp.GetRequiredService<HangfireProvisioningQueue>());
        services.AddSingleton<IInstanceRollQueue>(sp => sp.GetRequiredService<HangfireProvisioningQueue>());
        services.AddSingleton<IWebhookQueue, HangfireWebhookQueue>();

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
