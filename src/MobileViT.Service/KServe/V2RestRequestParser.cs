using System.Text.Json;
using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>One input as its JSON declares it; its <c>data</c>, if any, stays where it is in the JSON until the tensor is read.</summary>
internal sealed record V2DeclaredInput(string? Name, string? Datatype, IReadOnlyList<long>? Shape, long? BinaryDataSize, Range? Data);

/// <summary>A REST V2 inference request's JSON, read but with its tensors not yet made.</summary>
internal sealed record V2DeclaredRequest(string? Id, IReadOnlyList<V2DeclaredInput> Inputs, IReadOnlyList<V2RequestedOutput> Outputs, bool BinaryOutputs,
    long? TimeoutMicroseconds, long? PriorityLevel);

/// <summary>
/// Reads the JSON of a REST V2 inference request (the whole body, or the header before the binary tensors) with a
/// forward-only reader over the bytes already held: counts of inputs, outputs and dimensions are bounded, strings are
/// bounded, <c>data</c> is left in place (its range noted) for <see cref="V2JsonTensorReader"/>, and parameters it does
/// not use are skipped unread. No document tree is built, so a body costs its own bytes and no more.
/// </summary>
internal static class V2RestRequestParser
{
    public const int MaxInputs = 16;
    public const int MaxOutputs = 16;

