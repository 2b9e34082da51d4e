namespace MobileViT.Inference.Serving;

/// <summary>The priority's wire forms, shared by every protocol: its label, and the values clients send.</summary>
public static class RequestPriorities
{
    /// <summary>Every priority, highest first: the order in which the batcher takes them.</summary>
    public static IReadOnlyList<RequestPriority> HighestFirst { get; } = [RequestPriority.High, RequestPriority.Normal, RequestPriority.Low];

    /// <summary>0 for high, 1 for normal, 2 for low.</summary>
    public static int Rank(this RequestPriority priority) => priority switch
    {
        RequestPriority.High => 0,
        RequestPriority.Normal => 1,
        RequestPriority.Low => 2,
    };

    /// <summary>The metric label and trace tag value: <c>high</c>, <c>normal</c> or <c>low</c>.</summary>
    public static string Label(this RequestPriority priority) => priority switch
    {
        RequestPriority.High => "high",
        RequestPriority.Normal => "normal",
        RequestPriority.Low => "low",
    };

    /// <summary><c>high</c>, <c>normal</c> or <c>low</c> (any case); anything else is a bad request naming <paramref name="source"/>.</summary>
    public static RequestPriority Parse(string? value, string source) => value?.Trim().ToLowerInvariant() switch
    {
        "high" => RequestPriority.High,
        "normal" => RequestPriority.Normal,
        "low" => RequestPriority.Low,
        _ => throw new InvalidRequestException($"{source} must be high, normal or low (was '{ClientText.Excerpt(value)}').", ErrorCodes.BadPriority),
    };

    /// <summary>
    /// Triton's <c>parameters.priority</c> (KServe V2): an integer where 1 is the highest priority and 0 means the
    /// default. Here 1 is high, 2 normal and 3 or more low; negative values are a bad request.
    /// </summary>
    public static RequestPriority FromLevel(long level, string source) => level switch
    {
        0 => RequestPriority.Normal,
        1 => RequestPriority.High,
        2 => RequestPriority.Normal,
        > 2 => RequestPriority.Low,
        _ => throw new InvalidRequestException($"{source} must be 0 (default), 1 (high), 2 (normal) or 3 and above (low); was {level}.", ErrorCodes.BadPriority),
    };
}
