using MobileViT.Inference.Serving;

namespace MobileViT.Inference.Limits;

/// <summary>A body, part or tensor over a configured size limit (HTTP 413); the message names the limit or the field.</summary>
public sealed class RequestTooLargeException(string message) : InferenceException(ErrorKind.PayloadTooLarge, message, TooLargeCode)
{
    public const string TooLargeCode = ErrorCodes.PayloadTooLarge;
}
