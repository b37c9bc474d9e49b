using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Core;
using Portal.Core.Audit;
using Portal.Core.Members;
using Portal.Core.Workspaces;
using Portal.Features.Audit;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Audit;

/// <summary>The activity page rendered with bUnit on a real database: rows from the server, filters, export links.</summary>
public sealed class WorkspaceActivityComponentTests(TestServers servers) : BunitContext, IAsyncLifetime
{
    private const string WorkspaceId = "ws_activity";
    private const string UserId = "usr_activity";
    private string _connectionString = "";

    public async ValueTask InitializeAsync()
    {
        _connectionString = await servers.Postgres.CreateDatabaseAsync();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        Services.AddDbContextFactory<PortalDbContext>(o => o.UseNpgsql(_connectionString));
        Services.AddSingleton<AuditQueries>();

        await using var db = PostgresServer.CreateContext(_connectionString);
        db.Users.Add(new Portal.Core.Accounts.PortalUser { Id = UserId, UserName = "a@example.com", Email = "a@example.com", EmailConfirmed = true });
        db.Add(new Workspace { Id = WorkspaceId, Name = "Activity", Slug = "activity" });
        db.Add(new Member { WorkspaceId = WorkspaceId, UserId = UserId, Role = WorkspaceRole.Viewer });
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 30; i++)
        {
            db.Add(new AuditEvent
            {
                OccurredAt = now.AddMinutes(i),
                WorkspaceId = WorkspaceId,
                ActorType = i == 29 ? ActorTypes.System : ActorTypes.User,
                ActorId = UserId,
                ActorName = i % 2 == 0 ? "even@example.com" : "odd@example.com",
                Action = i % 3 == 0 ? "member.role_changed" : "invitation.created",
                TargetType = "member",
                TargetId = $"mem_{i}",
                Changes = """{"role": {"before": "viewer", "after": "admin"}}""",
                IpAddress = "192.0.2.1",
                UserAgent = "Mozilla/5.0 (X11; Linux x86_64) a long user agent string",
                RequestId = $"req-{i}",
            });
        }

        await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        AddAuthorization().SetAuthorized("a@example.com").SetClaims(new Claim(ClaimTypes.NameIdentifier, UserId));
    }

    public new async ValueTask DisposeAsync() => await base.DisposeAsync();

    private IRenderedComponent<WorkspaceActivity> RenderPage()
    {
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return Render<WorkspaceActivity>(p => p.Add(c => c.WorkspaceId, WorkspaceId));
    }

    [Fact]
    public void Page_ShowsTheNewestEventsFirst_ChangesCompactly_AndPagesOnTheServer()
    {
        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Equal(25, page.FindAll("[data-testid='event-action']").Count));
        Assert.Contains("role: viewer → admin", page.Markup, StringComparison.Ordinal);
        Assert.Contains("req-29", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("req-4<", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Mozilla/5.0 (X11; Linux x86_64…", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActorFilter_ReloadsFromTheServer_AndGoesIntoTheExportLinks()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal(25, page.FindAll("[data-testid='event-action']").Count));

        var actor = page.FindComponents<MudBlazor.MudTextField<string>>()[0];
        await page.InvokeAsync(() => actor.Instance.ValueChanged.InvokeAsync("odd@"));

        page.WaitForAssertion(() => Assert.Equal(15, page.FindAll("[data-testid='event-action']").Count));
        Assert.Equal($"workspaces/{WorkspaceId}/activity/export.csv?actor=odd@", page.Find("[data-testid='export-csv']").GetAttribute("href"));
    }
}
