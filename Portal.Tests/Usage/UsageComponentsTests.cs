using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using Portal.Core;
using Portal.Core.Changes;
using Portal.Core.Members;
using Portal.Core.Usage;
using Portal.Core.Workspaces;
using Portal.Features.Changes;
using Portal.Features.Usage;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;
using static Portal.Tests.Usage.UsageSeed;

namespace Portal.Tests.Usage;

/// <summary>The Metrics tab and the workspace usage page rendered with bUnit on a real database and Redis, live updates through the real channel.</summary>
public sealed class UsageComponentsTests(TestServers servers) : BunitContext, IAsyncLifetime
{
    private const string WorkspaceId = "ws_usage";
    private const string UserId = "usr_usage";
    private const string BusyId = "app_usagebusy";
    private const string QuietId = "app_usagequiet";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static readonly DateTimeOffset Now = new(2027, 3, 15, 10, 7, 30, TimeSpan.Zero);
    private string _connectionString = "";
    private ConnectionMultiplexer? _redis;

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _connectionString = await servers.Postgres.CreateDatabaseAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(servers.Redis.ConnectionString);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        Services.AddDbContextFactory<PortalDbContext>(o => o.UseNpgsql(_connectionString));
        Services.AddLogging();
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        Services.AddSingleton<IConnectionMultiplexer>(_redis);
        Services.AddOptions<MeteringOptions>().Configure(o => o.RedisKeyPrefix = $"test-{Guid.NewGuid():N}:usage:");
        Services.AddOptions<UsageOptions>();
        Services.AddOptions<WorkspaceOptions>();
        Services.AddScoped<ApplicationMetricsQueries>();
        Services.AddScoped<WorkspaceUsageQueries>();
        Services.AddScoped<WorkspaceQueries>();
        // A change channel of this test's own.
        Services.AddSingleton(sp => new ChangeChannel(_redis, $"test-{Guid.NewGuid():N}:", TimeProvider.System, NullLogger<ChangeChannel>.Instance));
        Services.AddSingleton<PageChangeSubscriber>();

