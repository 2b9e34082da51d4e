namespace MobileViT.Inference.Serving;

/// <summary>The <c>outcome</c> label of the request metrics: <c>success</c>, or one per <see cref="ErrorKind"/> (every client input error is <c>bad_input</c>).</summary>
public static class RequestOutcome
{
    public const string Success = "success";

    public static string Of(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidInput or ErrorKind.InvalidImage or ErrorKind.ImageTooLarge or ErrorKind.PayloadTooLarge
            or ErrorKind.UnsupportedMediaType or ErrorKind.BodyTooSlow => "bad_input",
        ErrorKind.UnknownModel => "unknown_model",
        ErrorKind.Unavailable => "unavailable",
        ErrorKind.QueueFull => "rejected_queue_full",
        ErrorKind.DeadlineExceeded => "deadline_exceeded",
        ErrorKind.Cancelled => "cancelled",
        ErrorKind.Failed => "failed",
        ErrorKind.Unauthenticated => "unauthenticated",
        ErrorKind.PermissionDenied => "permission_denied",
        ErrorKind.RateLimited => "rate_limited",
        ErrorKind.DeadlineUnmeetable => "rejected_deadline_unmeetable",
        ErrorKind.OverMemoryBudget => "rejected_memory_budget",
    };

    /// <summary>Every label value the outcome can take, for documentation and dashboards.</summary>
    public static IReadOnlyList<string> All { get; } = [Success, .. Enum.GetValues<ErrorKind>().Select(Of).Distinct()];
}
