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

        // A k-sized insertion list: k is small (default 5) against 1000 classes.
        var top = new List<int>(k + 1);
        for (var i = 0; i < logits.Length; i++)
        {
            if (top.Count == k && logits[i] <= logits[top[^1]])
                continue;
            var at = top.Count;
            while (at > 0 && logits[top[at - 1]] < logits[i])
                at--;
            top.Insert(at, i);
            if (top.Count > k)
                top.RemoveAt(k);
        }

        var result = new Prediction[top.Count];
        for (var i = 0; i < top.Count; i++)
            result[i] = new Prediction(top[i], labels[top[i]], (float)(Math.Exp(logits[top[i]] - max) / sum));
        return result;
    }
}
