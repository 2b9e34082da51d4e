using Grpc.Core;
using MobileViT.Inference.Batching;

namespace MobileViT.Service.Grpc;

public static class CallDeadline
{
    public const string Protocol = "grpc";

    /// <summary>
    /// The batcher's timeout from the call's deadline (none: the configured default), shortened by a per-item timeout.
    /// A deadline already past throws DeadlineExceededException: the request is never queued.
    /// </summary>
    public static InferenceCallOptions ToCallOptions(this ServerCallContext context, uint itemTimeoutMs = 0)
    {
        TimeSpan? timeout = null;
        if (context.Deadline != DateTime.MaxValue)
            timeout = context.Deadline.ToUniversalTime() - DateTime.UtcNow;
        if (itemTimeoutMs > 0)
        {
            var item = TimeSpan.FromMilliseconds(itemTimeoutMs);
            timeout = timeout is { } call && call < item ? call : item;
        }
        if (timeout <= TimeSpan.Zero)
            throw new DeadlineExceededException(TimeSpan.Zero);
        return new InferenceCallOptions(timeout, Protocol);
    }
}
