using System.Threading.RateLimiting;

namespace Portal.Core.Provisioning.Kubernetes;

/// <summary>
/// Our side of the API server's priority and fairness: every request to one cluster takes a token from that
/// cluster's bucket first (KubernetesClient has no limiter of its own). A watch or a followed log takes one token
/// when it opens, however long it streams.
/// </summary>
public sealed class KubernetesRateLimitHandler(RateLimiter limiter) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var lease = await limiter.AcquireAsync(1, cancellationToken);
        if (!lease.IsAcquired)
        {
            throw new HttpRequestException("The Kubernetes client's request queue is full.");
        }

        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>A token bucket of <paramref name="burst"/> tokens refilled at <paramref name="qps"/> per second, in steps of about 50 ms.</summary>
    public static TokenBucketRateLimiter CreateLimiter(double qps, int burst)
    {
        var tokensPerPeriod = Math.Max(1, (int)Math.Round(qps / 20));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokensPerPeriod / qps),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }
}
