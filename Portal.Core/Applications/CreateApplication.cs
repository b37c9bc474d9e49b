using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.ApiKeys;
using Portal.Core.Audit;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Kubernetes;
using Portal.Core.Workspaces;

namespace Portal.Core.Applications;

/// <summary>
/// Creates an application in <c>provisioning</c> with its first public and secret keys, within the plan's limit.
/// Provisioning itself runs in the background.
/// </summary>
public sealed class CreateApplication(
    IDbContextFactory<PortalDbContext> dbFactory,
    AuditLog audit,
    TimeProvider clock,
    ManageApiKeys keys,
    KubernetesOptions regions,
    IOptions<ApplicationOptions> options,
    IProvisioningQueue provisioning)
{
    public async Task<Outcome<CreatedApplication>> ExecuteAsync(Actor actor, string workspaceId, NewApplication request, CancellationToken cancellationToken = default)
    {
        var name = request.Name?.Trim();
        var slug = string.IsNullOrWhiteSpace(request.Slug) ? WorkspaceRules.SuggestSlug(name) : request.Slug.Trim();
        var invalid = WorkspaceRules.ValidateName(name) ?? WorkspaceRules.ValidateSlug(slug);
        if (invalid is not null)
        {
            return invalid;
        }

        if (request.Environment is not { } environment || !Enum.IsDefined(environment))
        {
            return Failure.Invalid("environment", "Choose an environment: production, staging or development.");
        }

        if (request.Region is not { } region || !regions.Regions.ContainsKey(region))
        {
            return Failure.Invalid("region", $"Choose a region: {string.Join(", ", regions.Regions.Keys.Order(StringComparer.Ordinal))}.");
        }

        if (InstanceSettings.Validate(request.Configuration) is { } badConfiguration)
        {
            return badConfiguration;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, actor.UserId, workspaceId, WorkspacePermission.ManageApplications, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        // One create or restore at a time per workspace: the count below and the insert are one decision.
        await using var transaction = await RowLocks.LockWorkspaceAsync(db, workspaceId, cancellationToken);
        if (await ApplicationPlanLimit.ReachedAsync(db, workspaceId, options.Value, cancellationToken))
        {
            return Failure.PlanLimit(
                $"The free plan allows {options.Value.FreePlanMaxApplications} applications. Delete one or upgrade to pro for unlimited applications.");
        }

        if (await db.Set<Application>().AnyAsync(a => a.WorkspaceId == workspaceId && a.Slug == slug, cancellationToken))
        {
            return SlugTaken(slug);
        }

        var application = new Application
        {
            WorkspaceId = workspaceId,
            Name = name!,
            Slug = slug,
            Environment = environment,
            Region = region,
            Configuration = request.Configuration ?? "{}",
            CreatedAt = clock.GetUtcNow(),
            CreatedByUserId = actor.UserId,
        };
        db.Add(application);
        var publicKey = keys.Add(db, application, actor, "Default public key", ApiKeyType.Public, [], null);
        var secretKey = keys.Add(db, application, actor, "Default secret key", ApiKeyType.Secret, [ApiKeyScopes.All], null);
        audit.Add(db, actor, "application.created", workspaceId, "application", application.Id, new AuditChanges()
            .Field<string?>("name", null, application.Name)
            .Field<string?>("slug", null, application.Slug)
            .Field<ApplicationEnvironment?>("environment", null, environment)
            .Field<string?>("region", null, region));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return SlugTaken(slug);
        }

        provisioning.Enqueue(application.Id);
        return new CreatedApplication(application, publicKey, secretKey);
    }

    private static Failure SlugTaken(string slug) =>
        Failure.Conflict($"This workspace already has an application with the slug '{slug}'.", "slug");
}
