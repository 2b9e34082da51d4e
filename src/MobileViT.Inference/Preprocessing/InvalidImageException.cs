using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Preprocessing;

public enum InvalidImageReason
{
    Empty,
    UnsupportedFormat,
    Corrupt,
    TooManyPixels,
}

/// <summary>The bytes are not an image this service can classify; the message is safe to show to the client.</summary>
public sealed class InvalidImageException(InvalidImageReason reason, string message)
    : InferenceException(KindOf(reason), message, CodeOf(reason))
{
    public InvalidImageReason Reason { get; } = reason;

    private static ErrorKind KindOf(InvalidImageReason reason) => reason switch
    {
        InvalidImageReason.TooManyPixels => ErrorKind.ImageTooLarge,
        InvalidImageReason.Empty or InvalidImageReason.UnsupportedFormat or InvalidImageReason.Corrupt => ErrorKind.InvalidImage,
    };

    private static string CodeOf(InvalidImageReason reason) => reason switch
    {
        InvalidImageReason.Empty => ErrorCodes.EmptyImage,
        InvalidImageReason.UnsupportedFormat => ErrorCodes.UnsupportedImageFormat,
        InvalidImageReason.TooManyPixels => ErrorCodes.TooManyPixels,
        InvalidImageReason.Corrupt => ErrorCodes.CorruptImage,
    };
}
