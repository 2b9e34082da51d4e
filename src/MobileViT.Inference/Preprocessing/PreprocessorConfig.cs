namespace MobileViT.Inference.Preprocessing;

/// <summary>The fields of a Hugging Face MobileViTImageProcessor preprocessor_config.json that this service honours.</summary>
public sealed record PreprocessorConfig
{
    public bool DoResize { get; init; } = true;
    public int ShortestEdge { get; init; } = 288;
    public bool DoCenterCrop { get; init; } = true;
    public int CropHeight { get; init; } = 256;
    public int CropWidth { get; init; } = 256;
    public bool DoRescale { get; init; } = true;
    public float RescaleFactor { get; init; } = 1f / 255f;
    public bool DoFlipChannelOrder { get; init; } = true;

    /// <summary>The published apple/mobilevit-* settings.</summary>
    public static PreprocessorConfig MobileViTDefault { get; } = new();

    public static PreprocessorConfig FromJson(string json) => throw new NotImplementedException();
}
