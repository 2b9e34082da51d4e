using Grpc.Core;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.Transport;

/// <summary>The one table from an error to a gRPC status, used by unary calls, stream items and KServe V2 gRPC.</summary>
internal static class GrpcStatusTable
{
    public static StatusCode For(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidInput or ErrorKind.InvalidImage or ErrorKind.ImageTooLarge or ErrorKind.PayloadTooLarge
            or ErrorKind.UnsupportedMediaType or ErrorKind.BodyTooSlow => StatusCode.InvalidArgument,
        ErrorKind.UnknownModel => StatusCode.NotFound,
        ErrorKind.Unavailable => StatusCode.Unavailable,
        ErrorKind.QueueFull => StatusCode.ResourceExhausted,
        ErrorKind.DeadlineExceeded => StatusCode.DeadlineExceeded,
        ErrorKind.Cancelled => StatusCode.Cancelled,
        ErrorKind.Failed => StatusCode.Internal,
        ErrorKind.Unauthenticated => StatusCode.Unauthenticated,
        ErrorKind.PermissionDenied => StatusCode.PermissionDenied,
        ErrorKind.RateLimited => StatusCode.ResourceExhausted,
        ErrorKind.DeadlineUnmeetable => StatusCode.ResourceExhausted,
        ErrorKind.OverMemoryBudget => StatusCode.ResourceExhausted,
    };

    /// <summary>The status for an expected failure; null for an exception that is a bug.</summary>
    public static Status? ToStatus(Exception e) => e switch
    {
        RpcException rpc => rpc.Status,
        InferenceException inference => new Status(For(inference.Kind), inference.Message),
        OperationCanceledException => new Status(StatusCode.Cancelled, "The request was cancelled before it ran."),
        _ => null,
    };

    /// <summary>
    /// Trailers for an expected failure: where retrying later helps, <c>grpc-retry-pushback-ms</c> (gRFC A6), which
    /// gRPC clients with a retry policy wait for before retrying.
    /// </summary>
    public static Metadata TrailersFor(Exception e) => e is InferenceException { RetryAfter: { } retryAfter }
        ? new Metadata { { "grpc-retry-pushback-ms", ((long)Math.Ceiling(retryAfter.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) } }
        : [];
}
