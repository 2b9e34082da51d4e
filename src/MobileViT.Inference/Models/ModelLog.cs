using Microsoft.Extensions.Logging;

namespace MobileViT.Inference.Models;

/// <summary>The log events of loading and serving models.</summary>
internal static partial class ModelLog
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Critical, Message = "Model {Model} ({Source}) could not be loaded: {Reason}. Stopping.")]
    public static partial void LoadFailed(ILogger logger, Exception exception, string model, string source, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "All {Count} model(s) loaded and warm; ready")]
    public static partial void AllReady(ILogger logger, int count);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information,
        Message = "Model {Model} ({Origin}) loaded in {Load:0} ms, {Instances} instance(s) x {Threads} thread(s) on {Providers}, preprocessing on {Preprocessing} threads, warmed with batch sizes 1..{MaxBatch} in {WarmUp:0} ms")]
    public static partial void Loaded(ILogger logger, string model, string origin, double load, int instances, int threads, string providers,
        string preprocessing, int maxBatch, double warmUp);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information,
        Message = "Model {Model} tuned on {Provider} in {Duration:0.0} s: chose {Chosen} ({WithinBudget}), from {Measured} of {Total} candidate(s): {Figures}")]
    public static partial void Tuned(ILogger logger, string model, string provider, double duration, string chosen, string withinBudget, int measured,
        int total, string figures);
}