        await using var db = PostgresServer.CreateContext(_connectionString);
        db.Users.Add(new Portal.Core.Accounts.PortalUser { Id = UserId, UserName = "u@example.com", Email = "u@example.com", EmailConfirmed = true });
        db.Add(new Workspace { Id = WorkspaceId, Name = "Usage", Slug = "usage" });
        db.Add(new Member { WorkspaceId = WorkspaceId, UserId = UserId, Role = WorkspaceRole.Viewer });
        var busy = Application(WorkspaceId, "Busy", Now.AddDays(-3));
        busy.Id = BusyId;
        var quiet = Application(WorkspaceId, "Quiet", Now.AddDays(-3));
        quiet.Id = QuietId;
        db.AddRange(busy, quiet,
            Minute(BusyId, Now.AddMinutes(-30), ok: 15, e4: 2, e5: 1, bytesIn: 2_000, bytesOut: 50_000),
            UsageSeed.Day(BusyId, new DateTimeOffset(2027, 3, 15, 0, 0, 0, TimeSpan.Zero), ok: 1_500, bytesIn: 2_000, bytesOut: 48_000),
            UsageSeed.Day(QuietId, new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero), ok: 500),
            new UsageMonthlyActiveUsers { ApplicationId = BusyId, Month = new DateOnly(2027, 3, 1), Users = 2_500 });
        await db.SaveChangesAsync(Ct);
        AddAuthorization().SetAuthorized("u@example.com").SetClaims(new Claim(ClaimTypes.NameIdentifier, UserId));

        var changes = Services.GetRequiredService<ChangeChannel>();
        changes.StartListening();
        await changes.Listening.WaitAsync(Patience, Ct);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    private IRenderedComponent<ApplicationMetricsPanel> RenderPanel(string applicationId)
    {
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        // No timer: what re-renders the tab in these tests is the published change.
        return Render<ApplicationMetricsPanel>(p => p.Add(c => c.ApplicationId, applicationId).Add(c => c.UserId, UserId)
            .Add(c => c.ApiUrl, "https://api.example.com/v1/" + applicationId).Add(c => c.RefreshInterval, TimeSpan.Zero));
    }

    [Fact]
    public void MetricsTab_DrawsTheChartsFromTheSeededRows_AndMauAgainstTheIncludedAmount()
    {
        var panel = RenderPanel(BusyId);

        panel.WaitForAssertion(() => Assert.Equal("18", panel.Find("[data-testid='metrics-requests']").TextContent.Trim()), Patience);
        Assert.Contains("16.67 %", panel.Find("[data-testid='metrics-error-rate']").TextContent, StringComparison.Ordinal);
        Assert.Contains("2,500 of 10,000 included", panel.Find("[data-testid='metrics-mau']").TextContent, StringComparison.Ordinal);
        var progress = panel.Find("[data-testid='metrics-mau-progress']").OuterHtml;
        Assert.True(progress.Contains("aria-valuenow=\"25\"", StringComparison.Ordinal), progress);
        foreach (var chart in new[] { "chart-requests", "chart-latency", "chart-bandwidth" })
        {
            Assert.NotEmpty(panel.FindAll($"[data-testid='{chart}'] svg path"));
        }

        Assert.Empty(panel.FindAll("[data-testid='metrics-empty']"));
        Assert.Contains("2 KB in, 50 KB out", panel.Find("[data-testid='chart-bandwidth']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsTab_WithoutTraffic_ShowsHowToSendARequest_AndRerendersWhenTheRollupPublishes()
    {
        var panel = RenderPanel(QuietId);
        panel.WaitForAssertion(() => Assert.Contains("curl -H \"Authorization: Bearer &lt;key&gt;\" https://api.example.com/v1/app_usagequiet/v1/auth/health",
            panel.Find("[data-testid='metrics-empty']").InnerHtml, StringComparison.Ordinal), Patience);
        Assert.Empty(panel.FindAll("[data-testid='chart-requests']"));

        await using (var db = PostgresServer.CreateContext(_connectionString))
        {
            db.Add(Minute(QuietId, Now.AddMinutes(-3), ok: 7));
            await db.SaveChangesAsync(Ct);
        }

        Services.GetRequiredService<ChangeChannel>().Publish(ChangeTopic.Usage, [QuietId]);

        panel.WaitForAssertion(() => Assert.Equal("7", panel.Find("[data-testid='metrics-requests']").TextContent.Trim()), Patience);
        Assert.NotEmpty(panel.FindAll("[data-testid='chart-requests'] svg path"));
    }

    [Fact]
    public async Task MetricsTab_GivenAnotherApplication_ShowsItsFigures_AndFollowsItsChanges()
    {
        var panel = RenderPanel(BusyId);
        panel.WaitForAssertion(() => Assert.Equal("18", panel.Find("[data-testid='metrics-requests']").TextContent.Trim()), Patience);

        panel.Render(p => p.Add(c => c.ApplicationId, QuietId));
        panel.WaitForAssertion(() => Assert.Equal("0", panel.Find("[data-testid='metrics-requests']").TextContent.Trim()), Patience);
        await using (var db = PostgresServer.CreateContext(_connectionString))
        {
            db.Add(Minute(QuietId, Now.AddMinutes(-4), ok: 4));
            await db.SaveChangesAsync(Ct);
        }

        Services.GetRequiredService<ChangeChannel>().Publish(ChangeTopic.Usage, [QuietId]);

        panel.WaitForAssertion(() => Assert.Equal("4", panel.Find("[data-testid='metrics-requests']").TextContent.Trim()), Patience);
    }

    [Fact]
    public void UsagePage_ListsTheApplications_TheTotals_AndProgressAgainstThePlan()
    {
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var page = Render<WorkspaceUsagePage>(p => p.Add(c => c.WorkspaceId, WorkspaceId));

        page.WaitForAssertion(() => Assert.Equal("2,000", page.Find("[data-testid='total-requests']").TextContent.Trim()), Patience);
        Assert.Equal(["Busy", "Quiet"], page.FindAll("[data-testid='usage-row'] td:first-child").Select(c => c.TextContent.Trim()));
        Assert.Equal("2,500", page.Find("[data-testid='total-mau']").TextContent.Trim());
        Assert.Equal("50 KB", page.Find("[data-testid='total-bandwidth']").TextContent.Trim());
        Assert.Contains("2,000 of 100,000 (2 %)", page.Find("[data-testid='included-requests']").TextContent, StringComparison.Ordinal);
        Assert.Contains("2,500 of 10,000 (25 %)", page.Find("[data-testid='included-mau']").TextContent, StringComparison.Ordinal);
    }
}
