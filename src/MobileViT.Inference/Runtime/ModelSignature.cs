using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MobileViT.Inference.Runtime;

/// <summary>The image-classifier interface a graph must have: one NCHW float input (<c>pixel_values</c>) and [N, classes] float output (<c>logits</c>).</summary>
public sealed record ModelSignature(string InputName, string OutputName, int Channels, int Height, int Width, int ClassCount)
{
    public int SampleLength => Channels * Height * Width;

    /// <summary>Reads the signature from a session; dynamic spatial dimensions take the preprocessor's crop size.</summary>
    public static ModelSignature FromSession(InferenceSession session, int cropHeight, int cropWidth)
    {
        var (inputName, input) = Pick(session.InputMetadata, "pixel_values", "input");
        var (outputName, output) = Pick(session.OutputMetadata, "logits", "output");
        if (input.ElementDataType != TensorElementType.Float || input.Dimensions.Length != 4)
            throw new InvalidOperationException($"Model input '{inputName}' must be float32 [batch, 3, height, width]; it is {input.ElementDataType} [{string.Join(", ", input.Dimensions)}].");
        if (output.ElementDataType != TensorElementType.Float || output.Dimensions.Length != 2 || output.Dimensions[1] <= 0)
            throw new InvalidOperationException($"Model output '{outputName}' must be float32 [batch, classes]; it is {output.ElementDataType} [{string.Join(", ", output.Dimensions)}].");
        if (input.Dimensions[0] > 0)
            throw new InvalidOperationException($"Model input '{inputName}' has a fixed batch dimension {input.Dimensions[0]}; a dynamic batch dimension is required for batching.");

        var channels = input.Dimensions[1] > 0 ? input.Dimensions[1] : 3;
        if (channels != 3)
            throw new InvalidOperationException($"Model input '{inputName}' has {channels} channels; 3 are required.");
        var height = input.Dimensions[2] > 0 ? input.Dimensions[2] : cropHeight;
        var width = input.Dimensions[3] > 0 ? input.Dimensions[3] : cropWidth;
        if (height != cropHeight || width != cropWidth)
            throw new InvalidOperationException($"Model input is {height}x{width} but preprocessor_config.json crops to {cropHeight}x{cropWidth}.");
        return new ModelSignature(inputName, outputName, channels, height, width, output.Dimensions[1]);
    }

    private static (string Name, NodeMetadata Metadata) Pick(IReadOnlyDictionary<string, NodeMetadata> nodes, string preferred, string role)
    {
        if (nodes.TryGetValue(preferred, out var metadata))
            return (preferred, metadata);
        if (nodes.Count == 1)
        {
            var only = nodes.First();
            return (only.Key, only.Value);
        }
        throw new InvalidOperationException($"Model has {nodes.Count} {role}s ({string.Join(", ", nodes.Keys)}) and none is named '{preferred}'.");
    }
}
