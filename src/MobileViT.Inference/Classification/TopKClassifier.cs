namespace MobileViT.Inference.Classification;

/// <summary>Softmax over logits and the k most probable classes, highest first.</summary>
public static class TopKClassifier
{
    public static Prediction[] Classify(ReadOnlySpan<float> logits, IReadOnlyList<string> labels, int k)
    {
        k = Math.Clamp(k, 1, logits.Length);
        var max = float.NegativeInfinity;
        foreach (var value in logits)
            max = Math.Max(max, value);
        double sum = 0;
        foreach (var value in logits)
            sum += Math.Exp(value - max);

        var top = TopValues.Indices(logits, k);
        var result = new Prediction[top.Length];
        for (var i = 0; i < top.Length; i++)
            result[i] = new Prediction(top[i], labels[top[i]], (float)(Math.Exp(logits[top[i]] - max) / sum));
        return result;
    }
}
