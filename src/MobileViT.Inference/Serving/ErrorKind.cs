namespace MobileViT.Inference.Serving;

/// <summary>
/// Why a request did not succeed, independent of the protocol it came in on. Each protocol maps a kind to its own
/// status once (HTTP status and problem type, gRPC status code); the request metrics label the outcome with it.
/// </summary>
public enum ErrorKind
{
    /// <summary>The client sent something unusable: an undecodable image, a bad parameter, a malformed tensor, a body too large or too slow.</summary>
    InvalidInput,

    /// <summary>No model has the requested name.</summary>
    UnknownModel,

    /// <summary>The model is loading, failed to load, or the server is draining.</summary>
    Unavailable,

    /// <summary>The model's queue is at capacity.</summary>
    QueueFull,

    /// <summary>The request's deadline passed before it ran; it never ran.</summary>
    DeadlineExceeded,

    /// <summary>The client went away or cancelled before the request ran.</summary>
    Cancelled,

    /// <summary>The server failed (a session run threw); a bug or a broken model, never the client's fault.</summary>
    Failed,

    /// <summary>API keys are required and the request had none, or a wrong one.</summary>
    Unauthenticated,

    /// <summary>The client sent more requests than its rate limit allows.</summary>
    RateLimited,

    /// <summary>Refused at admission: at the model's current drain rate the request could not finish before its deadline.</summary>
    DeadlineUnmeetable,

    /// <summary>Refused before reading more: the request memory budget (bytes of requests held in memory, process-wide) is full.</summary>
    OverMemoryBudget,
}
