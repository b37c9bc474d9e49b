using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using Portal.Core.Accounts;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Workspaces;
using Portal.Features.Applications;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Applications;

/// <summary>
/// The applications page and its create dialog rendered with bUnit, on the real use cases of a test portal (its
/// PostgreSQL, its simulated region): field errors, the plan limit, the secret shown once, then the application's page.
/// </summary>
public sealed class CreateApplicationDialogTests(TestServers servers) : BunitContext, IAsyncLifetime
{
    private PortalApp _app = default!;
    private PortalUser _owner = default!;
    private Workspace _workspace = default!;

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _app = await PortalApp.CreateAsync(servers, new Dictionary<string, string?> { ["Kubernetes:Regions:us-east-1:Kubeconfig"] = "simulated" });
        _owner = await WorkspaceSteps.CreateUserAsync(_app);
        _workspace = await WorkspaceSteps.CreateWorkspaceAsync(_app, _owner);
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        // Everything else (use cases, queries, options) is the test portal's own.
        Services.AddFallbackServiceProvider(_app.Services);
        AddAuthorization().SetAuthorized(_owner.Email!).SetClaims(new Claim(ClaimTypes.NameIdentifier, _owner.Id), new Claim(ClaimTypes.Email, _owner.Email!));
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }

    private static IElement Field(IRenderedComponent<MudDialogProvider> dialogs, string testId)
    {
        var element = dialogs.Find($"[data-testid='{testId}']");
        return element.TagName is "INPUT" or "TEXTAREA" ? element : element.QuerySelector("input, textarea")!;
    }

    /// <summary>Opens the dialog; the returned task is the button's handler, which ends when the dialogs it opened close.</summary>
    private (IRenderedComponent<MudDialogProvider> Dialogs, Task Flow) OpenCreateDialog()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = Render<WorkspaceApplications>(p => p.Add(c => c.WorkspaceId, _workspace.Id));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid='create-application']")));
        var flow = page.Find("[data-testid='create-application']").ClickAsync(new());
        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-testid='create-application-submit']")));
        return (dialogs, flow);
    }

    private async Task<int> ApplicationsAsync()
    {
        await using var db = _app.CreateDbContext();
        return await db.Set<Application>().CountAsync(Ct);
    }

    [Fact]
    public async Task Create_ShowsErrorsOnTheirFields_ThenTheSecretOnce_ThenOpensTheApplication()
    {
        var (dialogs, flow) = OpenCreateDialog();
        await Field(dialogs, "application-name").InputAsync(new() { Value = "Storefront" });
        dialogs.WaitForAssertion(() => Assert.Equal("storefront", Field(dialogs, "application-slug").GetAttribute("value")));
        await Field(dialogs, "application-configuration").ChangeAsync(new() { Value = """{"logLevel":"verbose"}""" });

        await dialogs.Find("[data-testid='create-application-submit']").ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.Contains("configuration.logLevel:", dialogs.Find("[data-testid='create-application-dialog'] .mud-input-error")?.TextContent ?? dialogs.Markup, StringComparison.Ordinal));
        Assert.Equal(0, await ApplicationsAsync());

        await Field(dialogs, "application-configuration").ChangeAsync(new() { Value = """{"logLevel":"info"}""" });
        await dialogs.Find("[data-testid='create-application-submit']").ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.NotNull(dialogs.Find("[data-testid='secret-key-value']")));
        var secret = dialogs.Find("[data-testid='secret-key-value']").TextContent;
        Assert.StartsWith("sk_test_", secret, StringComparison.Ordinal);
        Assert.StartsWith("pk_test_", dialogs.Find("[data-testid='public-key-value']").TextContent, StringComparison.Ordinal);
        string applicationId;
        await using (var db = _app.CreateDbContext())
        {
            var hash = ApiKeyFormat.Hash(secret);
            var key = await db.Set<ApiKey>().SingleAsync(k => k.Hash == hash, Ct);
            Assert.Null(key.PublicValue);
            applicationId = key.ApplicationId;
        }

        await dialogs.Find("[data-testid='secret-key-done']").ClickAsync(new());
        await flow.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var navigation = Services.GetRequiredService<NavigationManager>();
        dialogs.WaitForAssertion(() => Assert.EndsWith($"/workspaces/{_workspace.Id}/applications/{applicationId}", navigation.Uri, StringComparison.Ordinal));
        Assert.Empty(dialogs.FindAll("[data-testid='secret-key-value']"));
    }

    [Fact]
    public async Task List_ShowsTheApplicationsFromTheServer_WithTheirStatus()
    {
        foreach (var (name, environment) in new[] { ("Storefront", ApplicationEnvironment.Production), ("Back office", ApplicationEnvironment.Staging) })
        {
            var created = await WorkspaceSteps.RunAsync(_app, sp => sp.GetRequiredService<CreateApplication>()
                .ExecuteAsync(WorkspaceSteps.ActorFor(_owner), _workspace.Id, new NewApplication(name, null, environment, "us-east-1")));
            Assert.True(created.Succeeded, created.Failure?.Message);
        }

        var page = Render<WorkspaceApplications>(p => p.Add(c => c.WorkspaceId, _workspace.Id));

        page.WaitForAssertion(() => Assert.Equal(["Back office", "Storefront"], page.FindAll("[data-testid='application-row'] b").Select(b => b.TextContent)));
        Assert.Equal(["provisioning", "provisioning"], page.FindAll("[data-testid='application-status']").Select(c => c.GetAttribute("data-status")));
        Assert.Contains("staging", page.Find("[data-testid='applications-table']").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_PastTheFreePlanLimit_SaysSo_InTheDialog()
    {
        var (dialogs, _) = OpenCreateDialog();
        // Meanwhile, someone else fills the free plan.
        for (var i = 1; i <= 3; i++)
        {
            var created = await WorkspaceSteps.RunAsync(_app, sp => sp.GetRequiredService<CreateApplication>()
                .ExecuteAsync(WorkspaceSteps.ActorFor(_owner), _workspace.Id, new NewApplication($"App {i}", null, ApplicationEnvironment.Staging, "us-east-1")));
            Assert.True(created.Succeeded, created.Failure?.Message);
        }

        await Field(dialogs, "application-name").InputAsync(new() { Value = "One too many" });
        await dialogs.Find("[data-testid='create-application-submit']").ClickAsync(new());

        dialogs.WaitForAssertion(() => Assert.Contains("The free plan allows 3 applications", dialogs.Find("[data-testid='create-application-error']").TextContent, StringComparison.Ordinal));
        Assert.Equal(3, await ApplicationsAsync());
    }
}
