using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
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
            // Emailed links and the host filter follow the public URL: the test client's address (or Kestrel's, see StartKestrel).
            ["Portal:PublicUrl"] = TestServerAddress.ToString(),
            // The key ring is encrypted as outside Development; one fixed key, so that replicas of a test share it.
            ["DataProtection:KeyEncryptionKey"] = TestKeyEncryptionKey,
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

    /// <summary>The in-memory test server's address: HTTPS, so that the client's cookie jar sends the Secure cookies back.</summary>
    public static readonly Uri TestServerAddress = new("https://localhost/");

    /// <summary>A base64 256-bit key-encryption key for the Data Protection key ring of test portals.</summary>
    public const string TestKeyEncryptionKey = "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=";

    /// <summary>A request header the test host turns into the connection's remote address (TestServer has none).</summary>
    public const string PeerAddressHeader = "X-Test-Peer-Address";

    private static readonly ILoggerFactory SharedLoggerFactory =
        LoggerFactory.Create(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error));

    public TestServers Servers { get; }

    public string DatabaseConnectionString { get; }

    public TestSmtpServer Smtp { get; }

    public FakeTimeProvider Clock { get; } = new TestClock(DateTimeOffset.UtcNow);

    /// <summary>A new application on a new database of the run's PostgreSQL.</summary>
    public static async Task<PortalApp> CreateAsync(TestServers servers, IDictionary<string, string?>? settings = null, RedisServer? redis = null) =>
        new(servers, await servers.Postgres.CreateDatabaseAsync(), settings, redis);

    /// <summary>Another replica of <paramref name="other"/>'s deployment: the same database (and the run's Redis unless <paramref name="redis"/>).</summary>
    public static PortalApp SharingDatabaseWith(PortalApp other, IDictionary<string, string?>? settings = null, RedisServer? redis = null)
    {
        // Another replica of the same deployment: the same Redis keys and change channel too.
        var all = new Dictionary<string, string?> { ["Portal:RedisKeyPrefix"] = other.RedisKeyPrefix };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new(other.Servers, other.DatabaseConnectionString, all, redis);
    }

    /// <summary><c>Portal:RedisKeyPrefix</c>: this test's own, so that the change channel of parallel tests is their own too.</summary>
    public string RedisKeyPrefix => _settings["Portal:RedisKeyPrefix"]!;

    /// <summary>A browser-like client: cookies, redirects followed.</summary>
    public PortalClient CreatePortalClient() =>
        _kestrelAddress is { } kestrel
            // Plain HTTP on a real port: the portal's cookies are Secure, which a CookieContainer keeps for HTTPS only.
            ? new(CreateDefaultClient(kestrel, new RedirectHandler(), new SecureCookiesOverLoopback()))
            : new(CreateClient(new WebApplicationFactoryClientOptions
            {
                AllowAutoRedirect = true,
                HandleCookies = true,
                BaseAddress = TestServerAddress,
            }));

    public PortalDbContext CreateDbContext() => PostgresServer.CreateContext(DatabaseConnectionString);

    /// <summary>Serves on a real Kestrel port (for the browser tests) and returns its address.</summary>
    /// <remarks>
    /// The port is chosen before the host starts, so that <c>Portal:PublicUrl</c> (emailed links, the host filter) is
    /// the very address the browser opens.
    /// </remarks>
    public Uri StartKestrel()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _kestrelAddress = new Uri($"http://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        _settings["Portal:PublicUrl"] = _kestrelAddress.ToString();
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        StartServer();
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
            services.AddSingleton<IStartupFilter, PeerAddressFromHeader>();
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Sets the connection's remote address from <see cref="PortalApp.PeerAddressHeader"/>, before the portal's pipeline runs.</summary>
internal sealed class PeerAddressFromHeader : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers.TryGetValue(PortalApp.PeerAddressHeader, out var value) && IPAddress.TryParse(value.ToString(), out var address))
            {
                context.Connection.RemoteIpAddress = address;
                context.Request.Headers.Remove(PortalApp.PeerAddressHeader);
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>
/// A cookie jar for the portal on http://127.0.0.1 that, like a browser on a loopback address, sends Secure cookies
/// back over plain HTTP (System.Net's CookieContainer would keep them for HTTPS only).
/// </summary>
internal sealed class SecureCookiesOverLoopback : DelegatingHandler
{
    private readonly CookieContainer _cookies = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var jarUri = new UriBuilder(request.RequestUri!) { Scheme = Uri.UriSchemeHttps, Port = 443 }.Uri;
        var header = _cookies.GetCookieHeader(jarUri);
        if (header.Length > 0)
        {
            request.Headers.Remove("Cookie");
            request.Headers.TryAddWithoutValidation("Cookie", header);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                _cookies.SetCookies(jarUri, setCookie);
            }
        }

        return response;
    }
}
