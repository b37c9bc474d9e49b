using System.Net;
using Portal.Core.Proxy;
using Portal.Core.RateLimiting;

namespace Portal.Core.ApiTokens;

/// <summary>
/// Keeps random well-formed tokens from costing a PostgreSQL query each: a token this replica has not seen succeed
/// lately takes a slot of the client address's minute (<see cref="FailedAuthenticationLimiter"/>) before its lookup,
/// given back when it is found. Tokens that authenticated here in the last <see cref="KnownFor"/> skip the limiter, so
/// a user's CI keeps working from an address someone floods (their lookups still decide, revocation included).
/// </summary>
public sealed class ApiTokenFloodGuard(FailedAuthenticationLimiter failures, TimeProvider clock)
{
    /// <summary>How long a token that authenticated stays exempt from the address's budget on this replica.</summary>
    public static readonly TimeSpan KnownFor = TimeSpan.FromMinutes(10);

    private const int Capacity = 10_000;
    private static readonly object Known = new();

    private readonly BoundedCache<KeyHash, object> _known = new(Capacity, clock);
    private readonly long _knownFor = clock.ToTimestampSpan(KnownFor);

    /// <summary>Null when the lookup may run; else how long the address must wait.</summary>
    public async ValueTask<LookupAdmission?> AdmitAsync(string token, IPAddress? client)
    {
        if (_known.TryGet(KeyHash.Of(token), Now, out _))
        {
            return null;
        }

        var admission = await failures.AdmitAsync(FailedAuthenticationLimiter.ControlApiRealm, client);
        return admission.Allowed ? null : admission;
    }

    /// <summary>The token was found: remembered as known, and its slot (if it took one) given back.</summary>
    public void Found(string token, IPAddress? client)
    {
        var hash = KeyHash.Of(token);
        if (!_known.TryGet(hash, Now, out _))
        {
            failures.Release(FailedAuthenticationLimiter.ControlApiRealm, client);
        }

        _known.Set(hash, Known, TimestampSpans.After(Now, _knownFor));
    }

    private long Now => clock.GetTimestamp();
}
