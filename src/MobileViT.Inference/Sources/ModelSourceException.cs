namespace MobileViT.Inference.Sources;

/// <summary>A model could not be obtained or read; the message says what to do about it.</summary>
public sealed class ModelSourceException(string message, Exception? inner = null) : Exception(message, inner);
