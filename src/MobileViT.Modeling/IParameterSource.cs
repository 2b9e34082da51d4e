namespace MobileViT.Modeling;

/// <summary>Supplies network parameters by Hugging Face name; implementations validate the expected shape.</summary>
internal interface IParameterSource
{
    FloatTensor Get(string name, params int[] shape);
}

/// <summary>Parameters held in memory (read from safetensors or generated); reports missing names and shape mismatches.</summary>
internal sealed class DictionaryParameterSource : IParameterSource
{
    private readonly IReadOnlyDictionary<string, FloatTensor> tensors;

    public DictionaryParameterSource(IReadOnlyDictionary<string, FloatTensor> tensors) => this.tensors = tensors;

    public FloatTensor Get(string name, params int[] shape)
    {
        if (!tensors.TryGetValue(name, out var tensor))
            throw new InvalidDataException($"Weights have no parameter '{name}' (expected shape {FloatTensor.FormatShape(shape)}); is it the right variant?");
        if (!tensor.Shape.SequenceEqual(shape))
            throw new InvalidDataException(
                $"Parameter '{name}' has shape {FloatTensor.FormatShape(tensor.Shape)}, expected {FloatTensor.FormatShape(shape)}; is it the right variant?");
        return tensor;
    }
}

/// <summary>Records every parameter the emitter asks for (in order) and answers with zeros; yields the parameter layout.</summary>
internal sealed class RecordingParameterSource : IParameterSource
{
    private readonly List<ParameterSpec> specs = new();

    public IReadOnlyList<ParameterSpec> Specs => specs;

    public FloatTensor Get(string name, params int[] shape)
    {
        specs.Add(new ParameterSpec(name, shape));
        return FloatTensor.Zeros(shape);
    }
}
