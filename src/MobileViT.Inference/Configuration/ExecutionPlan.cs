namespace MobileViT.Inference.Configuration;

/// <summary>
/// Instances and intra-op threads per model once <c>auto</c> is resolved against the machine.
/// On CPU, concurrent single-threaded sessions beat one multi-threaded session for a network this small
/// (measured: 2 x 1 thread gives ~1.6-1.9x the throughput of 1 x 2 threads on a 2-core machine), so auto gives one
/// instance per core, up to 8, with the cores shared out between them.
/// </summary>
public sealed record ExecutionPlan(int Instances, int IntraOpThreads)
{
    public static ExecutionPlan Resolve(ExecutionOptions options, int processorCount, int modelCount = 1)
    {
        TryParseCount(options.Instances, out var instances);
        TryParseCount(options.IntraOpThreads, out var threads);
        var coresPerModel = Math.Max(1, processorCount / Math.Max(1, modelCount));
        if (instances == 0)
            instances = Math.Clamp(threads == 0 ? coresPerModel : coresPerModel / threads, 1, 8);
        if (threads == 0)
            threads = Math.Max(1, coresPerModel / instances);
        return new ExecutionPlan(instances, threads);
    }

    /// <summary>Parses <c>auto</c> (as 0) or 1..64.</summary>
    public static bool TryParseCount(string? text, out int value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
            return true;
        return int.TryParse(text, out value) && value is >= 1 and <= 64;
    }
}
