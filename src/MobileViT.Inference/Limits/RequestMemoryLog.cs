using Microsoft.Extensions.Logging;

namespace MobileViT.Inference.Limits;

internal static partial class RequestMemoryLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "Request memory budget: {Bytes} bytes ({Origin}); requests beyond it get 503 with Retry-After (gRPC RESOURCE_EXHAUSTED)")]
    public static partial void BudgetChosen(ILogger logger, long bytes, string origin);
}
