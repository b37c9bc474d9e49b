using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Portal.Core;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// The real portal (Program) on its own copy of the schema in the run's PostgreSQL, the run's Redis (or one of the
/// test's), an in-process SMTP server and a clock the test moves. One per test class.
/// </summary>
public class PortalApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private Uri? _kestrelAddress;

    public PortalApp(TestServers servers, string databaseConnectionString, IDictionary<string, string?>? settings = null, RedisServer? redis = null,
        bool smtpUp = true)
    {
        Smtp = new TestSmtpServer(start: smtpUp);
        Servers = servers;
        DatabaseConnectionString = databaseConnectionString;
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = databaseConnectionString,
            ["ConnectionStrings:Redis"] = (redis ?? servers.Redis).ConnectionString,
            ["Portal:Roles:0"] = "web",
            ["Portal:RequireHttps"] = "false",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            // Every request checks the security stamp, so that "other sessions end" shows at once.
            ["Accounts:SecurityStampValidationInterval"] = "00:00:00",
            ["Accounts:FormPostsPerMinutePerIp"] = "10000",
            // Portals of parallel tests share the run's Redis, each under its own keys.
            ["Portal:RedisKeyPrefix"] = $"test-{Guid.NewGuid():N}:",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Hangfire"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    private static readonly ILoggerFactory SharedLoggerFactory =
        LoggerFactory.Create(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error));

    public TestServers Servers { get; }

    public string DatabaseConnectionString { get; }

    public TestSmtpServer Smtp { get; }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>A new application on a new database of the run's PostgreSQL.</summary>
    public static async Task<PortalApp> CreateAsync(TestServers servers, IDictionary<string, string?>? settings = null, RedisServer? redis = null) =>
        new(servers, await servers.Postgres.CreateDatabaseAsync(), settings, redis);

    /// <summary>Another replica of <paramref name="other"/>'s deployment: the same database (and the run's Redis unless <paramref name="redis"/>).</summary>
    public static PortalApp SharingDatabaseWith(PortalApp other, IDictionary<string, string?>? settings = null, RedisServer? redis = null) =>
        new(other.Servers, other.DatabaseConnectionString, settings, redis);

    /// <summary>A browser-like client: cookies, redirects followed.</summary>
    public PortalClient CreatePortalClient() =>
        new(CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = true,
            HandleCookies = true,
            BaseAddress = _kestrelAddress ?? new Uri("http://localhost"),
        }));

    public PortalDbContext CreateDbContext() => PostgresServer.CreateContext(DatabaseConnectionString);

    /// <summary>Serves on a real Kestrel port (for the browser tests) and returns its address.</summary>
    public Uri StartKestrel()
    {
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _kestrelAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        return _kestrelAddress;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Outside Development, the packages' assets (MudBlazor, blazor.web.js) are served from the build's manifest only when asked.
        builder.UseStaticWebAssets();
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            // Hangfire keeps the last host's logger factory in a static; every host of the run shares one that outlives them all.
            services.AddSingleton(SharedLoggerFactory);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
