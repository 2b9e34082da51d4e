namespace MobileViT.Inference.Serving;

/// <summary>
/// An expected failure of an inference request: what kind it is (<see cref="ErrorKind"/>), a stable machine-readable
/// <see cref="Code"/> (e.g. <c>corrupt-image</c>, <c>bad-topk</c>; protocols use it for problem types), a message
/// that says what to do, and, where retrying later helps, how long to wait.
/// </summary>
public class InferenceException(ErrorKind kind, string message, string? code = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public ErrorKind Kind { get; } = kind;

    public string Code { get; } = code ?? DefaultCode(kind);

    public TimeSpan? RetryAfter { get; } = retryAfter;

    public static string DefaultCode(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidInput => "bad-request",
        ErrorKind.UnknownModel => "unknown-model",
        ErrorKind.Unavailable => "not-ready",
        ErrorKind.QueueFull => "queue-full",
        ErrorKind.DeadlineExceeded => "deadline-exceeded",
        ErrorKind.Cancelled => "cancelled",
        ErrorKind.Unauthenticated => "unauthenticated",
        ErrorKind.RateLimited => "rate-limited",
        ErrorKind.DeadlineUnmeetable => "deadline-unmeetable",
        ErrorKind.OverMemoryBudget => "memory-budget",
        _ => "inference-failed",
    };

    /// <summary>The kind of any exception a request can end with: cancellation is <see cref="ErrorKind.Cancelled"/>; anything unexpected is <see cref="ErrorKind.Failed"/>.</summary>
    public static ErrorKind KindOf(Exception e) => e switch
    {
        InferenceException inference => inference.Kind,
        OperationCanceledException => ErrorKind.Cancelled,
        _ => ErrorKind.Failed,
    };
}
