namespace MobileViT.Service.Hosting;

/// <summary>The log events of a graceful shutdown.</summary>
internal static partial class ShutdownLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Shutting down: readiness is false; still serving for the {Grace} s grace period")]
    public static partial void GracePeriod(ILogger logger, double grace);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information,
        Message = "Shutting down: refusing new requests; draining {Queued} queued request(s) and {Batches} running batch(es), for at most {Timeout} s")]
    public static partial void Draining(ILogger logger, int queued, int batches, double timeout);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Drained in {Elapsed:0} ms")]
    public static partial void Drained(ILogger logger, double elapsed);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning,
        Message = "Drain timeout ({Timeout} s) passed with {Queued} request(s) still queued and {Batches} batch(es) running; stopping anyway")]
    public static partial void DrainTimedOut(ILogger logger, double timeout, int queued, int batches);
}
