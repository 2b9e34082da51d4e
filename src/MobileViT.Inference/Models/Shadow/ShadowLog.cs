using Microsoft.Extensions.Logging;

namespace MobileViT.Inference.Models.Shadow;

/// <summary>The log events of shadow evaluation.</summary>
internal static partial class ShadowLog
{
    [LoggerMessage(EventId = 1220, Level = LogLevel.Warning, Message = "Shadow version {Version} of model {Model} failed on a sample: {Reason}")]
    public static partial void Failed(ILogger logger, string model, int version, string reason);
}
