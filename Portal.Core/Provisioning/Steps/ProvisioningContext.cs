using Portal.Core.Applications;

namespace Portal.Core.Provisioning.Steps;

/// <summary>What the steps of one run share: the run's database context, the application, and its instance spec.</summary>
public sealed class ProvisioningContext(PortalDbContext db, Application application, InstanceSpecs specs)
{
    private InstanceSpec? _spec;

    public PortalDbContext Db { get; } = db;

    public Application Application { get; } = application;

    /// <summary>
    /// Built on first use (after the credentials step has stored the names and secrets it is made from) and reused by
    /// the later steps of the run, so it decrypts the secrets and reads the region's settings once.
    /// </summary>
    public async Task<InstanceSpec> SpecAsync(CancellationToken ct) => _spec ??= await specs.BuildAsync(Db, Application, ct);
}
