using Google.Protobuf;
using Grpc.Core;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Limits;
using MobileViT.Service.Transport;

namespace MobileViT.Service.Grpc;

/// <summary>
/// The image of a <c>Classify</c> call or stream item, checked as over REST: no larger than <c>MaxImageBytes</c>, and
/// holding its share of the request memory budget while the request runs (the returned lease; dispose it after).
/// gRPC has already read the message (up to <c>MaxReceiveMessageBytes</c>), so a refusal lets it go sooner rather than
/// preventing the read.
/// </summary>
internal static class ClassifyImageInput
{
    public static RequestMemoryLease Hold(ByteString image, ServerCallContext context)
    {
        var services = context.GetHttpContext().RequestServices;
        var maxImageBytes = services.GetRequiredService<MobileViTOptions>().Limits.MaxImageBytes;
        if (image.Length > maxImageBytes)
            throw new RequestTooLargeException($"The image is {image.Length} bytes, over the limit of {maxImageBytes} (MobileViT__Limits__MaxImageBytes).");
        return context.GetHttpContext().HoldReceived(image.Length);
    }
}
