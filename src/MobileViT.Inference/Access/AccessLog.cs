using Microsoft.Extensions.Logging;

namespace MobileViT.Inference.Access;

/// <summary>The log events of API keys. Keys are never logged; their names are.</summary>
internal static partial class AccessLog
{
    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "API keys required: {Count} key(s) ({Names})")]
    public static partial void KeysRequired(ILogger logger, int count, string names);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "API keys reloaded from {File}: {Count} key(s) ({Names})")]
    public static partial void KeysReloaded(ILogger logger, string file, int count, string names);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "The API key file {File} could not be loaded; the previous {Count} key(s) stay in force: {Reason}")]
    public static partial void KeyFileUnreadable(ILogger logger, string file, int count, string reason);
}
