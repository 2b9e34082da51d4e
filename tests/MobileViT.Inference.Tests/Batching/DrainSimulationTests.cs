using MobileViT.Inference.Batching;

namespace MobileViT.Inference.Tests.Batching;

/// <summary>The batcher played forward: running batches, instances in use, the time of a batch by its size, priorities.</summary>
public sealed class DrainSimulationTests
{
    // A batch of one takes 50 ms, of two 70 ms.
    private static readonly BatchTimes Times = new([0, 0.05, 0.07]);
    private static readonly double[] NoCredit = [0, 0, 0];
    private static readonly double[] Guarantees = [0, 0.1 / 0.9, 0.05 / 0.95];

    [Fact]
    public void The_running_batches_finish_first_then_the_instance_free_first_takes_the_next_full_batch()
    {
        // Instance 0 is free in 30 ms, instance 1 in 80 ms; three normal images queued, the new one fourth.
        var run = DrainSimulation.Play([0.03, 0.08], Times, 2, [0, 4, 0], NoCredit, Guarantees, rank: 1, position: 3)[0];

        // Instance 0 takes images 0 and 1 at 30 ms; instance 1 takes 2 and the new one at 80 ms, a batch of two.
        Assert.Equal(0.08, run.Start, 9);
        Assert.Equal(0.15, run.Finish, 9);
    }

    [Fact]
    public void A_smaller_batch_takes_its_own_measured_time()
    {
        var run = DrainSimulation.Play([0.03, 0.08], Times, 2, [0, 3, 0], NoCredit, Guarantees, rank: 1, position: 2)[0];

        Assert.Equal(0.08, run.Start, 9);
        Assert.Equal(0.13, run.Finish, 9);
    }

    [Fact]
    public void An_idle_instance_starts_the_request_now()
    {
        var run = DrainSimulation.Play([0.03, 0], Times, 2, [0, 1, 0], NoCredit, Guarantees, rank: 1, position: 0)[0];

        Assert.Equal(0, run.Start);
        Assert.Equal(0.05, run.Finish, 9);
    }

    [Fact]
    public void Higher_priorities_go_first_and_lower_ones_after()
    {
        // Two high images ahead of a normal one, and low images that wait behind it.
        var run = DrainSimulation.Play([0.03, 0.08], Times, 2, [2, 1, 5], NoCredit, Guarantees, rank: 1, position: 0)[0];

        Assert.Equal(0.08, run.Start, 9);
        Assert.Equal(0.15, run.Finish, 9); // with a low image in its batch of two
    }

    [Fact]
    public void A_backlog_above_lets_a_priority_through_at_its_guaranteed_share()
    {
        // 100 high images queued, one instance, 50 ms an image: normal's 10% share takes it after 9 or 10 of them,
        // not after all 100.
        var run = DrainSimulation.Play([0], Times, 1, [100, 1, 0], NoCredit, Guarantees, rank: 1, position: 0)[0];

        Assert.InRange(run.Start, 9 * 0.05 - 1e-9, 10 * 0.05 + 1e-9);
    }

    [Fact]
    public void Followers_are_played_to_their_own_runs()
    {
        var runs = DrainSimulation.Play([0], Times, 1, [0, 3, 0], NoCredit, Guarantees, rank: 1, position: 0, followers: 2);

        Assert.Equal([0.05, 0.1, 0.15], runs.Select(r => Math.Round(r.Finish, 9)));
    }
}
