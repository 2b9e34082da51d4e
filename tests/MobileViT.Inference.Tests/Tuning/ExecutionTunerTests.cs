using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Tuning;

namespace MobileViT.Inference.Tests.Tuning;

/// <summary>The sweep on a fake clock: each "measurement" advances it by what the tuner gave the point, plus set-up cost.</summary>
public sealed class ExecutionTunerTests
{
    private static readonly IReadOnlyList<TuningCandidate> Grid = TuningGrid.For(onGpu: false, cores: 2);

    [Fact]
    public void Points_share_the_budget_and_the_sweep_ends_within_it()
    {
        var clock = new FakeTimeProvider();
        var given = new List<TimeSpan>();
        var tuner = new ExecutionTuner(TimeSpan.FromSeconds(9), latencyBudgetMs: 100, clock);

        var result = tuner.Run(Grid, (candidate, warmup, duration) =>
        {
            given.Add(warmup + duration);
            clock.Advance(warmup + duration);
            return new TuningMeasurement(candidate, candidate.Instances * candidate.MaxBatchSize, 10);
        });

        Assert.Equal(Grid.Count, result.Measured.Count);
        Assert.All(given, t => Assert.Equal(TimeSpan.FromSeconds(1), t));
        Assert.Equal(TimeSpan.FromSeconds(9), result.Duration);
        Assert.Equal(new TuningCandidate(2, 1, 4), result.Chosen);
    }

    [Fact]
    public void Set_up_costs_come_out_of_the_later_points_and_the_sweep_stops_early_at_the_budget()
    {
        var clock = new FakeTimeProvider();
        var tuner = new ExecutionTuner(TimeSpan.FromSeconds(3), latencyBudgetMs: 100, clock);

        var result = tuner.Run(Grid, (candidate, warmup, duration) =>
        {
            clock.Advance(TimeSpan.FromMilliseconds(700)); // e.g. creating sessions is slower than the budget allows for
            clock.Advance(warmup + duration);
            return new TuningMeasurement(candidate, 50, 10);
        });

        Assert.InRange(result.Measured.Count, 1, Grid.Count - 1);
        Assert.Equal(Grid.Count - result.Measured.Count, result.Skipped);
        // The last point started with at least the minimum left, so the overrun is at most one point's set-up.
        Assert.True(result.Duration <= TimeSpan.FromSeconds(3) + TimeSpan.FromMilliseconds(700), $"took {result.Duration}");
        Assert.Equal(Grid.Take(result.Measured.Count), result.Measured.Select(m => m.Candidate));
    }

    [Fact]
    public void A_point_is_mostly_measured_after_a_short_warm_up()
    {
        var (warmup, duration) = ExecutionTuner.Split(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromMilliseconds(500), warmup);
        Assert.Equal(TimeSpan.FromSeconds(3.5), duration);
        Assert.Equal(TimeSpan.FromMilliseconds(100), ExecutionTuner.Split(TimeSpan.FromMilliseconds(400)).Warmup);
    }
}
