using Grpc.Core;

namespace MobileViT.Service.Transport;

internal static class GrpcCallDeadline
{
    public const string Protocol = "grpc";

    /// <summary>The call's deadline, or null when the client set none (the configured default timeout applies).</summary>
    public static DateTimeOffset? DeadlineOf(this ServerCallContext context) =>
        context.Deadline == DateTime.MaxValue ? null : new DateTimeOffset(context.Deadline.ToUniversalTime(), TimeSpan.Zero);
}
