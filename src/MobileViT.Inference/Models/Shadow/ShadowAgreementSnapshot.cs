namespace MobileViT.Inference.Models.Shadow;

/// <summary>
/// How a shadow version answered the default version's live requests, over every sample both ran since the pair
/// began: <see cref="Compared"/> samples; <see cref="Top1Agreement"/>, the fraction whose top class was the same;
/// <see cref="Top5Overlap"/>, the mean fraction of the default's top 5 classes that are in the shadow's top 5;
/// <see cref="MeanAbsLogitDelta"/>, the mean over samples and classes of |shadow logit - default logit|; and the shadow's
/// latency (queued until its logits came back, preprocessing included). <see cref="Dropped"/> samples were not run on the
/// shadow because the server was busy; <see cref="Failed"/> ran and failed. Ratios are null before the first comparison.
/// </summary>
public sealed record ShadowAgreementSnapshot(
    string Model,
    int Version,
    int ShadowVersion,
    double Sample,
    long Compared,
    long Dropped,
    long Failed,
    double? Top1Agreement,
    double? Top5Overlap,
    double? MeanAbsLogitDelta,
    double? LatencyP50Ms,
    double? LatencyP99Ms);
