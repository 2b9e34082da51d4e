using Microsoft.Extensions.Logging;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Inference.Limits;

/// <summary>Builds the process's request memory budget from the configuration and the memory limits it runs under.</summary>
public static class RequestMemory
{
    /// <summary>The burst after which the reclaimer returns memory: 64 MiB, or a quarter of a smaller budget.</summary>
    public const long TrimAfterBytes = 64L << 20;

    public static RequestMemoryBudget CreateBudget(ImageLimitsOptions limits, InferenceMetrics metrics, RequestMemoryReclaimer reclaimer) =>
        new(Size(limits).Bytes, metrics.Meter, reclaimer);

    /// <summary>Says at start-up how large the budget is and where that came from.</summary>
    public static void LogBudget(ImageLimitsOptions limits, ILogger logger)
    {
        var size = Size(limits);
        RequestMemoryLog.BudgetChosen(logger, size.Bytes, size.Origin);
    }

    public static RequestMemorySize Size(ImageLimitsOptions limits) =>
        RequestMemorySize.Resolve(limits.RequestMemoryBytes, limits.MaxImageBytes, CgroupMemoryLimit.Read(), RequestMemorySize.GcHeapHardLimit());

    public static RequestMemoryReclaimer CreateReclaimer(ImageLimitsOptions limits, TimeProvider time) =>
        new(time, Math.Min(TrimAfterBytes, Size(limits).Bytes / 4), RequestMemoryReclaimer.ReturnFreeMemory);
}
