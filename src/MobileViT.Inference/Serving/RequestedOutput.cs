namespace MobileViT.Inference.Serving;

/// <summary>
/// What a request wants back for each sample: the top <see cref="TopK"/> classes with softmax scores (null: the
/// default, <see cref="DefaultTopK"/>), or only the raw logits. <see cref="KeepInput"/> also returns the tensor the model
/// was given, for showing a person the crop it classified.
/// </summary>
public readonly record struct RequestedOutput(bool Classify, int? TopK = null, bool KeepInput = false)
{
    public const int DefaultTopK = 5;

    public static RequestedOutput Classes(int? topK = null) => new(true, topK);

    public static RequestedOutput Logits { get; } = new(false);
}
