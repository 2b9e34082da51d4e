using Microsoft.Extensions.Time.Testing;
using MobileViT.Inference.Batching;

namespace MobileViT.Inference.Tests.Batching;

public sealed class AdmissionCalibratorTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private static AdmissionPrediction Predicted(double finishSeconds, bool calibrates = true) =>
        new(0, TimeSpan.Zero, TimeSpan.FromSeconds(finishSeconds), calibrates);

    [Fact]
    public void Until_the_window_holds_enough_samples_the_uncalibrated_margin_applies()
    {
        var calibrator = new AdmissionCalibrator(0.99, Window, 2, new FakeTimeProvider());
        for (var i = 0; i < AdmissionCalibrator.MinSamples - 1; i++)
            calibrator.Record(Predicted(0.5), TimeSpan.FromSeconds(0.5));

        Assert.Equal(2, calibrator.Margin);
        calibrator.Record(Predicted(0.5), TimeSpan.FromSeconds(0.5));
        Assert.Equal(1, calibrator.Margin);
    }

    [Theory]
    [InlineData(0.99, 1.5)]
    [InlineData(0.95, 1.0)]
    public void The_margin_is_the_quantile_of_actual_over_predicted_finish(double quantile, double margin)
    {
        var calibrator = new AdmissionCalibrator(quantile, Window, 2, new FakeTimeProvider());
        for (var i = 0; i < 100; i++)
            calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.4));
        calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.6));
        Assert.Equal(1.5, calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.6)));

        Assert.Equal(margin, calibrator.Margin);
    }

    [Fact]
    public void Old_errors_leave_with_the_window_and_short_predictions_do_not_calibrate()
    {
        var clock = new FakeTimeProvider();
        var calibrator = new AdmissionCalibrator(0.99, Window, 2, clock);
        for (var i = 0; i < 50; i++)
            calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.8));
        Assert.Equal(2, calibrator.Margin);

        clock.Advance(Window / 2);
        for (var i = 0; i < 50; i++)
            calibrator.Record(Predicted(0.4), TimeSpan.FromSeconds(0.44));
        for (var i = 0; i < 50; i++)
            calibrator.Record(Predicted(0.01, calibrates: false), TimeSpan.FromSeconds(0.05));
        Assert.Equal(2, calibrator.Margin);
        Assert.Equal(100, calibrator.Samples);

        clock.Advance(Window / 2 + TimeSpan.FromTicks(1));
        Assert.Equal(50, calibrator.Samples);
        Assert.Equal(1.1, calibrator.Margin);
    }
}
