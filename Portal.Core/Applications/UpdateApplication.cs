using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Provisioning;
using Portal.Core.Proxy;
using Portal.Core.Workspaces;

namespace Portal.Core.Applications;

/// <summary>
/// Renames an application, changes its configuration (checked against the instance settings schema) or its IP
/// allowlist. A new configuration rolls the instance with no downtime: status <c>restarting</c>, then <c>active</c>.
/// A new allowlist is a proxy setting: no roll, but every proxy replica is told to drop the application it cached.
/// </summary>
public sealed class UpdateApplication(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, IInstanceRollQueue rolls, ProxyInvalidationOutbox proxies)
{
    public async Task<Outcome<Application>> ExecuteAsync(Actor actor, string applicationId, ApplicationChange change, CancellationToken cancellationToken = default)
    {
        var name = change.Name?.Trim();
        if ((name is null ? null : WorkspaceRules.ValidateName(name)) is { } badName)
        {
            return badName;
        }

        if (InstanceSettings.Validate(change.Configuration) is { } badConfiguration)
        {
            return badConfiguration;
        }

        List<IPNetwork>? allowlist = null;
        if (change.IpAllowlist is { } entries)
        {
            var parsed = IpAllowlistRules.Parse(entries);
            if (!parsed.Succeeded)
            {
                return parsed.Failure;
            }

            allowlist = parsed.Value;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await ApplicationAccess.RequireAsync(db, actor.UserId, applicationId, WorkspacePermission.ManageApplications, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var application = found.Value;
        if (application.Status is ApplicationStatus.Deleting or ApplicationStatus.Suspended)
        {
            return Failure.Conflict($"The application is {ApplicationLifecycleRules.Describe(application.Status)}; restore it before changing it.");
        }

        var changes = new AuditChanges();
        if (name is not null)
        {
            changes.Field("name", application.Name, name);
            application.Name = name;
        }

        var allowlistChanged = false;
        if (allowlist is not null && !allowlist.SequenceEqual(application.IpAllowlist))
        {
            changes.Field("ipAllowlist", (IReadOnlyList<string>)IpAllowlistRules.Format(application.IpAllowlist), IpAllowlistRules.Format(allowlist));
            application.IpAllowlist = allowlist;
            allowlistChanged = true;
        }

        var roll = false;
        if (change.Configuration is { } configuration && !JsonNode.DeepEquals(JsonNode.Parse(application.Configuration), JsonNode.Parse(configuration)))
        {
            // A roll under way takes the newest configuration when it runs; another one follows it if needed.
            if (!ApplicationLifecycleRules.CanRoll(application) && application.Status != ApplicationStatus.Restarting)
            {
                return Failure.Conflict(
                    $"The configuration can change once the application is active; it is {ApplicationLifecycleRules.Describe(application.Status)}.", "configuration");
            }

            changes.Field("configuration", application.Configuration, configuration);
            changes.Field("status", application.Status, ApplicationStatus.Restarting);
            application.Configuration = configuration;
            application.Status = ApplicationStatus.Restarting;
            application.LastError = null;
            roll = true;
        }

        if (changes.IsEmpty)
        {
            return application;
        }

        audit.Add(db, actor, "application.updated", application.WorkspaceId, "application", application.Id, changes);
        // Saved with the new allowlist: every proxy replica drops the application it cached (and open pages reload it).
        var invalidation = allowlistChanged ? proxies.Application(db, application.Id) : null;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Failure.Conflict("The application changed at the same time; reload and try again.");
        }

        if (roll)
        {
            rolls.EnqueueRoll(application.Id);
        }

        if (invalidation is not null)
        {
            await proxies.PublishAsync(invalidation);
        }

        return application;
    }
}
