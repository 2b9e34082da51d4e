namespace MobileViT.Inference.Configuration;

/// <summary>One served model: <c>MobileViT:Models:N</c>.</summary>
public sealed class ModelOptions
{
    /// <summary>The name clients use in URLs and requests.</summary>
    public string Name { get; set; } = "";

    /// <summary>A local model directory, <c>hf:OWNER/REPO</c>, or <c>synthetic:{xxs|xs|s}</c>.</summary>
    public string Source { get; set; } = "";

    /// <summary>The ONNX file inside the model directory or repository.</summary>
    public string OnnxFile { get; set; } = "onnx/model.onnx";

    /// <summary>Hugging Face revision (branch, tag or commit) for <c>hf:</c> sources.</summary>
    public string Revision { get; set; } = "main";

    /// <summary><c>exact</c> or <c>fast</c> for this model alone; unset follows <see cref="PreprocessingOptions.Mode"/>.</summary>
    public string? PreprocessingMode { get; set; }
}
