namespace MobileViT.Inference.Serving;

/// <summary>A request argument is out of range or malformed (tensor shape, datatype, top-k, timeout); the message says what to send.</summary>
public sealed class InvalidRequestException(string message, string code = ErrorCodes.BadRequest) : InferenceException(ErrorKind.InvalidInput, message, code);
