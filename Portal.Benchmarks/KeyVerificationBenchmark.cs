using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Changes;
using Portal.Core.Proxy;
using Portal.Core.RateLimiting;
using Portal.Core.Workspaces;
using StackExchange.Redis;

namespace Portal.Benchmarks;

/// <summary>
/// The proxy's cached key-verification path (`./dev.sh bench proxy-keys`): SHA-256 of the presented key, the local
/// cache, the key and application checks. Goal: ≥ 1,000,000 verifications per second per core and 0 B allocated.
/// Redis is an address nobody listens on (the cached path never reaches it), the database is never asked.
/// </summary>
[MemoryDiagnoser]
public class KeyVerificationBenchmark : IDisposable
{
    private ConnectionMultiplexer _redis = null!;
    private ProxyKeyVerifier _verifier = null!;
    private ChangeChannel _changes = null!;
    private string _key = null!;
    private string _applicationId = null!;

    [GlobalSetup]
    public void Setup()
    {
        var redis = ConfigurationOptions.Parse("127.0.0.1:1,connectTimeout=100");
        redis.AbortOnConnectFail = false;
        redis.BacklogPolicy = BacklogPolicy.FailFast;
        _redis = ConnectionMultiplexer.Connect(redis);
        _verifier = new ProxyKeyVerifier(
            _redis, new ApiKeyLookup(null!, TimeProvider.System),
            new FailedAuthenticationLimiter(_redis, Options.Create(new FailedAuthenticationOptions()), TimeProvider.System, NullLogger<FailedAuthenticationLimiter>.Instance),
            _changes = new ChangeChannel(_redis, "bench:", TimeProvider.System, NullLogger<ChangeChannel>.Instance),
            Options.Create(new ProxyKeyOptions { LocalCacheTtl = TimeSpan.FromHours(1) }),
            TimeProvider.System, NullLogger<ProxyKeyVerifier>.Instance);
        _key = ApiKeyFormat.New(ApiKeyType.Secret, ApplicationEnvironment.Production);
        _applicationId = Portal.Core.Ids.New("app");
        var application = new ProxyApplication(_applicationId, "ws_bench", ApplicationStatus.Active, false, "eu-1", "http://authsome.bench:8080", WorkspacePlan.Pro);
        var key = new ProxyKey("key_bench", _applicationId, ApiKeyType.Secret, ["*"], ApiKeyFormat.Display(_key), DateTimeOffset.UtcNow.AddYears(1), null);
        _verifier.Remember(_key, key, application);
        if (!Verify().Succeeded)
        {
            throw new InvalidOperationException("The benchmark's key is not accepted.");
        }
    }

    [Benchmark(Description = "cached key, accepted")]
    public KeyVerification Verify()
    {
        var pending = _verifier.VerifyAsync(_key, _applicationId);
        return pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("The cached path went asynchronous.");
    }

    [Benchmark(Description = "cached key, other application")]
    public KeyVerification OtherApplication()
    {
        var pending = _verifier.VerifyAsync(_key, "app_other");
        return pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("The cached path went asynchronous.");
    }

    [Benchmark(Description = "SHA-256 of a key alone")]
    public KeyHash HashOnly() => KeyHash.Of(_key);

    [GlobalCleanup]
    public void Dispose()
    {
        _verifier?.Dispose();
        _changes?.Dispose();
        _redis?.Dispose();
        GC.SuppressFinalize(this);
    }

    public static int Run(string[] args)
    {
        var summary = Measure(args);
        return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
    }

    /// <summary>Runs the benchmarks (BenchmarkDotNet <paramref name="args"/>) and returns BenchmarkDotNet's summary.</summary>
    public static Summary Measure(string[] args) => BenchmarkRunner.Run<KeyVerificationBenchmark>(args: args);
}
