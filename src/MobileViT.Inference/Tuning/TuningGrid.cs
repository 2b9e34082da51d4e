namespace MobileViT.Inference.Tuning;

/// <summary>The settings the tuner tries, ordered so that candidates sharing sessions (same instances and threads) are adjacent.</summary>
public static class TuningGrid
{
    /// <summary>
    /// CPU: instances {1, 2, cores} x threads {1, 2} with instances x threads at most the cores, x batch {1, 2, 4}.
    /// GPU: instances {1, 2} x 1 thread x batch {8, 16, 32}: the device does the work, larger batches pay off.
    /// </summary>
    public static IReadOnlyList<TuningCandidate> For(bool onGpu, int cores)
    {
        cores = Math.Max(1, cores);
        int[] instances = onGpu ? [1, 2] : [.. new[] { 1, 2, cores }.Where(i => i <= cores).Distinct().Order()];
        int[] threads = onGpu ? [1] : [1, 2];
        int[] batches = onGpu ? [8, 16, 32] : [1, 2, 4];
        return [.. from i in instances
                   from t in threads
                   where onGpu || i * t <= cores
                   from b in batches
                   select new TuningCandidate(i, t, b)];
    }
}
