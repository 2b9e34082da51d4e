namespace MobileViT.Inference.Modeling;

/// <summary>Writes a model directory in the Hugging Face layout: config.json, preprocessor_config.json, onnx/model.onnx.</summary>
public static class ModelDirectoryWriter
{
    public static void Write(string directory, MobileViTVariant variant, byte[] onnxModel) => throw new NotImplementedException();
}
