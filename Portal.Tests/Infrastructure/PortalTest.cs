namespace Portal.Tests.Infrastructure;

/// <summary>A test class whose every test gets its own portal on its own database (xUnit makes an instance per test).</summary>
public abstract class PortalTest(TestServers servers) : IAsyncLifetime
{
    protected TestServers Servers { get; } = servers;

    protected PortalApp App { get; private set; } = default!;

    /// <summary>Settings on top of the test defaults of <see cref="PortalApp"/>.</summary>
    protected virtual Dictionary<string, string?> Settings => [];

    public virtual async ValueTask InitializeAsync() => App = await CreateAppAsync();

    public virtual async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected virtual Task<PortalApp> CreateAppAsync() => PortalApp.CreateAsync(Servers, Settings);
}
