using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Pipelines;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Limits;
using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>
/// Reads a REST V2 inference body: plain JSON, or (Triton's binary tensor data extension) a JSON header of
/// <c>Inference-Header-Content-Length</c> bytes followed by the tensors whose inputs declare
/// <c>parameters.binary_data_size</c>, in input order. No declared size is trusted: every length is checked against
/// the limits (overflow-safe) before anything is read, and the bytes are kept in <see cref="RequestBuffer"/>s that grow
/// as they arrive, reserved on the request memory budget first. Binary FP32 data goes from the request's pipe into a
/// float array, each BYTES element (an image) into a buffer of its own: no base64, no number parsing, and no block that
/// holds a whole tensor twice.
/// </summary>
internal static class V2RestBodyReader
{
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    public static async ValueTask<V2RestRequest> ReadAsync(HttpRequest request, ImageLimitsOptions limits, CancellationToken cancellationToken)
    {
        var bodyLimit = limits.MaxRequestBodyBytes;
        if (request.ContentLength is { } declared && declared > bodyLimit)
            throw TooLarge($"Content-Length is {declared} bytes", bodyLimit);
        request.LimitBody(bodyLimit);
        var headerLength = HeaderLength(request, bodyLimit);
        var memory = new RequestMemory(request.LeaseMemory());
        try
        {
            var reader = request.BodyReader;
            if (headerLength is null)
            {
                var body = memory.Buffer();
                await ReadToEndAsync(reader, body, bodyLimit, cancellationToken);
                var json = body.ToMemory();
                var parsed = V2RestRequestParser.Parse(json.Span);
                if (parsed.Inputs.Any(i => i.BinaryDataSize is not null))
                    throw Bad($"An input declares 'binary_data_size' but the request has no {HeaderLengthHeader} header.");
                var tensors = parsed.Inputs.Select(i => V2JsonTensorReader.Read(i, json.Span, limits, memory.Lease)).ToList();
                // The tensors are copies: the body's bytes are not needed any more.
                memory.Free(body);
                return parsed.ToRequest(tensors, memory);
            }

            var header = memory.Buffer(headerLength.Value);
            await ReadExactAsync(reader, headerLength.Value, header,
                read => $"The body ends after {read} bytes, inside the {headerLength}-byte JSON header ({HeaderLengthHeader}).", cancellationToken);
            var headerJson = header.ToMemory();
            var declaredRequest = V2RestRequestParser.Parse(headerJson.Span);
            CheckBinarySizes(request, declaredRequest, headerLength.Value, limits);

            var inputs = new List<V2InputTensor>(declaredRequest.Inputs.Count);
            foreach (var input in declaredRequest.Inputs)
            {
                inputs.Add(input.BinaryDataSize is { } size
                    ? await ReadBinaryAsync(reader, input, size, limits, memory, cancellationToken)
                    : V2JsonTensorReader.Read(input, headerJson.Span, limits, memory.Lease));
            }
            await RequireEndAsync(reader, cancellationToken);
            memory.Free(header);
            return declaredRequest.ToRequest(inputs, memory);
        }
        catch (Exception e)
        {
            memory.Dispose();
            if (RequestBodyErrors.Translate(e, bodyLimit, cancellationToken) is { } translated)
                throw translated;
            throw;
        }
    }

    private static V2RestRequest ToRequest(this V2DeclaredRequest request, List<V2InputTensor> inputs, RequestMemory memory) =>
        new(request.Id, inputs, request.Outputs, request.BinaryOutputs, request.TimeoutMicroseconds, request.PriorityLevel, memory);

    private static long? HeaderLength(HttpRequest request, long bodyLimit)
    {
        if (!request.Headers.TryGetValue(HeaderLengthHeader, out var values))
            return null;
        if (values.Count != 1 || !long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length < 2)
            throw Bad($"{HeaderLengthHeader} must be the JSON header's length in bytes, a positive integer; it is '{ClientText.Excerpt(values.ToString())}'.");
        if (length > bodyLimit)
            throw TooLarge($"{HeaderLengthHeader} is {length} bytes", bodyLimit);
        if (request.ContentLength is { } total && length > total)
            throw Bad($"{HeaderLengthHeader} is {length} bytes, more than the whole body ({total}).");
        return length;
    }

