using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
using Portal.Core;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Members;
using Portal.Core.Webhooks;
using Portal.Core.Workspaces;
using Portal.Features.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Webhooks;

/// <summary>The application page's webhooks panel, rendered with bUnit on a real database.</summary>
public sealed class WebhooksPanelTests(TestServers servers) : BunitContext, IAsyncLifetime
{
    private const string WorkspaceId = "ws_webhooks";
    private const string UserId = "usr_webhooks";
    private const string ApplicationId = "app_webhooks";

    /// <summary>Loads hit the real database; on a busy 2-core machine the default second is not always enough.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private string _connectionString = "";

    public async ValueTask InitializeAsync()
    {
        _connectionString = await servers.Postgres.CreateDatabaseAsync();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        Services.AddDbContextFactory<PortalDbContext>(o => o.UseNpgsql(_connectionString));
        Services.AddLogging();
        Services.AddDataProtection();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<WebhookSecrets>();
        Services.AddSingleton<PlatformEvents>();
        Services.AddSingleton<IOptionsMonitor<WebhooksOptions>>(new StaticOptions(new WebhooksOptions { AllowPrivateDestinations = true }));
        Services.AddSingleton<WebhookHostResolver>();
        Services.AddScoped<ManageWebhooks>();
        Services.AddScoped<WebhookQueries>();

        await using var db = PostgresServer.CreateContext(_connectionString);
        db.Users.Add(new Portal.Core.Accounts.PortalUser { Id = UserId, UserName = "w@example.com", Email = "w@example.com", EmailConfirmed = true });
        db.Add(new Workspace { Id = WorkspaceId, Name = "Hooks", Slug = "hooks" });
        db.Add(new Member { WorkspaceId = WorkspaceId, UserId = UserId, Role = WorkspaceRole.Developer });
        db.Add(new Application { Id = ApplicationId, WorkspaceId = WorkspaceId, Name = "Shop", Slug = "shop", Region = "us-east-1", Status = ApplicationStatus.Active });
        var endpoint = new WebhookEndpoint
        {
            Id = "whk_existing",
            ApplicationId = ApplicationId,
            Url = "https://hooks.example.com/existing",
            Events = [PlatformEventTypes.KeyCreated, PlatformEventTypes.KeyRevoked],
            ProtectedSecret = "not-used",
            CreatedAt = DateTimeOffset.UtcNow,
        };
        var delivery = new WebhookDelivery
        {
            Id = "whd_existing",
            EndpointId = endpoint.Id,
            EventId = "evt_existing",
            EventType = PlatformEventTypes.KeyCreated,
            Payload = "{}",
            Status = WebhookDeliveryStatus.Pending,
            AttemptCount = 1,
            NextAttemptAt = DateTimeOffset.UtcNow.AddMinutes(1),
            CreatedAt = DateTimeOffset.UtcNow,
            Attempts = [new WebhookAttempt { DeliveryId = "whd_existing", StartedAt = DateTimeOffset.UtcNow, DurationMs = 42, StatusCode = 502, ResponseExcerpt = "bad gateway from upstream" }],
        };
        db.AddRange(endpoint, delivery);
        await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        AddAuthorization().SetAuthorized("w@example.com").SetClaims(new Claim(ClaimTypes.NameIdentifier, UserId), new Claim(ClaimTypes.Email, "w@example.com"));
    }

    public new async ValueTask DisposeAsync() => await base.DisposeAsync();

    private sealed class StaticOptions(WebhooksOptions value) : IOptionsMonitor<WebhooksOptions>
    {
        public WebhooksOptions CurrentValue => value;

