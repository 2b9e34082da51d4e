namespace MobileViT.Modeling;

/// <summary>The 1000 ImageNet-1k class labels in index order, as published in Hugging Face MobileViT config.json files.</summary>
public static class ImageNetLabels
{
    private const string ResourceName = "MobileViT.Modeling.imagenet_labels.txt";
    private static readonly Lazy<IReadOnlyList<string>> Labels = new(Load);

    public static IReadOnlyList<string> All => Labels.Value;

    private static IReadOnlyList<string> Load()
    {
        using var stream = typeof(ImageNetLabels).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream);
        var labels = new List<string>(1000);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
                labels.Add(line);
        }
        if (labels.Count != MobileViTArchitecture.NumLabels)
            throw new InvalidOperationException($"Expected {MobileViTArchitecture.NumLabels} labels, found {labels.Count}.");
        return labels.AsReadOnly();
    }
}