    /// <summary>Longest name, datatype or id kept; V2 names are identifiers.</summary>
    public const int MaxStringLength = 1024;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };

    public static V2DeclaredRequest Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw Invalid("The body must be a JSON object: a V2 inference request.");
            string? id = null;
            List<V2DeclaredInput>? inputs = null;
            List<DeclaredOutput>? outputs = null;
            RequestParameters parameters = default;
            var properties = Properties.Of(ref reader, "the request");
            while (properties.Next(ref reader) is { } property)
            {
                switch (property)
                {
                    case "id":
                        id = reader.TokenType == JsonTokenType.Null ? null : String(ref reader, "'id'");
                        break;
                    case "parameters":
                        parameters = ReadRequestParameters(ref reader);
                        break;
                    case "inputs":
                        inputs = ReadArray(ref reader, "inputs", MaxInputs, ReadInput);
                        break;
                    case "outputs":
                        outputs = ReadArray(ref reader, "outputs", MaxOutputs, ReadOutput);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            if (reader.Read())
                throw Invalid("The body goes on after the request's JSON object.");
            if (inputs is null)
                throw Invalid("The body needs 'inputs'.");
            // binary_data_output is the default of every output that does not say (it may come after the outputs).
            var allBinary = parameters.BinaryOutput ?? false;
            var requested = (outputs ?? []).Select(o => new V2RequestedOutput(o.Name, o.Classification, o.Binary ?? allBinary)).ToList();
            return new V2DeclaredRequest(id, inputs, requested, allBinary, parameters.Timeout, parameters.Priority);
        }
        catch (JsonException e)
        {
            throw Invalid($"The body is not a V2 inference request: {e.Message}");
        }
    }

    private record struct RequestParameters(long? Timeout, long? Priority, bool? BinaryOutput);

    private sealed record DeclaredOutput(string Name, int? Classification, bool? Binary);

    private delegate T ReadItem<out T>(ref Utf8JsonReader reader, int index);

    /// <summary>The properties of one JSON object, in order; a name seen twice is refused.</summary>
    private readonly struct Properties
    {
        private readonly HashSet<string> _seen;
        private readonly string _where;

        private Properties(string where)
        {
            _seen = new HashSet<string>(StringComparer.Ordinal);
            _where = where;
        }

        /// <summary>The reader must be on the object's start.</summary>
        public static Properties Of(ref Utf8JsonReader reader, string where)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
                throw Invalid($"{char.ToUpperInvariant(where[0])}{where[1..]} must be a JSON object.");
            return new Properties(where);
        }

        /// <summary>The next property's name, the reader then on its value; null at the end of the object.</summary>
        public string? Next(ref Utf8JsonReader reader)
        {
            if (!reader.Read() || reader.TokenType == JsonTokenType.EndObject)
                return null;
            // Names longer than any this service knows are read past, unkept.
            var name = reader.ValueSpan.Length <= MaxStringLength ? reader.GetString()! : "";
            reader.Read();
            if (name.Length > 0 && !_seen.Add(name))
                throw Invalid($"'{ClientText.Excerpt(name)}' appears twice in {_where}.");
            return name;
        }
    }

    private static RequestParameters ReadRequestParameters(ref Utf8JsonReader reader)
    {
        var parameters = new RequestParameters();
        var properties = Properties.Of(ref reader, "the request's parameters");
        while (properties.Next(ref reader) is { } name)
        {
            switch (name)
            {
                case "timeout":
                    parameters.Timeout = Integer(ref reader, name, "the request");
                    break;
                case V2Inference.PriorityParameter:
                    parameters.Priority = Integer(ref reader, name, "the request");
                    break;
                case "binary_data_output":
                    parameters.BinaryOutput = Boolean(ref reader, name, "the request");
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return parameters;
    }

    private static V2DeclaredInput ReadInput(ref Utf8JsonReader reader, int index)
    {
        var where = $"input {index}";
        string? name = null, datatype = null;
        List<long>? shape = null;
        long? binaryDataSize = null;
        Range? data = null;
        var properties = Properties.Of(ref reader, where);
        while (properties.Next(ref reader) is { } property)
        {
            switch (property)
            {
                case "name":
                    name = String(ref reader, $"The name of {where}");
                    break;
                case "datatype":
                    datatype = String(ref reader, $"The datatype of {where}");
                    break;
                case "shape":
                    shape = ReadShape(ref reader, where);
                    break;
                case "parameters":
                    binaryDataSize = ReadInputParameters(ref reader, where);
                    break;
                case "data":
                    var start = (int)reader.TokenStartIndex;
                    var isNull = reader.TokenType == JsonTokenType.Null;
                    reader.Skip();
                    data = isNull ? null : new Range(start, (int)reader.BytesConsumed);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return new V2DeclaredInput(name, datatype, shape, binaryDataSize, data);
    }

    private static List<long> ReadShape(ref Utf8JsonReader reader, string where)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Invalid($"The shape of {where} must be an array of integers.");
        var shape = new List<long>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dimension))
                throw Invalid($"The shape of {where} must be an array of integers.");
            if (shape.Count == V2TensorShape.MaxDimensions)
                throw Invalid($"The shape of {where} has more than {V2TensorShape.MaxDimensions} dimensions.");
            shape.Add(dimension);
        }
        return shape;
    }

    private static long? ReadInputParameters(ref Utf8JsonReader reader, string where)
    {
        long? binaryDataSize = null;
        var properties = Properties.Of(ref reader, $"the parameters of {where}");
        while (properties.Next(ref reader) is { } name)
        {
            if (name == "binary_data_size")
                binaryDataSize = Integer(ref reader, name, where);
            else
                reader.Skip();
        }
        return binaryDataSize;
    }

    private static DeclaredOutput ReadOutput(ref Utf8JsonReader reader, int index)
    {
        var where = $"output {index}";
        string? name = null;
        long? classification = null;
        bool? binary = null;
        var properties = Properties.Of(ref reader, where);
        while (properties.Next(ref reader) is { } property)
        {
            switch (property)
            {
                case "name":
                    name = String(ref reader, $"The name of {where}");
                    break;
                case "parameters":
                    var parameters = Properties.Of(ref reader, $"the parameters of {where}");
                    while (parameters.Next(ref reader) is { } parameter)
                    {
                        if (parameter == "classification")
                            classification = Integer(ref reader, parameter, where);
                        else if (parameter == "binary_data")
                            binary = Boolean(ref reader, parameter, where);
                        else
                            reader.Skip();
                    }
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        // Out of int's range is as wrong as 0: the core's range check names it.
        return new DeclaredOutput(name ?? "", classification is { } c ? (int)Math.Clamp(c, int.MinValue, int.MaxValue) : null, binary);
    }

    private static List<T> ReadArray<T>(ref Utf8JsonReader reader, string name, int max, ReadItem<T> read)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Invalid($"'{name}' must be an array.");
        var items = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (items.Count == max)
                throw Invalid($"'{name}' has more than {max} entries.");
            items.Add(read(ref reader, items.Count));
        }
        return items;
    }

    private static string String(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw Invalid($"{what} must be a string.");
        if (reader.ValueSpan.Length > MaxStringLength)
            throw Invalid($"{what} is longer than {MaxStringLength} bytes.");
        return reader.GetString()!;
    }

    private static long Integer(ref Utf8JsonReader reader, string name, string where) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value)
            ? value
            : throw new InvalidRequestException($"Parameter '{name}' of {where} must be an integer (a 64-bit one); it is {Describe(ref reader)}.", ErrorCodes.BadParameter);

    private static bool Boolean(ref Utf8JsonReader reader, string name, string where) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new InvalidRequestException($"Parameter '{name}' of {where} must be true or false; it is {Describe(ref reader)}.", ErrorCodes.BadParameter),
    };

    /// <summary>A value for an error message: a short number or string as written, otherwise its kind.</summary>
    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.ValueSpan.Length <= 32 => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.Number => "a number out of range",
        JsonTokenType.String => "a string",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString().ToLowerInvariant(),
    };

    private static InvalidRequestException Invalid(string message) => new(message, ErrorCodes.InvalidTensor);
}
