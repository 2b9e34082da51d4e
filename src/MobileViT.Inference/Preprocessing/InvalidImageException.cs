namespace MobileViT.Inference.Preprocessing;

public enum InvalidImageReason
{
    Empty,
    UnsupportedFormat,
    Corrupt,
    TooManyPixels,
}

/// <summary>The bytes are not an image this service can classify; the message is safe to show to the client.</summary>
public sealed class InvalidImageException(InvalidImageReason reason, string message) : Exception(message)
{
    public InvalidImageReason Reason { get; } = reason;
}
