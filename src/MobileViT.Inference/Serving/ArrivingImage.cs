namespace MobileViT.Inference.Serving;

/// <summary>
/// One encoded image of a batch that is still arriving (<see cref="InferenceCall.RunEachAsync"/>): its bytes, and what
/// holds them (a buffer, a share of the request memory budget), disposed by the core as soon as the image has run.
/// </summary>
public sealed record ArrivingImage(ReadOnlyMemory<byte> Bytes, IDisposable Owner);
