namespace MobileViT.Inference.Serving;

/// <summary>No model has the requested name.</summary>
internal sealed class UnknownModelException(string name, IEnumerable<string> configured)
    : InferenceException(ErrorKind.UnknownModel, $"No model is named '{ClientText.Excerpt(name)}'. Configured: {string.Join(", ", configured)}.")
{
    public string Name { get; } = name;
}
