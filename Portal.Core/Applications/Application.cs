using System.Net;
using Portal.Core.Workspaces;

namespace Portal.Core.Applications;

/// <summary>One environment of a customer's product; provisioning gives it an instance of its own.</summary>
public class Application
{
    public string Id { get; set; } = Ids.New("app");

    public required string WorkspaceId { get; set; }

    public Workspace? Workspace { get; set; }

    public required string Name { get; set; }

    /// <summary>Unique within the workspace.</summary>
    public required string Slug { get; set; }

    public ApplicationEnvironment Environment { get; set; }

    public required string Region { get; set; }

    public ApplicationStatus Status { get; set; } = ApplicationStatus.Provisioning;

    /// <summary>The instance settings, a JSON object validated against the documented schema.</summary>
    public string Configuration { get; set; } = "{}";

    /// <summary>Where the proxy reaches the instance (the Service's cluster DNS name); set when provisioning ends.</summary>
    public string? InternalUrl { get; set; }

    /// <summary>
    /// The CIDR ranges the proxy accepts clients from (PostgreSQL <c>cidr[]</c>); empty allows every address. A proxy
    /// setting: changing it never rolls the instance.
    /// </summary>
    public List<IPNetwork> IpAllowlist { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedByUserId { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>When the owner last asked for a restart; the pod template carries it, so a new value rolls the pods.</summary>
    public DateTimeOffset? RestartedAt { get; set; }

    /// <summary>Why the last configuration roll or restart failed (for the owner; never a secret); cleared by the next success.</summary>
    public string? LastError { get; set; }

    public uint Version { get; set; }
}
