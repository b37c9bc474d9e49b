using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Portal.Benchmarks.Provisioning;

/// <summary>
/// Why step attempts failed: the engine's "Provisioning step {Step} (attempt {Attempt}) of {ApplicationId} failed:
/// {Error}" log entries, counted by step and error with the application's names taken out (a succeeded step's row no
/// longer holds its earlier attempts' errors).
/// </summary>
public sealed partial class StepFailureLog : ILoggerProvider
{
    private readonly ConcurrentDictionary<(string Step, string Error), int> _failures = new();

    public IReadOnlyDictionary<(string Step, string Error), int> Failures => _failures;

    public void Clear() => _failures.Clear();

    public ILogger CreateLogger(string categoryName) =>
        categoryName == "Portal.Core.Provisioning.ProvisionApplication" ? new Collector(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    [GeneratedRegex("authsome[-_]app[-_][0-9a-z]+|app[-_:][0-9a-z]{10,}|app_[0-9A-Za-z]+")]
    private static partial Regex TenantName();

    private sealed class Collector(StepFailureLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> values
                || values.FirstOrDefault(v => v.Key == "Step").Value is not string step
                || values.FirstOrDefault(v => v.Key == "Error").Value is not string error)
            {
                return;
            }

            var shape = TenantName().Replace(error, "…");
            log._failures.AddOrUpdate((step, shape.Length > 160 ? shape[..160] : shape), 1, (_, n) => n + 1);
        }
    }
}
