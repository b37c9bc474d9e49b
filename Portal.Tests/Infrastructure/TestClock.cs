using Microsoft.Extensions.Time.Testing;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// The test host's clock: time stands still unless the test moves it (<see cref="FakeTimeProvider.Advance"/>), so
/// lifetimes, windows and outage gates expire when the test says, never because the machine was slow. A wait on it
/// (<c>Task.Delay(span, clock)</c>: a poll interval, a back-off, a flush interval) ends when the test moves the clock
/// past it, or else once as much real time has passed: the host's background work (provisioning runs polling the
/// simulator, the usage writer) keeps going on its own, and a test that wants it sooner moves the clock.
/// </summary>
/// <remarks>
/// A periodic timer fires on both schedules (no portal code creates one; waits are one-shot).
/// </remarks>
public sealed class TestClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new EitherTimer(callback, state, period);
        timer.Start(base.CreateTimer(EitherTimer.Fire, timer, dueTime, period), System.CreateTimer(EitherTimer.Fire, timer, dueTime, period));
        return timer;
    }

    /// <summary>A timer of the moved clock and one of real time; a one-shot callback runs once, whichever fires first.</summary>
    private sealed class EitherTimer(TimerCallback callback, object? state, TimeSpan period) : ITimer
    {
        private ITimer? _moved;
        private ITimer? _real;
        private bool _oneShot = period == Timeout.InfiniteTimeSpan;
        private int _fired;

        public static void Fire(object? timer)
        {
            var either = (EitherTimer)timer!;
            if (!either._oneShot || Interlocked.Exchange(ref either._fired, 1) == 0)
            {
                either.Callback();
            }
        }

        private void Callback() => callback(state);

        public void Start(ITimer moved, ITimer real)
        {
            _moved = moved;
            _real = real;
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _oneShot = period == Timeout.InfiniteTimeSpan;
            Interlocked.Exchange(ref _fired, 0);
            var moved = _moved!.Change(dueTime, period);
            return _real!.Change(dueTime, period) && moved;
        }

        public void Dispose()
        {
            _moved?.Dispose();
            _real?.Dispose();
        }

        public async ValueTask DisposeAsync()
        {
            if (_moved is not null)
            {
                await _moved.DisposeAsync();
            }

            if (_real is not null)
            {
                await _real.DisposeAsync();
            }
        }
    }
}
