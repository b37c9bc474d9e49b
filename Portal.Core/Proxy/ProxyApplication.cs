using System.Net;
using System.Net.Sockets;
using Portal.Core.Applications;
using Portal.Core.Workspaces;

namespace Portal.Core.Proxy;

/// <summary>What the proxy knows of an application: where to forward, and under which plan.</summary>
public sealed record ProxyApplication(
    string Id, string WorkspaceId, ApplicationStatus Status, bool Deleted, string Region, string? InternalUrl, WorkspacePlan Plan)
{
    private readonly IReadOnlyList<IPNetwork> _ipAllowlist = [];
    private readonly IPNetwork[] _networks = [];
    private readonly IPNetwork[] _mappedIPv4Networks = [];

    /// <summary>The CIDR ranges clients may call from; empty allows every address.</summary>
    public IReadOnlyList<IPNetwork> IpAllowlist
    {
        get => _ipAllowlist;
        init
        {
            _ipAllowlist = value;
            _networks = [.. value];
            // The IPv4 ranges as IPv4-mapped IPv6 ranges (10.0.0.0/8 → ::ffff:10.0.0.0/104), prepared once per load:
            // a dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d, and converting each one would allocate.
            _mappedIPv4Networks = [.. value.Where(n => n.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
                .Select(n => new IPNetwork(n.BaseAddress.MapToIPv6(), n.PrefixLength + 96))];
        }
    }

    /// <summary>
    /// Whether a client at <paramref name="address"/> may call (IPv4-mapped IPv6 addresses count as IPv4: only the
    /// IPv4 ranges allow them). Allocates nothing.
    /// </summary>
    public bool Allows(IPAddress address)
    {
        if (_networks.Length == 0)
        {
            return true;
        }

        foreach (var network in address.IsIPv4MappedToIPv6 ? _mappedIPv4Networks : _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Active, or rolling a new configuration (the old pods keep serving until the new ones are ready).</summary>
    public bool Serving => !Deleted && Status is ApplicationStatus.Active or ApplicationStatus.Restarting && InternalUrl is not null;

    /// <summary>The reason given with a 503 when the application is not <see cref="Serving"/>.</summary>
    public string UnavailableReason => Deleted && Status != ApplicationStatus.Suspended ? "deleting" : Status switch
    {
        ApplicationStatus.Provisioning => "provisioning",
        ApplicationStatus.Failed => "failed",
        ApplicationStatus.Suspended => "suspended",
        ApplicationStatus.Deleting => "deleting",
        ApplicationStatus.Deleted => "deleted",
        _ => "unavailable",
    };
}
