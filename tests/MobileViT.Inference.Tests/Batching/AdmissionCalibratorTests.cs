using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Batching;

namespace MobileViT.Inference.Tests.Batching;

public sealed class AdmissionCalibratorTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private static AdmissionPrediction Predicted(double finishSeconds, bool calibrates = true) =>
        new(0, TimeSpan.Zero, TimeSpan.FromSeconds(finishSeconds), calibrates);

    [Fact]
    public void Until_the_window_holds_enough_samples_the_uncalibrated_factor_applies()
    {
        var calibrator = new AdmissionCalibrator(0.99, Window, 2, new FakeTimeProvider());
        for (var i = 0; i < AdmissionCalibrator.MinSamples - 1; i++)
            calibrator.Record(Predicted(0.5), TimeSpan.FromSeconds(0.5));

        Assert.Equal(new AdmissionMargin(2, TimeSpan.Zero), calibrator.Margin);
        calibrator.Record(Predicted(0.5), TimeSpan.FromSeconds(0.5));
        Assert.Equal(new AdmissionMargin(1, TimeSpan.Zero), calibrator.Margin);
    }

    [Theory]
    [InlineData(0.99, 200)]
    [InlineData(0.95, 0)]
    public void A_few_late_requests_set_the_offset_at_the_quantile_and_leave_the_factor_at_the_median(double quantile, int offsetMs)
    {
        var calibrator = new AdmissionCalibrator(quantile, Window, 2, new FakeTimeProvider());
        for (var i = 0; i < 100; i++)
            calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.4));
        calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.6));
        Assert.Equal(1.5, calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.6)));

        Assert.Equal(1, calibrator.Margin.Factor);
        Assert.Equal(offsetMs / 1000.0, calibrator.Margin.Offset.TotalSeconds, 6);
    }

    [Fact]
    public void A_fixed_delay_becomes_an_offset_so_long_predictions_are_not_stretched_by_what_short_ones_need()
    {
        // Predictions from 0.3 to 1 s, every request 0.1 s late: a tenth of a second, not a factor.
        var calibrator = new AdmissionCalibrator(0.99, Window, 2, new FakeTimeProvider());
        for (var i = 0; i <= 70; i++)
            calibrator.Record(Predicted(0.3 + i / 100.0), TimeSpan.FromSeconds(0.4 + i / 100.0));

        var margin = calibrator.Margin;
        Assert.InRange(margin.Offset, TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(100));
        Assert.InRange(margin.Factor, 1, 1.15);
        // What is admitted within 1 s: 0.9 s of predicted work would be exact; a factor alone (the 0.99 quantile of
        // actual / predicted, 1.33) would admit only 0.75 s.
        Assert.InRange(margin.LongestWithin(TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(0.82), TimeSpan.FromSeconds(0.9));
        Assert.True(margin.Stretch(TimeSpan.FromSeconds(0.3)) >= TimeSpan.FromSeconds(0.3999), "the shortest waits are covered too");
    }

    [Fact]
    public void A_drain_slower_than_predicted_becomes_the_factor()
    {
        // Every wait takes 30% longer than predicted, from 0.3 to 1 s, and a few are later still.
        var calibrator = new AdmissionCalibrator(0.99, Window, 2, new FakeTimeProvider());
        for (var i = 0; i <= 70; i++)
            calibrator.Record(Predicted(0.3 + i / 100.0), TimeSpan.FromSeconds((0.3 + i / 100.0) * 1.3 + (i % 25 == 0 ? 0.05 : 0)));

        var margin = calibrator.Margin;
        Assert.Equal(1.3, margin.Factor, 3);
        Assert.Equal(0.05, margin.Offset.TotalSeconds, 6);
    }

    [Fact]
    public void Predictions_that_were_pessimistic_do_not_make_admission_count_on_a_faster_drain()
    {
        var calibrator = new AdmissionCalibrator(0.99, Window, 2, new FakeTimeProvider());
        for (var i = 0; i <= 70; i++)
            calibrator.Record(Predicted(0.3 + i / 100.0), TimeSpan.FromSeconds((0.3 + i / 100.0) * 0.8));

        Assert.Equal(new AdmissionMargin(AdmissionCalibrator.LowestFactor, TimeSpan.Zero), calibrator.Margin);
    }

    [Fact]
    public void The_margin_is_refitted_once_a_thirty_second_of_the_window_has_changed_not_on_every_sample()
    {
        var calibrator = new AdmissionCalibrator(0.99, Window, 2, new FakeTimeProvider());
        for (var i = 0; i < 320; i++)
            calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.4));
        Assert.Equal(new AdmissionMargin(1, TimeSpan.Zero), calibrator.Margin);

        for (var i = 0; i < 9; i++)
            calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.9));
        Assert.Equal(new AdmissionMargin(1, TimeSpan.Zero), calibrator.Margin);
        calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.9));
        Assert.Equal(0.5, calibrator.Margin.Offset.TotalSeconds, 6);
    }

    [Fact]
    public void Old_errors_leave_with_the_window_and_short_predictions_do_not_calibrate()
    {
        var clock = new FakeTimeProvider();
        var calibrator = new AdmissionCalibrator(0.99, Window, 2, clock);
        for (var i = 0; i < 50; i++)
            calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.8));
        Assert.Equal(new AdmissionMargin(2, TimeSpan.Zero), calibrator.Margin);

        clock.Advance(Window / 2);
        for (var i = 0; i < 50; i++)
            calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.44));
        for (var i = 0; i < 50; i++)
            calibrator.Record(Predicted(0.01, calibrates: false), TimeSpan.FromSeconds(0.05));
        Assert.Equal(100, calibrator.Samples);

        clock.Advance(Window / 2 + TimeSpan.FromTicks(1));
        Assert.Equal(50, calibrator.Samples);
        Assert.Equal(new AdmissionMargin(1.1, TimeSpan.Zero), calibrator.Margin);
    }
}
