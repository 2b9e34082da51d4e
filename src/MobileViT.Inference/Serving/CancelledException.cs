namespace MobileViT.Inference.Serving;

/// <summary>The client cancelled, or went away, before the request ran; it never ran.</summary>
internal sealed class CancelledException(Exception? inner = null)
    : InferenceException(ErrorKind.Cancelled, "The request was cancelled before it ran.", inner: inner);
