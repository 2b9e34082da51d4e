namespace MobileViT.Inference.Modeling;

/// <summary>The 1000 ImageNet-1k class labels in index order, as published in Hugging Face MobileViT config.json files.</summary>
public static class ImageNetLabels
{
    public static IReadOnlyList<string> All => throw new NotImplementedException();
}
