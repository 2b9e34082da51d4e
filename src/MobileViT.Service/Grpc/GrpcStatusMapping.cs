using Grpc.Core;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Preprocessing;
using MobileViT.Service.Hosting;

namespace MobileViT.Service.Grpc;

/// <summary>The one place where what the inference core and model lookup throw becomes a gRPC status.</summary>
public static class GrpcStatusMapping
{
    /// <summary>The status for an expected failure; null for an exception that is a bug.</summary>
    public static Status? ToStatus(Exception e) => e switch
    {
        RpcException rpc => rpc.Status,
        InvalidImageException or InvalidRequestException => new Status(StatusCode.InvalidArgument, e.Message),
        UnknownModelException => new Status(StatusCode.NotFound, e.Message),
        QueueFullException => new Status(StatusCode.ResourceExhausted, e.Message),
        DeadlineExceededException => new Status(StatusCode.DeadlineExceeded, e.Message),
        OperationCanceledException => new Status(StatusCode.Cancelled, "The request was cancelled before it ran."),
        ModelUnavailableException => new Status(StatusCode.Unavailable, e.Message),
        InferenceFailedException => new Status(StatusCode.Internal, e.Message),
        _ => null,
    };
}
