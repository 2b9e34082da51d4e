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
    : InferenceException(ErrorKind.InvalidInput, message, CodeOf(reason))
{
    public InvalidImageReason Reason { get; } = reason;

    private static string CodeOf(InvalidImageReason reason) => reason switch
    {
        InvalidImageReason.Empty => "empty-image",
        InvalidImageReason.UnsupportedFormat => "unsupported-image-format",
        InvalidImageReason.TooManyPixels => "too-many-pixels",
        _ => "corrupt-image",
    };
}
