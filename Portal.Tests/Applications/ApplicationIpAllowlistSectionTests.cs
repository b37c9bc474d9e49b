using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Core.Accounts;
using Portal.Core.Applications;
using Portal.Core.Workspaces;
using Portal.Features.Applications.Lifecycle;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Applications;

/// <summary>
/// The IP allowlist section of the application's Settings tab, rendered with bUnit on the real use cases of a test
/// portal: an error on the line at fault, a save that rolls nothing, read-only for viewers.
/// </summary>
public sealed class ApplicationIpAllowlistSectionTests(TestServers servers) : BunitContext, IAsyncLifetime
{
    private const string Configuration = """{"logLevel": "info"}""";
    private PortalApp _app = default!;
    private PortalUser _owner = default!;
    private Workspace _workspace = default!;
    private Application _application = default!;
    private BunitAuthorizationContext _authorization = default!;

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _app = await PortalApp.CreateAsync(servers);
        _owner = await WorkspaceSteps.CreateUserAsync(_app);
        _workspace = await WorkspaceSteps.CreateWorkspaceAsync(_app, _owner);
        _application = new Application
        {
            WorkspaceId = _workspace.Id,
            Name = "Storefront",
            Slug = "storefront",
            Region = "eu-test-1",
            Status = ApplicationStatus.Active,
            Configuration = Configuration,
            InternalUrl = "http://authsome.authsome-app-x.svc.cluster.local:8080",
            CreatedAt = _app.Clock.GetUtcNow(),
        };
        await using (var db = _app.CreateDbContext())
        {
            db.Add(_application);
            await db.SaveChangesAsync(Ct);
        }

        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        Services.AddFallbackServiceProvider(_app.Services);
        _authorization = AddAuthorization();
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }

    private IRenderedComponent<ApplicationSettingsPanel> RenderSettings(PortalUser user, bool canManage)
    {
        _authorization.SetAuthorized(user.Email!).SetClaims(new Claim(ClaimTypes.NameIdentifier, user.Id), new Claim(ClaimTypes.Email, user.Email!));
        return Render<ApplicationSettingsPanel>(p => p
            .Add(c => c.ApplicationId, _application.Id).Add(c => c.WorkspaceId, _workspace.Id).Add(c => c.CanManage, canManage));
    }

    private static IElement Field(IRenderedComponent<ApplicationSettingsPanel> panel) =>
        panel.Find("[data-testid='ip-allowlist-field']") is { TagName: "TEXTAREA" } element ? element : panel.Find("[data-testid='ip-allowlist-field'] textarea");

    private async Task<Application> ReloadAsync()
    {
        await using var db = _app.CreateDbContext();
        return await db.Set<Application>().AsNoTracking().SingleAsync(a => a.Id == _application.Id, Ct);
    }

    [Fact]
    public async Task Editing_ShowsTheErrorOnTheLineAtFault_ThenSaves_WithoutRestartingTheInstance()
    {
        var panel = RenderSettings(_owner, canManage: true);
        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("[data-testid='ip-allowlist-save']")));
        Assert.Contains("Leave empty to allow every address. Requests from other addresses get 403.", panel.Markup, StringComparison.Ordinal);
        Assert.Equal("", Field(panel).GetAttribute("value") ?? "");

        // The third line is wrong (a blank line counts as a line the member sees).
        await Field(panel).InputAsync(new() { Value = "203.0.113.0/24\n\n10.1.2.3/8" });
        await panel.Find("[data-testid='ip-allowlist-save']").ClickAsync(new());

        panel.WaitForAssertion(() => Assert.Contains("Line 3:", panel.Find("[data-testid='application-ip-allowlist']").TextContent, StringComparison.Ordinal));
        Assert.Contains("10.0.0.0/8", panel.Find("[data-testid='application-ip-allowlist']").TextContent, StringComparison.Ordinal);
        Assert.Empty((await ReloadAsync()).IpAllowlist);

        await Field(panel).InputAsync(new() { Value = "203.0.113.0/24\n\n 2001:DB8::1 \n" });
        await panel.Find("[data-testid='ip-allowlist-save']").ClickAsync(new());

        panel.WaitForAssertion(() => Assert.Equal("203.0.113.0/24\n2001:db8::1/128", Field(panel).GetAttribute("value")));
        Assert.DoesNotContain("Line 3:", panel.Find("[data-testid='application-ip-allowlist']").TextContent, StringComparison.Ordinal);
        var stored = await ReloadAsync();
        Assert.Equal(["203.0.113.0/24", "2001:db8::1/128"], stored.IpAllowlist.Select(n => n.ToString()));
        Assert.Equal((ApplicationStatus.Active, Configuration), (stored.Status, stored.Configuration));

        // Emptied: every address allowed again.
        await Field(panel).InputAsync(new() { Value = "  \n" });
        await panel.Find("[data-testid='ip-allowlist-save']").ClickAsync(new());
        panel.WaitForAssertion(() => Assert.Equal("", Field(panel).GetAttribute("value") ?? ""));
        Assert.Empty((await ReloadAsync()).IpAllowlist);
    }

    [Fact]
    public async Task AViewer_SeesTheAllowlistReadOnly_WithoutASaveButton()
    {
        await using (var db = _app.CreateDbContext())
        {
            await db.Set<Application>().Where(a => a.Id == _application.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(a => a.IpAllowlist, new List<System.Net.IPNetwork> { System.Net.IPNetwork.Parse("198.51.100.0/24") }), Ct);
        }

        var viewer = await WorkspaceSteps.CreateUserAsync(_app);
        await WorkspaceSteps.AddMemberAsync(_app, _workspace, viewer, WorkspaceRole.Viewer);

        var panel = RenderSettings(viewer, canManage: false);

        panel.WaitForAssertion(() => Assert.Equal("198.51.100.0/24", Field(panel).GetAttribute("value")));
        Assert.True(Field(panel).HasAttribute("readonly"));
        Assert.Empty(panel.FindAll("[data-testid='ip-allowlist-save']"));
    }
}
