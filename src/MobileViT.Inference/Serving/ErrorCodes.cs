namespace MobileViT.Inference.Serving;

/// <summary>
/// The stable, machine-readable codes of <see cref="InferenceException.Code"/>: protocols publish them (the problem
/// type <c>urn:mobilevit:problem:CODE</c>), so they never change. A code refines its <see cref="ErrorKind"/>; the kind,
/// not the code, decides a protocol's status.
/// </summary>
public static class ErrorCodes
{
    public const string BadRequest = "bad-request";
    public const string BadBody = "bad-body";
    public const string BadTopK = "bad-topk";
    public const string BadTimeout = "bad-timeout";
    public const string BadPriority = "bad-priority";
    public const string BadBatch = "bad-batch";
    public const string BadParameter = "bad-parameter";
    public const string BadClassification = "bad-classification";
    public const string BadMultipart = "bad-multipart";
    public const string BadBinaryData = "bad-binary-data";
    public const string InvalidTensor = "invalid-tensor";
    public const string EmptyImage = "empty-image";
    public const string UnsupportedImageFormat = "unsupported-image-format";
    public const string CorruptImage = "corrupt-image";
    public const string TooManyPixels = "too-many-pixels";
    public const string PayloadTooLarge = "payload-too-large";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string RequestBodyTooSlow = "request-body-too-slow";
    public const string UnknownModel = "unknown-model";
    public const string UnknownVersion = "unknown-version";
    public const string NotReady = "not-ready";
    public const string QueueFull = "queue-full";
    public const string DeadlineExceeded = "deadline-exceeded";
    public const string DeadlineUnmeetable = "deadline-unmeetable";
    public const string Cancelled = "cancelled";
    public const string InferenceFailed = "inference-failed";
    public const string MissingApiKey = "missing-api-key";
    public const string InvalidApiKey = "invalid-api-key";
    public const string PermissionDenied = "permission-denied";
    public const string RateLimited = "rate-limited";
    public const string TooManyFailedAuthentications = "too-many-failed-authentications";
    public const string MemoryBudget = "memory-budget";

    /// <summary>The code of a failure that names nothing more specific than its kind.</summary>
    public static string DefaultOf(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidInput => BadRequest,
        ErrorKind.InvalidImage => CorruptImage,
        ErrorKind.ImageTooLarge => TooManyPixels,
        ErrorKind.PayloadTooLarge => PayloadTooLarge,
        ErrorKind.UnsupportedMediaType => UnsupportedMediaType,
        ErrorKind.BodyTooSlow => RequestBodyTooSlow,
        ErrorKind.UnknownModel => UnknownModel,
        ErrorKind.Unavailable => NotReady,
        ErrorKind.QueueFull => QueueFull,
        ErrorKind.DeadlineExceeded => DeadlineExceeded,
        ErrorKind.Cancelled => Cancelled,
        ErrorKind.Failed => InferenceFailed,
        ErrorKind.Unauthenticated => MissingApiKey,
        ErrorKind.PermissionDenied => PermissionDenied,
        ErrorKind.RateLimited => RateLimited,
        ErrorKind.DeadlineUnmeetable => DeadlineUnmeetable,
        ErrorKind.OverMemoryBudget => MemoryBudget,
    };
}