    /// <summary>
    /// Every binary_data_size against its input's shape and datatype and the limits, and their sum (which cannot
    /// overflow: each is at most the body limit, and there are at most 16) against the body's length.
    /// </summary>
    private static void CheckBinarySizes(HttpRequest request, V2DeclaredRequest declared, long headerLength, ImageLimitsOptions limits)
    {
        var bodyLimit = limits.MaxRequestBodyBytes;
        var total = headerLength;
        foreach (var input in declared.Inputs)
        {
            if (input.BinaryDataSize is not { } size)
                continue;
            if (string.IsNullOrEmpty(input.Name) || string.IsNullOrEmpty(input.Datatype) || input.Shape is null)
                throw new InvalidRequestException("Every input needs 'name', 'shape' and 'datatype'.", ErrorCodes.InvalidTensor);
            var name = ClientText.Excerpt(input.Name);
            if (size < 0)
                throw Bad($"Input '{name}': binary_data_size must not be negative (was {size}).");
            if (size > bodyLimit)
                throw TooLarge($"Input '{name}' declares binary_data_size {size}", bodyLimit);
            if (input.Data is not null)
                throw Bad($"Input '{name}' has both 'data' and binary_data_size; send one.");
            if (input.Datatype == V2ModelMetadata.Fp32)
            {
                if (size % sizeof(float) != 0)
                    throw Bad($"Input '{name}' is FP32 but its binary_data_size ({size}) is not a multiple of 4.");
                var count = V2TensorShape.ElementCount(input.Name, input.Shape, bodyLimit / sizeof(float));
                if (size != count * sizeof(float))
                    throw Bad($"Input '{name}' is FP32 of shape {ClientText.Shape(input.Shape)}: its binary_data_size must be {count * sizeof(float)} ({count} x 4 bytes), not {size}.");
            }
            else if (input.Datatype == V2ModelMetadata.BytesType)
            {
                var count = V2TensorShape.ElementCount(input.Name, input.Shape, limits.MaxImagesPerRequest);
                if (size < count * 4)
                    throw Bad($"Input '{name}' is BYTES of {count} element(s): its binary_data_size ({size}) cannot hold their 4-byte length prefixes.");
                if (size > count * (4 + limits.MaxImageBytes))
                {
                    throw new RequestTooLargeException($"Input '{name}' declares binary_data_size {size} for {count} image(s), more than {count} of the largest " +
                        $"accepted ({limits.MaxImageBytes} bytes each, MobileViT__Limits__MaxImageBytes) take.");
                }
            }
            total += size;
            if (total > bodyLimit)
                throw TooLarge($"The JSON header and the inputs' binary_data_size add up to more than {bodyLimit} bytes", bodyLimit);
        }
        if (request.ContentLength is { } contentLength && contentLength != total)
            throw Bad($"Content-Length is {contentLength} bytes but the JSON header ({headerLength}) and the inputs' binary_data_size add up to {total}.");
    }

    private static async ValueTask<V2InputTensor> ReadBinaryAsync(PipeReader reader, V2DeclaredInput input, long size, ImageLimitsOptions limits,
        RequestMemory memory, CancellationToken cancellationToken)
    {
        var name = ClientText.Excerpt(input.Name);
        string EndedEarly(long read) => $"The body ends {read} bytes into the binary data of input '{name}', which declares binary_data_size {size}.";
        if (input.Datatype != V2ModelMetadata.Fp32 && input.Datatype != V2ModelMetadata.BytesType)
        {
            // No tensor of another datatype is ever used (the core names what it takes): its bytes are read past, not kept.
            await ReadExactAsync(reader, size, null, EndedEarly, cancellationToken);
            return new V2InputTensor(input.Name!, input.Datatype!, input.Shape!, default, []);
        }
        if (input.Datatype == V2ModelMetadata.Fp32)
        {
            if (!BitConverter.IsLittleEndian)
                throw Bad("Binary FP32 data needs a little-endian server.");
            var buffer = memory.Buffer(size);
            await ReadExactAsync(reader, size, buffer, EndedEarly, cancellationToken);
            return new V2InputTensor(input.Name!, input.Datatype, input.Shape!, buffer.ToFloats(), []);
        }

        // BYTES: element by element, each image in a buffer of its own, so that no block ever holds the whole tensor twice.
        var count = V2TensorShape.ElementCount(input.Name!, input.Shape!, limits.MaxImagesPerRequest);
        var elements = new List<ReadOnlyMemory<byte>>();
        var left = size;
        while (left > 0)
        {
            V2BytesElements.CheckRoomForElement(input.Name!, left, elements.Count, count);
            var length = await ReadLengthPrefixAsync(reader, () => EndedEarly(size - left), cancellationToken);
            left -= 4;
            V2BytesElements.CheckElementLength(input.Name!, elements.Count, length, left, limits.MaxImageBytes);
            var element = memory.Buffer(length);
            await ReadExactAsync(reader, length, element, read => EndedEarly(size - left + read), cancellationToken);
            elements.Add(element.ToMemory());
            left -= length;
        }
        return new V2InputTensor(input.Name!, input.Datatype, input.Shape!, default, elements);
    }

