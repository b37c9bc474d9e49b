namespace Portal.Core.Proxy;

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
