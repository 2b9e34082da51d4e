namespace MobileViT.Inference.Configuration;

/// <summary>One served model: <c>MobileViT:Models:N</c>.</summary>
public sealed class ModelOptions
{
    /// <summary>The name clients use in URLs and requests.</summary>
    public string Name { get; set; } = "";

    /// <summary>A local model directory, <c>hf:OWNER/REPO</c>, or <c>synthetic:{xxs|xs|s}</c>.</summary>
    public string Source { get; set; } = "";

    /// <summary>The ONNX file a local directory is served from when <see cref="OnnxFile"/> is unset.</summary>
    public const string DefaultOnnxFile = "onnx/model.onnx";

    /// <summary>
    /// The ONNX file inside the model directory or repository. Unset: a local directory serves
    /// <see cref="DefaultOnnxFile"/>; an <c>hf:</c> repository that publishes MobileViT weights (model.safetensors, else
    /// pytorch_model.bin) is built by the service's own graph builder, one without them serves <see cref="DefaultOnnxFile"/>.
    /// Set, the file is served as it is.
    /// </summary>
    public string? OnnxFile { get; set; }

    /// <summary>Hugging Face revision (branch, tag or commit) for <c>hf:</c> sources.</summary>
    public string Revision { get; set; } = "main";

    /// <summary><c>exact</c> or <c>fast</c> for this model alone; unset follows <see cref="PreprocessingOptions.Mode"/>.</summary>
    public string? PreprocessingMode { get; set; }
}
