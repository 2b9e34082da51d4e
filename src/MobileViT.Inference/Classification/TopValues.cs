namespace MobileViT.Inference.Classification;

/// <summary>The indices of the n largest values, largest first (ties: lower index first), without sorting the whole span.</summary>
public static class TopValues
{
    public static int[] Indices(ReadOnlySpan<float> values, int n)
    {
        n = Math.Clamp(n, 0, values.Length);
        // An n-sized insertion list: n is small (a handful) against 1000 classes.
        var top = new List<int>(n + 1);
        for (var i = 0; i < values.Length && n > 0; i++)
        {
            if (top.Count == n && values[i] <= values[top[^1]])
                continue;
            var at = top.Count;
            while (at > 0 && values[top[at - 1]] < values[i])
                at--;
            top.Insert(at, i);
            if (top.Count > n)
                top.RemoveAt(n);
        }
        return top.ToArray();
    }
}
