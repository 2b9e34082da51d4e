using MobileViT.Inference.Batching;

namespace MobileViT.Inference.Tests.Batching;

public sealed class WaitPredictionTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static WaitPrediction Predicted(double start, double finish, double factor, double offset, bool ahead = true) =>
        new(TimeSpan.FromSeconds(start), TimeSpan.FromSeconds(finish), ahead, new AdmissionMargin(factor, TimeSpan.FromSeconds(offset)));

    [Theory]
    [InlineData(0.7, 0.8, 1.0, 0.2, 1.0, false)] // just in time
    [InlineData(0.7, 0.8, 1.1, 0.1, 0.98, false)] // in time
    [InlineData(0.7, 0.8, 1.0, 0.25, 1.05, true)] // late by the offset alone
    [InlineData(0.7, 0.8, 1.3, 0.0, 1.04, true)] // late by the factor alone
    public void A_prediction_is_stretched_by_the_factor_then_the_offset(double start, double finish, double factor, double offset,
        double stretchedSeconds, bool refused)
    {
        var prediction = Predicted(start, finish, factor, offset);

        Assert.Equal(stretchedSeconds, prediction.Margin.Stretch(prediction.Finish).TotalSeconds, 6);
        Assert.Equal(refused, prediction.RetryAfterIfUnmeetable(Second) is not null);
    }

    [Fact]
    public void The_retry_hint_is_when_the_work_ahead_will_have_drained_to_what_the_deadline_allows()
    {
        // Starts at 0.8 s, runs 0.2 s; with 0.2 s of offset, it fits a 1 s deadline only if it starts by 0.6 s.
        var retryAfter = Predicted(0.8, 1.0, 1.0, 0.2).RetryAfterIfUnmeetable(Second);

        Assert.NotNull(retryAfter);
        Assert.Equal(0.2, retryAfter.Value.TotalSeconds, 6);
    }

    [Fact]
    public void Nothing_ahead_is_never_refused_and_an_offset_larger_than_the_deadline_waits_for_the_whole_queue()
    {
        Assert.Null(Predicted(0, 0.02, 2, 5, ahead: false).RetryAfterIfUnmeetable(Second));
        Assert.Equal(TimeSpan.FromSeconds(0.5), Predicted(0.5, 0.6, 1, 2).RetryAfterIfUnmeetable(Second));
    }
}