    private static async ValueTask<uint> ReadLengthPrefixAsync(PipeReader reader, Func<string> endedEarly, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAtLeastAsync(4, cancellationToken);
        var data = result.Buffer;
        if (data.Length < 4)
        {
            reader.AdvanceTo(data.Start, data.End);
            throw Bad(endedEarly());
        }
        Span<byte> prefix = stackalloc byte[4];
        data.Slice(0, 4).CopyTo(prefix);
        reader.AdvanceTo(data.GetPosition(4));
        return BinaryPrimitives.ReadUInt32LittleEndian(prefix);
    }

    /// <summary>Reads the whole body into <paramref name="buffer"/> as it arrives, refusing it as soon as it passes <paramref name="limit"/>.</summary>
    private static async ValueTask ReadToEndAsync(PipeReader reader, RequestBuffer buffer, long limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var data = result.Buffer;
            try
            {
                if (buffer.Length + data.Length > limit)
                    throw TooLarge("The body", limit);
                buffer.Write(data);
            }
            finally
            {
                reader.AdvanceTo(data.End);
            }
            if (result.IsCompleted)
                return;
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes as they arrive, into <paramref name="buffer"/> or (null) past them.</summary>
    private static async ValueTask ReadExactAsync(PipeReader reader, long count, RequestBuffer? buffer, Func<long, string> endedEarly, CancellationToken cancellationToken)
    {
        long done = 0;
        while (done < count)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var data = result.Buffer;
            var take = Math.Min(data.Length, count - done);
            try
            {
                buffer?.Write(data.Slice(0, take));
            }
            finally
            {
                reader.AdvanceTo(data.GetPosition(take));
            }
            done += take;
            if (done < count && result.IsCompleted)
                throw Bad(endedEarly(done));
        }
    }

    private static async ValueTask RequireEndAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        var result = await reader.ReadAsync(cancellationToken);
        var extra = result.Buffer.Length;
        reader.AdvanceTo(result.Buffer.End);
        if (extra > 0)
            throw Bad("The body goes on after the last binary tensor; every input's binary_data_size must add up to the body.");
    }

    private static InvalidRequestException Bad(string message) => new(message, ErrorCodes.BadBinaryData);

    private static RequestTooLargeException TooLarge(string what, long limit) =>
        new($"{what}, over the limit of {limit} bytes for a V2 request (MobileViT__Limits__MaxImageBytes x MaxImagesPerRequest, and 64 KiB for the JSON).");

    /// <summary>What one V2 request holds of the memory budget: its buffers, and the tensors reserved on its lease; disposed when the request ends.</summary>
    private sealed class RequestMemory(RequestMemoryLease lease) : IDisposable
    {
        private readonly List<RequestBuffer> _buffers = [];

        public RequestMemoryLease Lease => lease;

        public RequestBuffer Buffer(long expectedLength = 0)
        {
            var buffer = new RequestBuffer(lease, expectedLength);
            _buffers.Add(buffer);
            return buffer;
        }

        public void Free(RequestBuffer buffer)
        {
            buffer.Dispose();
            _buffers.Remove(buffer);
        }

        public void Dispose()
        {
            foreach (var buffer in _buffers)
                buffer.Dispose();
            _buffers.Clear();
            lease.Dispose();
        }
    }
}
