using Microsoft.Extensions.Logging;

namespace MobileViT.Inference.Batching;

/// <summary>The batcher's log events.</summary>
internal static partial class BatcherLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Critical, Message = "Batcher worker for model {Model} instance {Instance} stopped unexpectedly")]
    public static partial void WorkerStopped(ILogger logger, Exception exception, string model, int instance);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Batch of {Count} on model {Model} instance {Instance} failed; only its requests fail")]
    public static partial void BatchFailed(ILogger logger, Exception exception, int count, string model, int instance);
}
