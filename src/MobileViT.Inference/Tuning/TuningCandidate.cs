namespace MobileViT.Inference.Tuning;

/// <summary>One execution setting the tuner can try: session instances x intra-op threads each x largest batch.</summary>
public sealed record TuningCandidate(int Instances, int IntraOpThreads, int MaxBatchSize)
{
    public override string ToString() => $"{Instances}x{IntraOpThreads} thread(s), batch {MaxBatchSize}";
}
