using System.Net;
using System.Net.Sockets;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Workspaces;

namespace Portal.Core.Proxy;

/// <summary>What the proxy knows of a key: never its value (only its display prefix, for logs).</summary>
public sealed record ProxyKey(
    string KeyId, string ApplicationId, ApiKeyType Type, IReadOnlyList<string> Scopes, string DisplayPrefix,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    /// <summary>Whether the key has scope <paramref name="scope"/> (or all of them).</summary>
    public bool HasScope(string scope)
    {
        foreach (var granted in Scopes)
        {
            if (granted == ApiKeyScopes.All || string.Equals(granted, scope, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

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

/// <summary>Why a presented key was refused; <see cref="None"/> when it was accepted.</summary>
public enum KeyRefusal : byte
{
    None,

    /// <summary>No key was presented (401).</summary>
    Missing,

    /// <summary>Not a key, or no key with that value (401).</summary>
    Unknown,

    /// <summary>401.</summary>
    Revoked,

    /// <summary>401 (also an old key whose rotation overlap ended).</summary>
    Expired,

    /// <summary>A key of another application than the route's (401).</summary>
    OtherApplication,

    /// <summary>The application is not serving (503 with <see cref="ProxyApplication.UnavailableReason"/>).</summary>
    ApplicationUnavailable,

    /// <summary>
    /// The key is not in the caches and the client's address used its minute of lookups of unknown keys
    /// (<see cref="RateLimiting.FailedAuthenticationLimiter"/>): 429 with <see cref="KeyVerification.RetryAfterSeconds"/>, no database query.
    /// </summary>
    TooManyFailures,
}

/// <summary>The answer of <see cref="ProxyKeyVerifier"/>: a struct over cached records, so the hot path allocates nothing.</summary>
public readonly struct KeyVerification
{
    private KeyVerification(KeyRefusal refusal, ProxyKey? key, ProxyApplication? application, long retryAfterSeconds = 0)
    {
        Refusal = refusal;
        Key = key;
        Application = application;
        RetryAfterSeconds = retryAfterSeconds;
    }

    /// <summary>For <see cref="KeyRefusal.TooManyFailures"/>: whole seconds before the address may try unknown keys again.</summary>
    public long RetryAfterSeconds { get; }

    public KeyRefusal Refusal { get; }

    /// <summary>The key, when it was found (also for most refusals, so that logs can show its display prefix).</summary>
    public ProxyKey? Key { get; }

    /// <summary>The key's application, when the key was accepted or the refusal is <see cref="KeyRefusal.ApplicationUnavailable"/>.</summary>
    public ProxyApplication? Application { get; }

    public bool Succeeded => Refusal == KeyRefusal.None;

    /// <summary>The HTTP status of a refusal: 503 for an unavailable application, 429 for too many unknown keys, 401 otherwise (200 when accepted).</summary>
    public int StatusCode => Refusal switch
    {
        KeyRefusal.None => 200,
        KeyRefusal.ApplicationUnavailable => 503,
        KeyRefusal.TooManyFailures => 429,
        _ => 401,
    };

    public static KeyVerification Ok(ProxyKey key, ProxyApplication application) => new(KeyRefusal.None, key, application);

    public static KeyVerification Refused(KeyRefusal refusal, ProxyKey? key = null, ProxyApplication? application = null) => new(refusal, key, application);

    public static KeyVerification Throttled(long retryAfterSeconds) => new(KeyRefusal.TooManyFailures, null, null, retryAfterSeconds);
}
