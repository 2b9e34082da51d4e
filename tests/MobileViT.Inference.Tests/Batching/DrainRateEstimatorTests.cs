using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Batching;

namespace MobileViT.Inference.Tests.Batching;

public sealed class DrainRateEstimatorTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    [Fact]
    public void There_is_no_estimate_before_a_batch_has_run()
    {
        var estimator = new DrainRateEstimator(2, Window, new FakeTimeProvider());

        Assert.Null(estimator.Current);
    }

    [Fact]
    public void The_rate_is_each_instances_images_over_its_busy_time_times_the_instances()
    {
        var clock = new FakeTimeProvider();
        var estimator = new DrainRateEstimator(2, Window, clock);

        estimator.Record(0, 2, TimeSpan.FromMilliseconds(100));
        clock.Advance(TimeSpan.FromSeconds(1)); // idle time is not busy time: it does not lower the rate
        estimator.Record(0, 2, TimeSpan.FromMilliseconds(100));
        estimator.Record(1, 1, TimeSpan.FromMilliseconds(100));

        // Instance 0: 4 images in 0.2 s = 20/s; instance 1: 10/s; mean 15/s, times 2 instances.
        var rate = estimator.Current!.Value;
        Assert.Equal(30, rate.ImagesPerSecond, 6);
        Assert.Equal(TimeSpan.FromMilliseconds(100), rate.BatchTime);
        Assert.Equal(TimeSpan.FromSeconds(1), rate.TimeFor(30));
    }

    [Fact]
    public void It_follows_a_change_of_speed_once_the_window_has_moved_on()
    {
        var clock = new FakeTimeProvider();
        var estimator = new DrainRateEstimator(1, Window, clock);
        for (var i = 0; i < 10; i++)
            estimator.Record(0, 1, TimeSpan.FromMilliseconds(10));
        Assert.Equal(100, estimator.Current!.Value.ImagesPerSecond, 6);

        // Larger images: each batch now takes 40 ms. Within the window the old batches still count...
        clock.Advance(TimeSpan.FromSeconds(3));
        for (var i = 0; i < 10; i++)
            estimator.Record(0, 1, TimeSpan.FromMilliseconds(40));
        Assert.Equal(40, estimator.Current!.Value.ImagesPerSecond, 6);
        // ...and once they have left it, only the new ones do.
        clock.Advance(TimeSpan.FromSeconds(2.5));
        Assert.Equal(25, estimator.Current!.Value.ImagesPerSecond, 6);
    }

    [Fact]
    public void After_an_idle_spell_longer_than_the_window_the_last_estimate_stands()
    {
        var clock = new FakeTimeProvider();
        var estimator = new DrainRateEstimator(1, Window, clock);
        estimator.Record(0, 1, TimeSpan.FromMilliseconds(50));

        clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(20, estimator.Current!.Value.ImagesPerSecond, 6);
    }

    [Fact]
    public void Batches_without_measurable_time_give_no_estimate()
    {
        var estimator = new DrainRateEstimator(1, Window, new FakeTimeProvider());

        estimator.Record(0, 4, TimeSpan.Zero);

        Assert.Null(estimator.Current);
    }
}
