using System.Runtime.InteropServices;
using Google.Protobuf;
using MobileViT.Modeling.Onnx.Proto;

namespace MobileViT.Modeling.Onnx;

/// <summary>
/// Accumulates an ONNX graph: float/int64 initializers, nodes and graph inputs/outputs, with unique value and node names.
/// Serializes to a standard ONNX ModelProto.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly GraphProto graph;
    private readonly HashSet<string> usedNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> nameCounters = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string graphName)
    {
        graph = new GraphProto { Name = graphName };
    }

    /// <summary>Total number of float elements stored as initializers.</summary>
    public long FloatInitializerElementCount { get; private set; }

    public int NodeCount => graph.Node.Count;

    /// <summary>Returns <paramref name="hint"/> if unused, otherwise the hint with a numeric suffix; reserves the result.</summary>
    public string UniqueName(string hint)
    {
        var name = hint;
        while (!usedNames.Add(name))
        {
            nameCounters.TryGetValue(hint, out var n);
            nameCounters[hint] = ++n;
            name = hint + "_" + n;
        }
        return name;
    }

    public string AddFloatInitializer(string nameHint, ReadOnlySpan<float> data, params long[] dims)
    {
        if (data.Length != ElementCount(dims))
            throw new ArgumentException($"Initializer {nameHint}: {data.Length} values do not fill shape [{string.Join(", ", dims)}].");
        var tensor = new TensorProto
        {
            Name = UniqueName(nameHint),
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data)),
        };
        tensor.Dims.AddRange(dims);
        graph.Initializer.Add(tensor);
        FloatInitializerElementCount += data.Length;
        return tensor.Name;
    }

    /// <summary>A 1-D int64 initializer (shapes, axes, permutations).</summary>
    public string AddInt64Initializer(string nameHint, params long[] values)
    {
        var tensor = new TensorProto
        {
            Name = UniqueName(nameHint),
            DataType = (int)TensorProto.Types.DataType.Int64,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
        };
        tensor.Dims.Add(values.Length);
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>ONNX Runtime's operator domain (<c>com.microsoft</c>), version 1.</summary>
    public const string OnnxRuntimeDomain = "com.microsoft";

    private readonly SortedSet<string> customDomains = new(StringComparer.Ordinal);

    /// <summary>Adds a node with a single output and returns the output's value name.</summary>
    public string AddNode(string opType, string outputHint, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        AddNode("", opType, outputHint, inputs, attributes);

    /// <summary>As <see cref="AddNode(string, string, IEnumerable{string}, AttributeProto[])"/> for an operator of another domain (imported at version 1).</summary>
    public string AddNode(string domain, string opType, string outputHint, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var output = UniqueName(outputHint);
        var node = new NodeProto { OpType = opType, Domain = domain, Name = UniqueName(outputHint + "/" + opType) };
        if (domain.Length > 0)
            customDomains.Add(domain);
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return output;
    }

    /// <summary>Declares a float32 graph input; each dimension is a fixed size (int/long) or a symbolic name (string).</summary>
    public string AddFloatInput(string name, params object[] dims)
    {
        graph.Input.Add(FloatValueInfo(UniqueName(name), dims));
        return name;
    }

    /// <summary>Exposes <paramref name="value"/> as a float32 graph output named <paramref name="name"/>.</summary>
    public void AddFloatOutput(string value, string name, params object[] dims)
    {
        var output = value;
        if (value != name)
            output = AddNode("Identity", name, new[] { value });
        if (output != name)
            throw new InvalidOperationException($"Output name {name} is already taken.");
        graph.Output.Add(FloatValueInfo(name, dims));
    }

    public byte[] ToModelBytes(long irVersion, long opsetVersion, string producerName, string producerVersion, string docString)
    {
        var model = new ModelProto
        {
            IrVersion = irVersion,
            ProducerName = producerName,
            ProducerVersion = producerVersion,
            DocString = docString,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opsetVersion });
        foreach (var domain in customDomains)
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = 1 });
        return model.ToByteArray();
    }

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto FloatAttribute(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto IntsAttribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static long ElementCount(long[] dims)
    {
        long count = 1;
        foreach (var d in dims)
            count *= d;
        return count;
    }

    private static ValueInfoProto FloatValueInfo(string name, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string param => new TensorShapeProto.Types.Dimension { DimParam = param },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"Unsupported dimension {dim}."),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}
