namespace Portal.Core.Proxy;

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
