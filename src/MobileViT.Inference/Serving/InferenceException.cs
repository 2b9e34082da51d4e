namespace MobileViT.Inference.Serving;

/// <summary>
/// An expected failure of an inference request: what kind it is (<see cref="ErrorKind"/>), a stable machine-readable
/// <see cref="Code"/> (<see cref="ErrorCodes"/>; protocols use it for problem types), a message that says what to do,
/// and, where retrying later helps, how long to wait.
/// </summary>
public class InferenceException(ErrorKind kind, string message, string? code = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public ErrorKind Kind { get; } = kind;

    public string Code { get; } = code ?? ErrorCodes.DefaultOf(kind);

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Any exception a request can end with, as an expected failure: cancellation is <see cref="ErrorKind.Cancelled"/>; anything unexpected is <see cref="ErrorKind.Failed"/>.</summary>
    public static InferenceException From(Exception e) => e switch
    {
        InferenceException inference => inference,
        OperationCanceledException => new CancelledException(e),
        _ => new InferenceException(ErrorKind.Failed, $"Inference failed: {e.Message}", inner: e),
    };

    /// <summary>The kind of any exception a request can end with: cancellation is <see cref="ErrorKind.Cancelled"/>; anything unexpected is <see cref="ErrorKind.Failed"/>.</summary>
    public static ErrorKind KindOf(Exception e) => e switch
    {
        InferenceException inference => inference.Kind,
        OperationCanceledException => ErrorKind.Cancelled,
        _ => ErrorKind.Failed,
    };
}
