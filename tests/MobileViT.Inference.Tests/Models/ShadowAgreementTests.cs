using MobileViT.Inference.Models.Shadow;

namespace MobileViT.Inference.Tests.Models;

public sealed class ShadowAgreementTests
{
    [Fact]
    public void Figures_are_top1_agreement_top5_overlap_and_mean_absolute_logit_difference_over_the_samples()
    {
        var pair = new ShadowAgreement("m", 1, 2);
        float[] a = [9, 8, 7, 6, 5, 0, 0, 0];
        // Same top class, top 5 sharing 4 of 5 (class 4 swapped for 7), |delta| summing to 1 + 5.5 over 8 classes.
        float[] b = [9, 8, 7, 6, 4, 0, 0, 5.5f];
        // Different top class, same top 5 set, |delta| = 2 on two classes.
        float[] c = [7, 8, 9, 6, 5, 0, 0, 0];
        pair.Record(a, b, TimeSpan.FromMilliseconds(10));
        pair.Record(a, c, TimeSpan.FromMilliseconds(30));
        pair.RecordDropped(3);

        var snapshot = pair.Snapshot(0.5);

        Assert.Equal((2L, 3L, 0L), (snapshot.Compared, snapshot.Dropped, snapshot.Failed));
        Assert.Equal(0.5, snapshot.Top1Agreement);
        Assert.Equal((4 / 5.0 + 5 / 5.0) / 2, snapshot.Top5Overlap!.Value, 12);
        Assert.Equal((6.5 / 8 + 4.0 / 8) / 2, snapshot.MeanAbsLogitDelta!.Value, 6);
        Assert.InRange(snapshot.LatencyP50Ms!.Value, 9.5, 10.5);
        Assert.Equal(0.5, snapshot.Sample);
    }

    [Fact]
    public void Before_any_comparison_the_ratios_are_unknown()
    {
        var snapshot = new ShadowAgreement("m", 1, 2).Snapshot(1);

        Assert.Equal(0, snapshot.Compared);
        Assert.Null(snapshot.Top1Agreement);
        Assert.Null(snapshot.Top5Overlap);
        Assert.Null(snapshot.MeanAbsLogitDelta);
        Assert.Null(snapshot.LatencyP50Ms);
    }
}
