using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Kubernetes;
using Portal.Core.Workspaces;
using Portal.Jobs;
using Portal.Simulators.Kubernetes;
using StackExchange.Redis;

namespace Portal.Benchmarks.Provisioning;

/// <summary>
/// N applications created at once through <see cref="CreateApplication"/> (which enqueues their provisioning) and
/// provisioned by the portal's own Hangfire worker against the real PostgreSQL and Redis and the Kubernetes
/// simulator (pods ready 2 s after starting); once without faults, once with a share of the Kubernetes requests
/// failing (429/503 before, 500 after reaching the cluster). Prints create→active percentiles, success, per-step
/// durations from the ProvisioningStep rows, retries, and the tenant objects found against the applications.
/// </summary>
public static class ProvisioningBenchmark
{
    private const string Usage =
        "Usage: Portal.Benchmarks provisioning [--apps N] [--fault-rate R] [--scenario both|clean|faults] [--workers W] [--max-pool P] [--workspaces K] [--timeout SECONDS] [--keep]";

    private const string CleanRegion = "bench-clean";
    private const string FaultsRegion = "bench-faults";

    private static readonly string[] OptionNames = ["--apps", "--fault-rate", "--scenario", "--workers", "--max-pool", "--workspaces", "--timeout"];
    private static readonly string[] SwitchNames = ["--keep"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (BenchArgs.Help(args))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        if (BenchArgs.Unknown(args, OptionNames, SwitchNames) is { } unknown)
        {
            await Console.Error.WriteLineAsync($"Unknown option '{unknown}'.");
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        int apps, workers, workspaces, maxPool;
        double faultRate;
        TimeSpan timeout;
        try
        {
            apps = BenchArgs.Int(args, "--apps", 100);
            faultRate = BenchArgs.Double(args, "--fault-rate", 0.05);
            workers = BenchArgs.Int(args, "--workers", 100);
            workspaces = BenchArgs.Int(args, "--workspaces", 5);
            timeout = TimeSpan.FromSeconds(BenchArgs.Int(args, "--timeout", 600));
            maxPool = BenchArgs.Int(args, "--max-pool", 130);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var scenario = BenchArgs.String(args, "--scenario", "both");
        var keep = BenchArgs.Flag(args, "--keep");
        if (maxPool < 0 || apps < 1 || faultRate is < 0 or >= 1 || workers is < 1 or > 200 || workspaces < 1 || timeout <= TimeSpan.Zero || scenario is not ("both" or "clean" or "faults"))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Kubernetes:Regions:{CleanRegion}:Kubeconfig"] = KubernetesOptions.Simulated,
            [$"Kubernetes:Regions:{FaultsRegion}:Kubeconfig"] = KubernetesOptions.Simulated,
            ["Jobs:WorkerCount"] = workers.ToString(CultureInfo.InvariantCulture),
            // The "ready"/"failed" emails' links.
            ["Portal:PublicUrl"] = "http://localhost:5080/",
        });
        // The environment still wins (Provisioning__RolloutPollInterval=00:00:00.2 …), to try settings out.
        builder.Configuration.AddEnvironmentVariables();
        if (maxPool > 0)
        {
            // Caps the control database's pools (the portal's data source and Hangfire's, each up to this size) and
            // gives the tenant servers' administration a pool of its own of 8, so that together they stay under
            // the server's max_connections.
            var portal = builder.Configuration.GetRequiredConnectionString("Portal");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Portal"] = new NpgsqlConnectionStringBuilder(portal) { MaxPoolSize = maxPool }.ConnectionString,
                [$"Provisioning:Regions:{CleanRegion}:PostgresAdmin"] = new NpgsqlConnectionStringBuilder(portal) { MaxPoolSize = 8 }.ConnectionString,
                [$"Provisioning:Regions:{FaultsRegion}:PostgresAdmin"] = new NpgsqlConnectionStringBuilder(portal) { MaxPoolSize = 8 }.ConnectionString,
            });
        }
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Failed attempts are expected under faults: counted by cause rather than printed.
        builder.Logging.AddFilter<ConsoleLoggerProvider>("Portal.Core.Provisioning", LogLevel.Error);
        builder.Logging.AddFilter<ConsoleLoggerProvider>("Hangfire", LogLevel.Error);
        var failureLog = new StepFailureLog();
        builder.Logging.AddProvider(failureLog);

        // The portal's web services (sign-in, authorization) are registered by AddPortalCore but not used here: build
        // the container without validating them all, as a worker-only portal would.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = false }));
        var services = builder.Services;
        services.AddPortalCore(builder.Configuration);
        var kubernetes = services.AddKubernetesClusters(builder.Configuration, development: true);
        services.AddProvisioning(builder.Configuration, kubernetes.Regions.Keys, production: false);
        services.AddPortalJobs(builder.Configuration, runWorker: true);

        var portalConnection = builder.Configuration.GetRequiredConnectionString("Portal");
        List<string>? leftovers;
        await using (var control = NpgsqlDataSource.Create(portalConnection))
        {
            leftovers = await PrepareDatabaseAsync(control);
            if (leftovers is null)
            {
                await Console.Error.WriteLineAsync($"The database of ConnectionStrings:Portal is not migrated; run through ./dev.sh bench provisioning, which migrates it.");
                return 2;
            }
        }

        var simulatorSettings = kubernetes.Simulator;
        await using var simulator = await KubernetesSimulator.StartAsync(new KubernetesSimulatorOptions
        {
            Clusters = [new SimulatedClusterOptions(CleanRegion, CleanRegion), new SimulatedClusterOptions(FaultsRegion, FaultsRegion)],
            PodStartDelay = simulatorSettings.PodStartDelay,
            PodReadyDelay = simulatorSettings.PodReadyDelay,
        });
        await using var proxy = await FaultInjectingProxy.StartAsync(simulator[FaultsRegion], faultRate);

        using var host = builder.Build();
        var clusters = host.Services.GetRequiredService<KubernetesClusters>();
        clusters.ConnectSimulated(CleanRegion, simulator[CleanRegion].ClientConfiguration());
        clusters.ConnectSimulated(FaultsRegion, proxy.ClientConfiguration(simulator[FaultsRegion]));
        await host.StartAsync();

        var redisOptions = ConfigurationOptions.Parse(builder.Configuration.GetRequiredConnectionString("Redis"));
        redisOptions.AllowAdmin = true;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisOptions);
        var context = new BenchContext(host.Services, host.Services.GetRequiredService<NpgsqlDataSource>(), redis.GetServer(redis.GetEndPoints()[0]), timeout, failureLog);

        if (leftovers.Count > 0)
        {
            Console.WriteLine($"{leftovers.Count} applications left by an interrupted run (or --keep):");
            await RetireAsync(context, leftovers, keep: false);
        }

        var provisioning = host.Services.GetRequiredService<IOptions<ProvisioningOptions>>().Value;
        var jobs = host.Services.GetRequiredService<IOptions<JobsOptions>>().Value;
        var server = host.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers().Single();
        var maxConnections = await ScalarAsync<string>(context.Postgres, "SHOW max_connections");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            Provisioning benchmark: {apps} applications in {workspaces} pro workspaces, created at once through CreateApplication.
            Hangfire: {server.WorkersCount} workers, queue poll {jobs.QueuePollInterval.TotalSeconds} s (long polling on), schedule poll {jobs.SchedulePollingInterval.TotalSeconds} s
            Engine: retry delay {provisioning.RetryDelay.TotalSeconds} s (max {provisioning.MaxRetryDelay.TotalSeconds} s), {provisioning.TransientRetries} transient retries per call, {provisioning.MaxAttempts} attempts per step, rollout poll {provisioning.RolloutPollInterval.TotalMilliseconds} ms
            Connections: {(maxPool > 0 ? $"pools capped at {maxPool} (portal data source, Hangfire) and 8 (tenant administration)" : "Npgsql defaults (up to 100 per pool)")}
            Simulator: pod start {simulatorSettings.PodStartDelay.TotalSeconds} s, ready {simulatorSettings.PodReadyDelay.TotalSeconds} s after; PostgreSQL max_connections {maxConnections}; load average {LoadAverage()}
            """));

        var owner = await SetUpOwnerAsync(context, workspaces);
        var results = new List<ScenarioResult>();
        if (scenario is "both" or "clean")
        {
            results.Add(await RunScenarioAsync(context, owner, "no faults", CleanRegion, simulator[CleanRegion], null, apps));
        }

        if (scenario is "both" or "faults")
        {
            results.Add(await RunScenarioAsync(context, owner, string.Create(CultureInfo.InvariantCulture, $"{faultRate:P0} faults"), FaultsRegion, simulator[FaultsRegion], proxy, apps));
        }

        foreach (var result in results)
        {
            Print(result);
        }

        Console.WriteLine($"load average at the end {LoadAverage()}");
        await host.StopAsync();
        await RetireAsync(context, results.SelectMany(r => r.ApplicationIds).ToList(), keep);
        var met = results.All(r => r.Succeeded == r.ApplicationIds.Count && r.Orphans.Orphans.Count == 0 && r.Orphans.Missing.Count == 0);
        return met ? 0 : 1;
    }

    private sealed record BenchContext(IServiceProvider Services, NpgsqlDataSource Postgres, IServer Redis, TimeSpan Timeout, StepFailureLog FailureLog);

    private sealed record Owner(string UserId, List<string> WorkspaceIds)
    {
        public Actor Actor => Actor.User(UserId, "bench");
    }

    private sealed record ScenarioResult(
        string Name,
        IReadOnlyList<string> ApplicationIds,
        TimeSpan CreatePhase,
        TimeSpan Wall,
        int SucceededFirstPass,
        int Succeeded,
        List<double> CreateToActive,
        List<double> QueueWait,
        Dictionary<string, (List<double> Span, List<double> LastAttempt, int Retries)> Steps,
        int StepRetries,
        int ExtraRuns,
        long HangfireFailures,
        long HangfireExecutions,
        string? Faults,
        long PeakConnections,
        TimeSpan ProcessCpu,
        OrphanReport Orphans,
        IReadOnlyList<string> Errors,
        string PeakBreakdown,
        List<KeyValuePair<(string Step, string Error), int>> AttemptFailures);

    private static async Task<ScenarioResult> RunScenarioAsync(BenchContext context, Owner owner, string name, string region, SimulatedCluster cluster, FaultInjectingProxy? proxy, int count)
    {
        Console.WriteLine();
        Console.WriteLine($"== {name}: creating {count} applications in region {region}");
        using var clusterClient = cluster.CreateClient();
        var before = await TenantInventory.TakeAsync(context.Postgres, context.Redis, clusterClient, CancellationToken.None);
        var hangfireBefore = await HangfireStatesAsync(context.Postgres);
        context.FailureLog.Clear();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var environments = Enum.GetValues<ApplicationEnvironment>();

        var started = Stopwatch.StartNew();
        var createErrors = new List<string>();
        var created = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var slug = $"{region}-{i:D4}";
            try
            {
                await using var scope = context.Services.CreateAsyncScope();
                var outcome = await scope.ServiceProvider.GetRequiredService<CreateApplication>().ExecuteAsync(owner.Actor, owner.WorkspaceIds[i % owner.WorkspaceIds.Count],
                    new NewApplication($"Bench {region} {i}", slug, environments[i % environments.Length], region));
                if (outcome.Succeeded)
                {
                    return outcome.Value.Application.Id;
                }

                lock (createErrors)
                {
                    createErrors.Add($"create {slug}: {outcome.Failure.Message}");
                }
            }
            catch (Exception e) when (e is NpgsqlException or DbUpdateException or BackgroundJobClientException or InvalidOperationException)
            {
                // An application saved but whose job could not be enqueued stays in provisioning with no job to move
                // it on (stranded): it is found by its slug below and counted as not provisioned.
                lock (createErrors)
                {
                    createErrors.Add($"create {slug}: {e.GetType().Name}: {e.GetBaseException().Message}");
                }
            }

            return null;
        }));
        var createPhase = started.Elapsed;
        var ids = await IdsAsync(context, owner, region, count);
        var stranded = ids.Except(created.OfType<string>()).ToList();
        foreach (var error in createErrors.Take(5))
        {
            Console.WriteLine($"   {error}");
        }

        if (createErrors.Count > 0)
        {
            Console.WriteLine($"   {createErrors.Count} creations failed; {stranded.Count} of them left an application in provisioning with no job (stranded)");
        }

        var peak = await WaitAsync(context, ids.Except(stranded).ToList(), started, (0, ""));
        var firstPass = await StatusesAsync(context, ids);
        var succeededFirstPass = firstPass.Count(s => s.Value == ApplicationStatus.Active);

        // "Eventual": the failed ones are retried once, as their owner would from the application page.
        var failed = firstPass.Where(s => s.Value == ApplicationStatus.Failed).Select(s => s.Key).ToList();
        if (failed.Count > 0)
        {
            Console.WriteLine($"   {failed.Count} failed on the first pass; retrying them once");
            foreach (var id in failed)
            {
                await using var scope = context.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<RetryProvisioning>().ExecuteAsync(owner.Actor, id);
            }

            peak = await WaitAsync(context, ids.Except(stranded).ToList(), started, peak);
        }

        var wall = started.Elapsed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var hangfireAfter = await HangfireStatesAsync(context.Postgres);
        var statuses = await StatusesAsync(context, ids);
        var active = statuses.Where(s => s.Value == ApplicationStatus.Active).Select(s => s.Key).ToList();
        var after = await TenantInventory.TakeAsync(context.Postgres, context.Redis, clusterClient, CancellationToken.None);
        foreach (var id in stranded)
        {
            createErrors.Add($"{id}: stranded in provisioning (saved, but its provisioning job was never enqueued)");
        }

        var orphans = TenantInventory.Compare(before, after, active, statuses.Where(s => s.Value != ApplicationStatus.Active).Select(s => s.Key).ToList());

        var result = await MeasureAsync(context, ids);
        return new ScenarioResult(name, ids, createPhase, wall, succeededFirstPass, active.Count, result.CreateToActive, result.QueueWait, result.Steps, result.StepRetries,
            result.ExtraRuns, hangfireAfter.Failed - hangfireBefore.Failed, hangfireAfter.Processing - hangfireBefore.Processing,
            proxy is null ? null : $"{proxy.DescribeInjected()} of {proxy.Requests} requests", peak.Count, cpu, orphans, [.. createErrors, .. result.Errors], peak.Breakdown,
            [.. context.FailureLog.Failures.OrderByDescending(f => f.Value)]);
    }

    private static async Task<List<string>> IdsAsync(BenchContext context, Owner owner, string region, int count)
    {
        await using var db = await context.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var slugs = Enumerable.Range(0, count).Select(i => $"{region}-{i:D4}").ToList();
        return await db.Set<Application>().Where(a => owner.WorkspaceIds.Contains(a.WorkspaceId) && slugs.Contains(a.Slug)).Select(a => a.Id).ToListAsync();
    }

    /// <summary>Until none is provisioning (or the timeout); returns the peak number of PostgreSQL connections seen.</summary>
    private static async Task<(long Count, string Breakdown)> WaitAsync(BenchContext context, List<string> ids, Stopwatch started, (long Count, string Breakdown) peak)
    {
        var deadline = started.Elapsed + context.Timeout;
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            var statuses = await StatusesAsync(context, ids);
            var connections = await ConnectionsAsync(context.Postgres);
            if (connections.Sum(c => c.Count) > peak.Count)
            {
                peak = (connections.Sum(c => c.Count), string.Join("; ", connections.Select(c => $"{c.Count} {c.What}")));
            }

            var pending = statuses.Count(s => s.Value is ApplicationStatus.Provisioning);
            if (pending == 0 || started.Elapsed > deadline)
            {
                return peak;
            }

            if (started.Elapsed - lastReport >= TimeSpan.FromSeconds(5))
            {
                lastReport = started.Elapsed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   {started.Elapsed.TotalSeconds,5:F0} s: {statuses.Count(s => s.Value == ApplicationStatus.Active)} active, {statuses.Count(s => s.Value == ApplicationStatus.Failed)} failed, {pending} provisioning, {peak.Count} PostgreSQL connections at most"));
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The server's client connections, by what they are doing (the start of their last statement when idle).</summary>
    private static async Task<List<(long Count, string What)>> ConnectionsAsync(NpgsqlDataSource postgres)
    {
        await using var command = postgres.CreateCommand(
            """
            SELECT count(*), state || ': ' || coalesce(datname, '') || ': ' || left(regexp_replace(query, '\s+', ' ', 'g'), 40) AS what
            FROM pg_stat_activity WHERE backend_type = 'client backend'
            GROUP BY 2 ORDER BY 1 DESC
            """);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.IsDBNull(1) ? "?" : reader.GetString(1)));
        }

        return rows;
    }

    private static async Task<Dictionary<string, ApplicationStatus>> StatusesAsync(BenchContext context, List<string> ids)
    {
        await using var db = await context.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Set<Application>().AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Status);
    }

    private static async Task<(List<double> CreateToActive, List<double> QueueWait, Dictionary<string, (List<double> Span, List<double> LastAttempt, int Retries)> Steps,
        int StepRetries, int ExtraRuns, List<string> Errors)> MeasureAsync(BenchContext context, List<string> ids)
    {
        await using var db = await context.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var applications = await db.Set<Application>().AsNoTracking().Where(a => ids.Contains(a.Id)).ToListAsync();
        var runs = await db.Set<ProvisioningRun>().AsNoTracking().Include(r => r.Steps).Where(r => ids.Contains(r.ApplicationId)).ToListAsync();
        var byApplication = runs.GroupBy(r => r.ApplicationId).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Steps.Min(s => s.Id)).ToList());

        var createToActive = new List<double>();
        var queueWait = new List<double>();
        var steps = ProvisioningSteps.All.ToDictionary(s => s, _ => (Span: new List<double>(), LastAttempt: new List<double>(), Retries: 0));
        var stepRetries = 0;
        var extraRuns = 0;
        var errors = new List<string>();
        foreach (var application in applications)
        {
            if (!byApplication.TryGetValue(application.Id, out var appRuns))
            {
                errors.Add($"{application.Id}: no provisioning run");
                continue;
            }

            extraRuns += appRuns.Count - 1;
            if (appRuns[0].StartedAt is { } firstStart)
            {
                queueWait.Add((firstStart - application.CreatedAt).TotalSeconds);
            }

            var activated = appRuns.SelectMany(r => r.Steps).Where(s => s.Name == ProvisioningSteps.Activate && s.Status == ProvisioningStepStatus.Succeeded && s.FinishedAt is not null)
                .Select(s => s.FinishedAt).Max();
            if (application.Status == ApplicationStatus.Active && activated is { } activeAt)
            {
                createToActive.Add((activeAt - application.CreatedAt).TotalSeconds);
            }
            else if (application.Status != ApplicationStatus.Active)
            {
                errors.Add($"{application.Id}: {application.Status.ToString().ToLowerInvariant()}: {appRuns[^1].Error}");
            }

            foreach (var run in appRuns)
            {
                // A step's row keeps its last attempt's start; its span runs from the previous step's end (retries and back-off included).
                var previousEnd = run.StartedAt;
                foreach (var step in run.Steps.OrderBy(s => s.Order).Where(s => s.Attempts > 0))
                {
                    var entry = steps[step.Name];
                    stepRetries += step.Attempts - 1;
                    entry.Retries += step.Attempts - 1;
                    if (step is { Status: ProvisioningStepStatus.Succeeded, StartedAt: { } start, FinishedAt: { } end })
                    {
                        entry.LastAttempt.Add((end - start).TotalSeconds);
                        if (previousEnd is { } from)
                        {
                            entry.Span.Add((end - from).TotalSeconds);
                        }

                        previousEnd = end;
                    }

                    steps[step.Name] = entry;
                }
            }
        }

        return (createToActive, queueWait, steps, stepRetries, extraRuns, errors);
    }

    private static void Print(ScenarioResult r)
    {
        var n = r.ApplicationIds.Count;
        var toActive = r.CreateToActive.Order().ToArray();
        var wait = r.QueueWait.Order().ToArray();
        Console.WriteLine();
        Console.WriteLine($"== {r.Name}: {n} applications");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            success            {r.Succeeded}/{n} = {100.0 * r.Succeeded / n:F1} % (first pass {r.SucceededFirstPass}/{n})
            create → active    p50 {P(toActive, 0.50)} s   p95 {P(toActive, 0.95)} s   max {P(toActive, 1)} s   (goal p50 ≤ 10 s, p95 ≤ 20 s)
            create → run start p50 {P(wait, 0.50)} s   p95 {P(wait, 0.95)} s   max {P(wait, 1)} s   (waiting for a Hangfire worker)
            phases             creating {r.CreatePhase.TotalSeconds:F1} s; first create to last settled {r.Wall.TotalSeconds:F1} s; portal process CPU {r.ProcessCpu.TotalSeconds:F1} s; peak PostgreSQL connections {r.PeakConnections}
            retries            {r.StepRetries} step attempts repeated, {r.ExtraRuns} extra runs, Hangfire: {r.HangfireExecutions} executions, {r.HangfireFailures} failed (retried by Hangfire)
            """));
        if (r.Faults is not null)
        {
            Console.WriteLine($"faults injected    {r.Faults}");
        }

        Console.WriteLine();
        Console.WriteLine($"{"step",-15}{"runs",6}{"span p50",10}{"p95",8}{"max",8}{"last attempt p50",18}{"p95",8}{"retries",9}   (s; span = previous step's end → this step's end)");
        foreach (var (step, (span, last, retries)) in r.Steps)
        {
            var s = span.Order().ToArray();
            var l = last.Order().ToArray();
            Console.WriteLine($"{step,-15}{s.Length,6}{P(s, 0.5),10}{P(s, 0.95),8}{P(s, 1),8}{P(l, 0.5),18}{P(l, 0.95),8}{retries,9}");
        }

        foreach (var ((step, error), times) in r.AttemptFailures.Take(12))
        {
            Console.WriteLine($"   {times,4} × {step} attempt failed: {error}");
        }

        var o = r.Orphans;
        Console.WriteLine();
        Console.WriteLine($"tenant objects     {o.ActiveApplications} active applications: {o.Missing.Count} of their {o.ActiveApplications * 4} databases, roles, Redis users and namespaces missing; " +
            $"{o.Orphans.Count} orphans (new objects of no application); {o.LeftByUnfinished.Count} objects of unfinished applications");
        foreach (var (kind, name) in o.Missing.Take(10))
        {
            Console.WriteLine($"   missing {kind} {name}");
        }

        foreach (var (kind, name) in o.Orphans.Take(10))
        {
            Console.WriteLine($"   orphan {kind} {name}");
        }

        foreach (var error in r.Errors.Take(10))
        {
            Console.WriteLine($"   {error}");
        }

        Console.WriteLine($"PostgreSQL connections at the peak: {r.PeakBreakdown}");
    }

    /// <summary>A user and pro workspaces of this invocation (pro: the free plan's limit of 3 applications does not apply).</summary>
    private static async Task<Owner> SetUpOwnerAsync(BenchContext context, int workspaces)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var email = $"bench-{tag}@bench.invalid";
        var user = new PortalUser
        {
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = true,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        var factory = context.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            db.Users.Add(user);
            await db.SaveChangesAsync();
        }

        var owner = new Owner(user.Id, []);
        var ids = new List<string>();
        for (var i = 0; i < workspaces; i++)
        {
            await using var scope = context.Services.CreateAsyncScope();
            var created = await scope.ServiceProvider.GetRequiredService<CreateWorkspace>().ExecuteAsync(owner.Actor, $"Bench {tag} {i}", $"bench-{tag}-{i}");
            ids.Add(created.Succeeded ? created.Value.Id : throw new InvalidOperationException($"Creating a workspace failed: {created.Failure.Message}"));
        }

        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.Set<Workspace>().Where(w => ids.Contains(w.Id)).ExecuteUpdateAsync(w => w.SetProperty(x => x.Plan, WorkspacePlan.Pro));
        }

        return owner with { WorkspaceIds = ids };
    }

    /// <summary>
    /// The bench database is throw-away: its Hangfire schema is rebuilt so that jobs of an aborted run cannot add
    /// load, and applications left by an interrupted run are marked deleted so that no job (reconciliation) touches
    /// them; their ids are returned (null when the database is not migrated) to drop their tenant objects.
    /// </summary>
    private static async Task<List<string>?> PrepareDatabaseAsync(NpgsqlDataSource control)
    {
        if (await ScalarAsync<bool>(control, """SELECT to_regclass('"Applications"') IS NULL"""))
        {
            return null;
        }

        await using (var drop = control.CreateCommand($"DROP SCHEMA IF EXISTS {JobsOptions.Schema} CASCADE"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await JobsServiceCollectionExtensions.InstallJobStorageAsync(control, CancellationToken.None);
        // Also applications already marked deleted whose database or role is still there (a run stopped while cleaning up, or --keep).
        await using var retire = control.CreateCommand(
            """
            WITH leftover AS (
                SELECT "Id" FROM "Applications" a
                WHERE "Status" <> 'Deleted'
                   OR EXISTS (SELECT 1 FROM pg_database WHERE datname = 'authsome_app_' || lower(substr(a."Id", 5)))
                   OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authsome_app_' || lower(substr(a."Id", 5))))
            UPDATE "Applications" a SET "Status" = 'Deleted', "DeletedAt" = coalesce(a."DeletedAt", now())
            FROM leftover l WHERE a."Id" = l."Id"
            RETURNING a."Id"
            """);
        await using var reader = await retire.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>
    /// Drops what the run created on the development PostgreSQL and Redis (unless --keep) and marks its
    /// applications deleted in the bench database.
    /// </summary>
    private static async Task RetireAsync(BenchContext context, List<string> ids, bool keep)
    {
        await using (var db = await context.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            await db.Set<Application>().Where(a => ids.Contains(a.Id))
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.Status, ApplicationStatus.Deleted).SetProperty(x => x.DeletedAt, DateTimeOffset.UtcNow));
        }

        if (keep)
        {
            Console.WriteLine("--keep: the tenant databases, roles and Redis users stay.");
            return;
        }

        var dropping = Stopwatch.StartNew();
        try
        {
            foreach (var id in ids)
            {
                foreach (var sql in new[]
                {
                    $"DROP DATABASE IF EXISTS {TenantPostgres.Quote(TenantNames.Database(id))} WITH (FORCE)",
                    $"DROP ROLE IF EXISTS {TenantPostgres.Quote(TenantNames.Role(id))}",
                })
                {
                    // A loaded machine makes a DROP DATABASE's checkpoint slow: no command timeout.
                    await using var drop = context.Postgres.CreateCommand(sql);
                    drop.CommandTimeout = 0;
                    await drop.ExecuteNonQueryAsync();
                }

                await context.Redis.ExecuteAsync("ACL", "DELUSER", TenantNames.RedisUser(id));
            }
        }
        catch (Exception e) when (e is NpgsqlException or RedisException)
        {
            Console.WriteLine($"Cleaning up failed ({e.GetBaseException().Message}); the next run counts what is left as existing before it.");
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Dropped the {ids.Count} applications' databases, roles and Redis users in {dropping.Elapsed.TotalSeconds:F1} s (--keep leaves them)."));
    }

    private static async Task<(long Processing, long Failed)> HangfireStatesAsync(NpgsqlDataSource postgres) =>
        (await ScalarAsync<long>(postgres, $"SELECT count(*) FROM {JobsOptions.Schema}.state WHERE name = 'Processing'"),
         await ScalarAsync<long>(postgres, $"SELECT count(*) FROM {JobsOptions.Schema}.state WHERE name = 'Failed'"));

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource postgres, string sql)
    {
        await using var command = postgres.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    // Nearest-rank percentile of sorted values, in seconds with one decimal.
    private static string P(double[] sorted, double p) =>
        sorted.Length == 0 ? "-" : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)].ToString("F1", CultureInfo.InvariantCulture);
}
