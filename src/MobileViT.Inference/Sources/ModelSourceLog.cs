using Microsoft.Extensions.Logging;

namespace MobileViT.Inference.Sources;

/// <summary>Log messages of model source resolution (event ids 2100-2119).</summary>
internal static partial class ModelSourceLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information,
        Message = "Model {Name} ({Source}): serving {OnnxFile}, not building the graph: {Reason}")]
    public static partial void NotBuildable(ILogger logger, string name, ModelSource source, string onnxFile, string reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Model {Name} ({Source}) has no {Weights}: serving {OnnxFile}")]
    public static partial void NoWeights(ILogger logger, string name, ModelSource source, string weights, string onnxFile);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information,
        Message = "Model {Name} ({Source}): built MobileViT-{Variant} ({Features}) from {Weights} in {ElapsedMs:0} ms")]
    public static partial void Built(ILogger logger, string name, ModelSource source, string variant, string features, string weights, double elapsedMs);
}