        public WebhooksOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<WebhooksOptions, string?> listener) => null;
    }

    private IRenderedComponent<WebhooksPanel> RenderPanel(bool canManage)
    {
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return Render<WebhooksPanel>(p => p.Add(c => c.ApplicationId, ApplicationId).Add(c => c.WorkspaceId, WorkspaceId).Add(c => c.CanManage, canManage));
    }

    [Fact]
    public void ListsEndpoints_AndShowsDeliveriesWithTheirAttempts_ReadOnlyWithoutManage()
    {
        var panel = RenderPanel(canManage: false);

        panel.WaitForAssertion(() => Assert.Contains("https://hooks.example.com/existing", panel.Find("[data-testid='webhooks-table']").TextContent, StringComparison.Ordinal), Patience);
        Assert.Empty(panel.FindAll("[data-testid='add-webhook']"));
        Assert.Empty(panel.FindAll("[data-testid='webhook-delete']"));
        Assert.Contains("key.revoked", panel.Markup, StringComparison.Ordinal);

        panel.Find("[data-testid='webhook-deliveries'] button, button[data-testid='webhook-deliveries']").Click();
        panel.WaitForAssertion(() => Assert.Equal("pending", panel.Find("[data-testid='delivery-status']").TextContent.Trim()), Patience);
        Assert.Empty(panel.FindAll("[data-testid='delivery-redeliver']"));
        panel.Find("button[data-testid='delivery-attempts']").Click();
        panel.WaitForAssertion(() => Assert.Contains("bad gateway from upstream", panel.Find("[data-testid='delivery-attempt']").TextContent, StringComparison.Ordinal), Patience);
        Assert.Contains("502", panel.Find("[data-testid='delivery-attempt']").TextContent, StringComparison.Ordinal);
        Assert.Contains("42 ms", panel.Find("[data-testid='delivery-attempt']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddingAnEndpoint_ShowsItsSecretOnce_AndStoresItEncrypted()
    {
        var provider = Render<MudDialogProvider>();
        var panel = RenderPanel(canManage: true);
        panel.WaitForAssertion(() => panel.Find("button[data-testid='add-webhook']"), Patience);

        panel.Find("button[data-testid='add-webhook']").Click();
        provider.WaitForAssertion(() => provider.Find("[data-testid='add-webhook-dialog']"), Patience);
        var url = provider.FindComponents<MudTextField<string>>().First(f => f.Instance.Label == "Endpoint URL");
        await provider.InvokeAsync(() => url.Instance.ValueChanged.InvokeAsync("https://hooks.example.com/new"));
        var rotated = provider.FindComponents<MudCheckBox<bool>>().Single(c => c.Instance.Label == PlatformEventTypes.KeyRotated);
        await provider.InvokeAsync(() => rotated.Instance.ValueChanged.InvokeAsync(true));
        provider.Find("button[data-testid='webhook-submit']").Click();

        provider.WaitForAssertion(() => provider.Find("[data-testid='webhook-secret']"), Patience);
        var secret = System.Text.RegularExpressions.Regex.Match(provider.Markup, "whsec_[0-9A-Za-z]{43}").Value;
        Assert.NotEmpty(secret);
        await using var db = PostgresServer.CreateContext(_connectionString);
        var stored = await db.Set<WebhookEndpoint>().SingleAsync(e => e.Url == "https://hooks.example.com/new", Xunit.TestContext.Current.CancellationToken);
        Assert.Equal([PlatformEventTypes.KeyRotated], stored.Events);
        Assert.DoesNotContain(secret[6..], stored.ProtectedSecret, StringComparison.Ordinal);
        Assert.Equal(secret, Services.GetRequiredService<WebhookSecrets>().Unprotect(stored.ProtectedSecret));
        Assert.Equal(1, await db.Set<AuditEvent>().CountAsync(e => e.Action == "webhook.created" && e.ActorId == UserId, Xunit.TestContext.Current.CancellationToken));

        provider.Find("button[data-testid='webhook-done']").Click();
        panel.WaitForAssertion(() => Assert.Contains("https://hooks.example.com/new", panel.Find("[data-testid='webhooks-table']").TextContent, StringComparison.Ordinal), Patience);
        Assert.DoesNotContain(secret, panel.Markup, StringComparison.Ordinal);
    }
}
