namespace MobileViT.Service.Hosting;

/// <summary>No model has the requested name.</summary>
public sealed class UnknownModelException(string name, IEnumerable<string> configured)
    : Exception($"No model is named '{name}'. Configured: {string.Join(", ", configured)}.")
{
    public string Name { get; } = name;
}
