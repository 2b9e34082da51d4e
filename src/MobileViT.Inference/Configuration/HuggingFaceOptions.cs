namespace MobileViT.Inference.Configuration;

/// <summary><c>MobileViT:HuggingFace</c>: where <c>hf:</c> models come from. Unset values fall back to the standard HF_ENDPOINT, HF_TOKEN and HF_HOME variables.</summary>
public sealed class HuggingFaceOptions
{
    /// <summary>Hub base URL; default <c>$HF_ENDPOINT</c>, else https://huggingface.co.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Access token for gated or private repositories; default <c>$HF_TOKEN</c>.</summary>
    public string? Token { get; set; }

    /// <summary>Download cache; default <c>$HF_HOME/mobilevit</c>, else <c>~/.cache/mobilevit</c>.</summary>
    public string? CacheDirectory { get; set; }
}
