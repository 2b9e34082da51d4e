using Google.Protobuf;
using Grpc.Core;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Limits;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.Grpc;

/// <summary>
/// The image of a <c>Classify</c> call or stream item as the core's input: no larger than <c>MaxImageBytes</c> (as over
/// REST), and holding its share of the request memory budget while the request runs. gRPC has already read the message
/// (up to <c>MaxReceiveMessageBytes</c>), so a refusal lets it go sooner rather than preventing the read.
/// </summary>
public static class ClassifyImageInput
{
    public static InferenceInput Of(ByteString image, ServerCallContext context)
    {
        var services = context.GetHttpContext().RequestServices;
        var maxImageBytes = services.GetRequiredService<MobileViTOptions>().Limits.MaxImageBytes;
        if (image.Length > maxImageBytes)
            throw new RequestTooLargeException($"The image is {image.Length} bytes, over the limit of {maxImageBytes} (MobileViT__Limits__MaxImageBytes).");
        var lease = (services.GetService<RequestMemoryBudget>() ?? RequestMemoryBudget.Unlimited).Lease();
        try
        {
            lease.Reserve(image.Length);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
        return new InferenceInput.EncodedImages([image.Memory]) { Owner = lease };
    }
}
