using Portal.Core;

namespace Portal.Tests;

/// <summary>The one back-off: exponential, capped, equal jitter, for any attempt number.</summary>
public sealed class BackOffTests
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);

    [Fact]
    public void EveryAttempt_WaitsBetweenHalfAndAllOfItsCeiling_WhichDoublesUpToTheCap()
    {
        var random = new Random(42);
        for (var attempt = 0; attempt <= 40; attempt++)
        {
            var ceiling = attempt <= 8 ? First * Math.Pow(2, attempt) : Cap;
            Assert.Equal(Math.Min(ceiling.Ticks, Cap.Ticks), BackOff.Ceiling(attempt, First, Cap).Ticks);
            for (var draw = 0; draw < 200; draw++)
            {
                var delay = BackOff.Delay(attempt, First, Cap, random);
                Assert.InRange(delay, BackOff.Ceiling(attempt, First, Cap) / 2, BackOff.Ceiling(attempt, First, Cap));
            }
        }
    }

    [Theory]
    [InlineData(62)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(int.MaxValue)]
    public void HugeAttempts_NeverOverflow_AndStayAtTheCap(int attempt)
    {
        Assert.Equal(Cap, BackOff.Ceiling(attempt, First, Cap));
        Assert.Equal(TimeSpan.MaxValue, BackOff.Ceiling(attempt, TimeSpan.FromDays(1), TimeSpan.MaxValue));
        Assert.InRange(BackOff.Delay(attempt, First, Cap), Cap / 2, Cap);
    }

    [Fact]
    public void TheJitter_SpreadsOverTheUpperHalf()
    {
        var random = new Random(7);
        var delays = Enumerable.Range(0, 1_000).Select(_ => BackOff.Delay(3, First, Cap, random).TotalMilliseconds).ToList();

        Assert.True(delays.Min() < 450, $"min {delays.Min()}");
        Assert.True(delays.Max() > 750, $"max {delays.Max()}");
    }

    [Fact]
    public void ANegativeAttempt_CountsAsTheFirst_AndAZeroDelayStaysZero()
    {
        Assert.Equal(First, BackOff.Ceiling(-1, First, Cap));
        Assert.Equal(TimeSpan.Zero, BackOff.Delay(5, TimeSpan.Zero, Cap));
    }
}
