using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Text.Json;
using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>
/// Reads a REST V2 inference body: plain JSON, or (Triton's binary tensor data extension) a JSON header of
/// <c>Inference-Header-Content-Length</c> bytes followed by the tensors whose inputs declare
/// <c>parameters.binary_data_size</c>, in input order. Binary FP32 data is copied from the request's pipe straight
/// into a pooled float buffer and BYTES data into a pooled byte buffer that the elements slice: no base64, no number
/// parsing.
/// </summary>
internal static class V2RestBodyReader
{
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    public static async ValueTask<V2RestRequest> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var headerLength = HeaderLength(request);
        if (headerLength is null)
        {
            var json = await RequestBodyErrors.GuardAsync(
                () => Parse(() => JsonSerializer.DeserializeAsync<V2InferRequestJson>(request.Body, JsonSerializerOptions.Web, cancellationToken)), limit);
            return Translate(json, (_, _) => throw new InvalidRequestException(
                $"An input declares 'binary_data_size' but the request has no {HeaderLengthHeader} header.", "bad-binary-data"), null);
        }

        var buffers = new PooledBuffers();
        try
        {
            var reader = request.BodyReader;
            var header = await RequestBodyErrors.GuardAsync(() => ReadHeaderAsync(reader, headerLength.Value, cancellationToken), limit);
            var binary = new List<(V2InputJson Input, long Size)>();
            var translated = Translate(header, (input, size) => binary.Add((input, size)), buffers);
            var declared = headerLength.Value + binary.Sum(b => b.Size);
            if (request.ContentLength is { } contentLength && contentLength != declared)
                throw new InvalidRequestException($"Content-Length is {contentLength} bytes but the JSON header ({headerLength}) and the inputs' binary_data_size add up to {declared}.", "bad-binary-data");

            var inputs = new List<V2InputTensor>(translated.Inputs.Count);
            var next = 0;
            foreach (var tensor in translated.Inputs)
            {
                if (next < binary.Count && ReferenceEquals(tensor, Placeholder))
                {
                    var (input, size) = binary[next++];
                    inputs.Add(await RequestBodyErrors.GuardAsync(() => ReadBinaryAsync(reader, input, size, buffers, cancellationToken), limit));
                }
                else
                {
                    inputs.Add(tensor);
                }
            }
            await RequestBodyErrors.GuardAsync(() => RequireEndAsync(reader, cancellationToken), limit);
            return translated with { Inputs = inputs };
        }
        catch
        {
            buffers.Dispose();
            throw;
        }
    }

    private static long? HeaderLength(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(HeaderLengthHeader, out var values))
            return null;
        if (values.Count != 1 || !long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length < 2)
            throw new InvalidRequestException($"{HeaderLengthHeader} must be the JSON header's length in bytes, a positive integer; it is '{values}'.", "bad-binary-data");
        if (request.ContentLength is { } total && length > total)
            throw new InvalidRequestException($"{HeaderLengthHeader} is {length} bytes, more than the whole body ({total}).", "bad-binary-data");
        if (length > int.MaxValue)
            throw new InvalidRequestException($"{HeaderLengthHeader} is too large ({length}).", "bad-binary-data");
        return length;
    }

    private static async ValueTask<V2InferRequestJson?> ReadHeaderAsync(PipeReader reader, long length, CancellationToken cancellationToken)
    {
        var bytes = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            await CopyAsync(reader, length, (chunk, offset) => chunk.CopyTo(bytes.AsSpan(offset)),
                read => $"The body ends after {read} bytes, inside the {length}-byte JSON header ({HeaderLengthHeader}).", cancellationToken);
            return await Parse(() => ValueTask.FromResult(JsonSerializer.Deserialize<V2InferRequestJson>(bytes.AsSpan(0, (int)length), JsonSerializerOptions.Web)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static async ValueTask<V2InputTensor> ReadBinaryAsync(PipeReader reader, V2InputJson input, long size, PooledBuffers buffers, CancellationToken cancellationToken)
    {
        string EndedEarly(long read) => $"The body ends {read} bytes into the binary data of input '{input.Name}', which declares binary_data_size {size}.";
        if (size > int.MaxValue)
            throw new InvalidRequestException($"Input '{input.Name}': binary_data_size {size} is too large.", "bad-binary-data");
        if (input.Datatype == V2ModelMetadata.Fp32)
        {
            if (size % sizeof(float) != 0)
                throw new InvalidRequestException($"Input '{input.Name}' is FP32 but its binary_data_size ({size}) is not a multiple of 4.", "bad-binary-data");
            if (!BitConverter.IsLittleEndian)
                throw new InvalidRequestException("Binary FP32 data needs a little-endian server.", "bad-binary-data");
            var count = (int)(size / sizeof(float));
            var floats = buffers.RentFloats(count);
            await CopyAsync(reader, size, (chunk, offset) => chunk.CopyTo(MemoryMarshal.AsBytes(floats.AsSpan(0, count))[offset..]), EndedEarly, cancellationToken);
            return new V2InputTensor(input.Name!, input.Datatype, input.Shape!, floats.AsMemory(0, count), []);
        }
        var bytes = buffers.RentBytes((int)size);
        await CopyAsync(reader, size, (chunk, offset) => chunk.CopyTo(bytes.AsSpan(offset)), EndedEarly, cancellationToken);
        var elements = input.Datatype == V2ModelMetadata.BytesType ? V2BytesElements.Split(input.Name!, bytes.AsMemory(0, (int)size)) : [];
        return new V2InputTensor(input.Name!, input.Datatype!, input.Shape!, default, elements);
    }

    private delegate void CopyChunk(ReadOnlySequence<byte> chunk, int offset);

    /// <summary>Copies exactly <paramref name="count"/> bytes from the pipe, chunk by chunk as they arrive.</summary>
    private static async ValueTask CopyAsync(PipeReader reader, long count, CopyChunk copy, Func<long, string> endedEarly, CancellationToken cancellationToken)
    {
        long done = 0;
        while (done < count)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var take = Math.Min(buffer.Length, count - done);
            copy(buffer.Slice(0, take), (int)done);
            reader.AdvanceTo(buffer.GetPosition(take));
            done += take;
            if (done < count && result.IsCompleted)
                throw new InvalidRequestException(endedEarly(done), "bad-binary-data");
        }
    }

    private static async ValueTask<bool> RequireEndAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAsync(cancellationToken);
        var extra = result.Buffer.Length;
        reader.AdvanceTo(result.Buffer.End);
        if (extra > 0)
            throw new InvalidRequestException("The body goes on after the last binary tensor; every input's binary_data_size must add up to the body.", "bad-binary-data");
        return true;
    }

    private static async ValueTask<V2InferRequestJson?> Parse(Func<ValueTask<V2InferRequestJson?>> parse)
    {
        try
        {
            return await parse();
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"The body is not a V2 inference request: {e.Message}", "invalid-tensor");
        }
    }

    /// <summary>Stands in for an input whose data follows the JSON header until it is read.</summary>
    private static readonly V2InputTensor Placeholder = new("", "", [], default, []);

    private static V2RestRequest Translate(V2InferRequestJson? request, Action<V2InputJson, long> binaryInput, IDisposable? owner)
    {
        if (request?.Inputs is null)
            throw new InvalidRequestException("The body needs 'inputs'.", "invalid-tensor");
        var inputs = request.Inputs.Select(input =>
        {
            if (Integer(input.Parameters, "binary_data_size", $"input '{input.Name}'") is not { } size)
                return V2JsonTensorReader.Read(input);
            if (string.IsNullOrEmpty(input.Name) || string.IsNullOrEmpty(input.Datatype) || input.Shape is null)
                throw new InvalidRequestException("Every input needs 'name', 'shape' and 'datatype'.", "invalid-tensor");
            if (size < 0)
                throw new InvalidRequestException($"Input '{input.Name}': binary_data_size must not be negative (was {size}).", "bad-binary-data");
            if (input.Data.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
                throw new InvalidRequestException($"Input '{input.Name}' has both 'data' and binary_data_size; send one.", "bad-binary-data");
            binaryInput(input, size);
            return Placeholder;
        }).ToList();
        var allBinary = Boolean(request.Parameters, "binary_data_output", "the request") ?? false;
        var outputs = (request.Outputs ?? []).Select(output =>
        {
            var where = $"output '{output.Name}'";
            var classification = Integer(output.Parameters, "classification", where);
            return new V2RequestedOutput(output.Name ?? "", classification is { } c ? (int)Math.Clamp(c, int.MinValue, int.MaxValue) : null,
                Boolean(output.Parameters, "binary_data", where) ?? allBinary);
        }).ToList();
        var timeout = Integer(request.Parameters, "timeout", "the request");
        var priority = Integer(request.Parameters, V2Inference.PriorityParameter, "the request");
        return new V2RestRequest(request.Id, inputs, outputs, allBinary, timeout, priority, owner);
    }

    private static long? Integer(Dictionary<string, JsonElement>? parameters, string name, string where)
    {
        if (parameters is null || !parameters.TryGetValue(name, out var value))
            return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw new InvalidRequestException($"Parameter '{name}' of {where} must be an integer; it is {value.GetRawText()}.", "bad-parameter");
    }

    private static bool? Boolean(Dictionary<string, JsonElement>? parameters, string name, string where)
    {
        if (parameters is null || !parameters.TryGetValue(name, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidRequestException($"Parameter '{name}' of {where} must be true or false; it is {value.GetRawText()}.", "bad-parameter"),
        };
    }

    /// <summary>The pooled arrays one request's binary tensors were read into; returned when the request ends.</summary>
    private sealed class PooledBuffers : IDisposable
    {
        private readonly List<float[]> _floats = [];
        private readonly List<byte[]> _bytes = [];

        public float[] RentFloats(int count)
        {
            var array = ArrayPool<float>.Shared.Rent(count);
            _floats.Add(array);
            return array;
        }

        public byte[] RentBytes(int count)
        {
            var array = ArrayPool<byte>.Shared.Rent(count);
            _bytes.Add(array);
            return array;
        }

        public void Dispose()
        {
            foreach (var array in _floats)
                ArrayPool<float>.Shared.Return(array);
            foreach (var array in _bytes)
                ArrayPool<byte>.Shared.Return(array);
            _floats.Clear();
            _bytes.Clear();
        }
    }
}
