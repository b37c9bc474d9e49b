using Microsoft.Playwright;

namespace Portal.Tests.Infrastructure;

/// <summary>A real browser (Debian's headless Chromium, driven by Playwright) against the portal on a real port.</summary>
public abstract class BrowserTest(TestServers servers) : PortalTest(servers)
{
    private IPlaywright _playwright = default!;

    protected Uri BaseUrl { get; private set; } = default!;

    protected IBrowser Browser { get; private set; } = default!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        BaseUrl = App.StartKestrel();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Processes.FindExecutable("chromium", "/usr/bin"),
            Headless = true,
            // Root in CI has no sandbox; this machine's network is closed, so no background connections.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A page in a browser context of its own (its own cookies), for one person of the scenario.</summary>
    protected async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl.ToString() });
        return await context.NewPageAsync();
    }

    /// <summary>Runs a scenario, keeping a screenshot of each page under playwright-failures when it fails.</summary>
    protected static async Task WithScreenshotsOnFailureAsync(string name, Func<Task> scenario, params IPage[] pages)
    {
        try
        {
            await scenario();
        }
        catch
        {
            var directory = Path.Combine(AppContext.BaseDirectory, "playwright-failures");
            Directory.CreateDirectory(directory);
            for (var i = 0; i < pages.Length; i++)
            {
                await pages[i].ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, $"{name}-{i}.png"), FullPage = true });
            }

            throw;
        }
    }

    protected static async Task SignInWithPasswordAsync(IPage page, string email, string returnUrl = "")
    {
        await page.GotoAsync("/Account/Login" + (returnUrl.Length > 0 ? $"?returnUrl={Uri.EscapeDataString(returnUrl)}" : ""));
        await page.FillAsync("#Input\\.Email", email);
        await page.FillAsync("#Input\\.Password", AccountSteps.StrongPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }
}
