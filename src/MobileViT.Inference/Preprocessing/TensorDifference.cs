namespace MobileViT.Inference.Preprocessing;

/// <summary>How far two preprocessed tensors (values 0..1) are apart, in 1/255 steps: what exactness checks and the fast-mode comparison report.</summary>
public readonly record struct TensorDifference(double MeanPer255, double MaxPer255, int Differing, int Count)
{
    public double DifferingShare => Count == 0 ? 0 : (double)Differing / Count;

    public static TensorDifference Between(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length)
            throw new ArgumentException($"lengths differ: {actual.Length} and {expected.Length}", nameof(expected));
        double sum = 0, max = 0;
        int differing = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = Math.Abs(actual[i] - expected[i]) * 255;
            sum += d;
            max = Math.Max(max, d);
            if (d != 0)
                differing++;
        }
        return new TensorDifference(actual.Length == 0 ? 0 : sum / actual.Length, max, differing, actual.Length);
    }
}
