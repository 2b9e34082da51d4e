namespace MobileViT.Inference.Serving;

/// <summary>The <c>outcome</c> label of the request metrics: <c>success</c>, or one per <see cref="ErrorKind"/>.</summary>
public static class RequestOutcome
{
    public const string Success = "success";

    public static string Of(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidInput => "bad_input",
        ErrorKind.UnknownModel => "unknown_model",
        ErrorKind.Unavailable => "unavailable",
        ErrorKind.QueueFull => "rejected_queue_full",
        ErrorKind.DeadlineExceeded => "deadline_exceeded",
        ErrorKind.Cancelled => "cancelled",
        ErrorKind.Unauthenticated => "unauthenticated",
        ErrorKind.RateLimited => "rate_limited",
        ErrorKind.DeadlineUnmeetable => "rejected_deadline_unmeetable",
        ErrorKind.OverMemoryBudget => "rejected_memory_budget",
        _ => "failed",
    };

    /// <summary>Every label value the outcome can take, for documentation and dashboards.</summary>
    public static IReadOnlyList<string> All { get; } = [Success, .. Enum.GetValues<ErrorKind>().Select(Of)];
}
