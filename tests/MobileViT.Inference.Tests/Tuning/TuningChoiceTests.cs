using MobileViT.Inference.Tuning;

namespace MobileViT.Inference.Tests.Tuning;

public sealed class TuningChoiceTests
{
    private static TuningMeasurement Point(int instances, int threads, int batch, double imagesPerSecond, double latencyMs) =>
        new(new TuningCandidate(instances, threads, batch), imagesPerSecond, latencyMs);

    [Fact]
    public void The_best_throughput_within_the_latency_budget_wins_even_when_a_faster_one_is_over_it()
    {
        var measured = new[]
        {
            Point(1, 1, 1, 60, 16),
            Point(2, 1, 2, 110, 36),
            Point(2, 1, 4, 125, 64),
            Point(1, 2, 4, 140, 120), // the most throughput, but over the budget
        };

        var (chosen, withinBudget) = TuningChoice.Choose(measured, latencyBudgetMs: 100);

        Assert.True(withinBudget);
        Assert.Equal(new TuningCandidate(2, 1, 4), chosen.Candidate);
    }

    [Fact]
    public void When_no_candidate_fits_the_budget_the_lowest_latency_one_is_chosen()
    {
        var measured = new[] { Point(2, 1, 4, 125, 64), Point(1, 1, 1, 60, 16), Point(1, 2, 2, 80, 22) };

        var (chosen, withinBudget) = TuningChoice.Choose(measured, latencyBudgetMs: 10);

        Assert.False(withinBudget);
        Assert.Equal(new TuningCandidate(1, 1, 1), chosen.Candidate);
    }

    [Fact]
    public void A_candidate_with_no_completed_batch_is_never_chosen()
    {
        var measured = new[] { Point(2, 2, 4, 0, double.NaN), Point(1, 1, 1, 60, 16) };

        Assert.Equal(new TuningCandidate(1, 1, 1), TuningChoice.Choose(measured, latencyBudgetMs: 100).Chosen.Candidate);
    }

    [Fact]
    public void The_cpu_grid_keeps_instances_times_threads_within_the_cores_and_the_gpu_grid_uses_larger_batches()
    {
        var cpu = TuningGrid.For(onGpu: false, cores: 2);
        Assert.Equal([(1, 1), (1, 2), (2, 1)], cpu.Select(c => (c.Instances, c.IntraOpThreads)).Distinct());
        Assert.All(cpu, c => Assert.Contains(c.MaxBatchSize, new[] { 1, 2, 4 }));
        Assert.Equal(9, cpu.Count);

        Assert.Contains(TuningGrid.For(onGpu: false, cores: 8), c => c is { Instances: 8, IntraOpThreads: 1 });
        Assert.DoesNotContain(TuningGrid.For(onGpu: false, cores: 8), c => c is { Instances: 8, IntraOpThreads: 2 });

        var gpu = TuningGrid.For(onGpu: true, cores: 2);
        Assert.Equal([8, 16, 32], gpu.Select(c => c.MaxBatchSize).Distinct());
        Assert.Equal([1, 2], gpu.Select(c => c.Instances).Distinct());
        Assert.All(gpu, c => Assert.Equal(1, c.IntraOpThreads));
    }
}
