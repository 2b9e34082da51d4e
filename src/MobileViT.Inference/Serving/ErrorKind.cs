namespace MobileViT.Inference.Serving;

/// <summary>
/// Why a request did not succeed, independent of the protocol it came in on. Each protocol maps every kind to its own
/// status in one exhaustive table (HTTP status and title, gRPC status code); the request metrics label the outcome
/// with it. A new kind does not compile until every table handles it.
/// </summary>
public enum ErrorKind
{
    /// <summary>The client sent something unusable: a bad parameter, a malformed tensor or body.</summary>
    InvalidInput,

    /// <summary>The bytes of an image are not an image this service can decode (empty, unknown format, corrupt).</summary>
    InvalidImage,

    /// <summary>The image's header declares more pixels than the limit (a decompression bomb).</summary>
    ImageTooLarge,

    /// <summary>The body, or one image in it, is over the configured byte limit.</summary>
    PayloadTooLarge,

    /// <summary>The body's media type is not one the route takes.</summary>
    UnsupportedMediaType,

    /// <summary>The body arrived slower than the minimum data rate.</summary>
    BodyTooSlow,

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

    /// <summary>The caller's key is valid but lacks the scope the route needs.</summary>
    PermissionDenied,

    /// <summary>The client sent more requests than its rate limit allows.</summary>
    RateLimited,

    /// <summary>Refused at admission: at the model's current drain rate the request could not finish before its deadline.</summary>
    DeadlineUnmeetable,

    /// <summary>Refused before reading more: the request memory budget (bytes of requests held in memory, process-wide) is full.</summary>
    OverMemoryBudget,
}
