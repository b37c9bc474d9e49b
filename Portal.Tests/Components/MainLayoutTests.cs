using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using MudBlazor.Services;
using Portal.Components.Layout;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components;

/// <summary>The layout rendered with bUnit, its preference saved in a real database.</summary>
public sealed class MainLayoutTests(TestServers servers) : BunitContext, IAsyncLifetime
{
    private string _connectionString = "";

    public async ValueTask InitializeAsync()
    {
        _connectionString = await servers.Postgres.CreateDatabaseAsync();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddDbContextFactory<PortalDbContext>(o => o.UseNpgsql(_connectionString));
        Services.AddSingleton<UserPreferences>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddOptions<WorkspaceOptions>();
        Services.AddScoped<WorkspaceQueries>();
        Services.AddSingleton<IWebHostEnvironment>(new TestWebHostEnvironment());
    }

    public new async ValueTask DisposeAsync() => await base.DisposeAsync();

    private async Task<PortalUser> SignedInUserAsync()
    {
        var user = new PortalUser { UserName = "layout@example.com", Email = "layout@example.com", EmailConfirmed = true };
        await using (var db = PostgresServer.CreateContext(_connectionString))
        {
            db.Users.Add(user);
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }

        AddAuthorization().SetAuthorized(user.Email).SetClaims(new Claim(ClaimTypes.NameIdentifier, user.Id));
        return user;
    }

    private IRenderedComponent<MainLayout> RenderLayout()
    {
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "page body"))));
    }

    [Fact]
    public async Task MenuButton_TogglesTheDrawer()
    {
        await SignedInUserAsync();
        var layout = RenderLayout();
        var initiallyOpen = layout.Instance.DrawerOpen;

        await layout.Find("[data-testid='drawer-toggle']").ClickAsync(new());
        Assert.Equal(!initiallyOpen, layout.Instance.DrawerOpen);
        Assert.Contains(initiallyOpen ? "mud-drawer--closed" : "mud-drawer--open", layout.Find(".mud-drawer").ClassName, StringComparison.Ordinal);

        await layout.Find("[data-testid='drawer-toggle']").ClickAsync(new());
        Assert.Equal(initiallyOpen, layout.Instance.DrawerOpen);
        Assert.Contains(initiallyOpen ? "mud-drawer--open" : "mud-drawer--closed", layout.Find(".mud-drawer").ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DarkModeToggle_SwitchesTheTheme_AndIsRememberedForTheUser()
    {
        var user = await SignedInUserAsync();
        var layout = RenderLayout();
        Assert.False(layout.Instance.DarkMode);
        Assert.Contains("page body", layout.Markup, StringComparison.Ordinal);

        await layout.Find("[data-testid='dark-mode-toggle']").ClickAsync(new());

        Assert.True(layout.Instance.DarkMode);
        await using (var db = PostgresServer.CreateContext(_connectionString))
        {
            Assert.True(await db.Users.Where(u => u.Id == user.Id).Select(u => u.PrefersDarkMode).SingleAsync(Xunit.TestContext.Current.CancellationToken));
        }

        await DisposeComponentsAsync();
        var reopened = RenderLayout();
        reopened.WaitForAssertion(() => Assert.True(reopened.Instance.DarkMode));
    }

    [Fact]
    public async Task AnonymousVisitor_SeesSignInButtons_AndTheToggleStillWorks()
    {
        AddAuthorization();
        var layout = RenderLayout();
        layout.WaitForAssertion(() => Assert.Contains("Sign in", layout.Markup, StringComparison.Ordinal));

        await layout.Find("[data-testid='dark-mode-toggle']").ClickAsync(new());

        layout.WaitForAssertion(() => Assert.True(layout.Instance.DarkMode));
    }

    private sealed class TestWebHostEnvironment : IWebHostEnvironment
    {
        public string WebRootPath { get; set; } = "";
        public IFileProvider WebRootFileProvider { get; set; } = new NullFileProvider();
        public string ApplicationName { get; set; } = "Portal";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
        public string ContentRootPath { get; set; } = "";
        public string EnvironmentName { get; set; } = "Testing";
    }
}
