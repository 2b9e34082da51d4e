namespace MobileViT.Service.Transport;

/// <summary><c>MobileViT:Grpc</c>: limits of the gRPC endpoint.</summary>
internal sealed class GrpcOptions
{
    public const string SectionName = "MobileViT:Grpc";

    /// <summary>Items of one ClassifyStream call read but not yet answered and delivered; the server stops reading the request stream at this many.</summary>
    public int MaxInFlightPerStream { get; set; } = 64;

    /// <summary>Largest request message: an encoded image, or a ModelInfer tensor (8 x 3 x 256 x 256 FP32 is 6.3 MB).</summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest response message.</summary>
    public int MaxSendMessageBytes { get; set; } = 64 * 1024 * 1024;
}
