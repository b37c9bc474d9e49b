using System.Runtime.CompilerServices;
using Bunit;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// bUnit's WaitFor* give up after 1 second by default; the suite runs in parallel on two cores, where a dispatcher can
/// wait longer than that for a thread. A waited-for assertion still fails, only later.
/// </summary>
internal static class BunitDefaults
{
    [ModuleInitializer]
    internal static void Initialize() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(15);
}
