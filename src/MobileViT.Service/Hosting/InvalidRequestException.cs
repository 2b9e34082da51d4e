namespace MobileViT.Service.Hosting;

/// <summary>A request argument is out of range or malformed (tensor shape, datatype, top-k); the message says what to send.</summary>
public sealed class InvalidRequestException(string message) : Exception(message);
