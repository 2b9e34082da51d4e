namespace MobileViT.Service.Hosting;

/// <summary>The log events of the start-up warm-up.</summary>
internal static partial class WarmUpLog
{
    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Request path warmed with one request per protocol in {Elapsed:0} ms; ready")]
    public static partial void Warmed(ILogger logger, double elapsed);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Warming the request path failed, readiness goes ahead without it: {Reason}")]
    public static partial void Failed(ILogger logger, string reason);
}
