using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MobileViT.Service.Tests.KServe;

/// <summary>
/// A client's side of Triton's binary tensor data extension, written from the protocol text: a JSON header, its
/// length in <c>Inference-Header-Content-Length</c>, then the tensors' bytes.
/// </summary>
public static class BinaryTensorBody
{
    public const string HeaderLength = "Inference-Header-Content-Length";

    public static ByteArrayContent Content(object header, params byte[][] tensors)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        var content = new ByteArrayContent([.. json, .. tensors.SelectMany(t => t)]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add(HeaderLength, json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return content;
    }

    public static byte[] Floats(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>BYTES elements: each a 4-byte little-endian length and the bytes.</summary>
    public static byte[] Elements(params byte[][] elements)
    {
        var bytes = new List<byte>();
        foreach (var element in elements)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)element.Length);
            bytes.AddRange(length);
            bytes.AddRange(element);
        }
        return bytes.ToArray();
    }

    public static List<string> ReadElements(ReadOnlySpan<byte> bytes)
    {
        var elements = new List<string>();
        while (bytes.Length > 0)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes);
            elements.Add(Encoding.UTF8.GetString(bytes.Slice(4, length)));
            bytes = bytes[(4 + length)..];
        }
        return elements;
    }

    /// <summary>Splits a response into its JSON header and the binary part after it.</summary>
    public static async Task<(JsonNode Header, byte[] Binary)> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        var length = int.Parse(response.Headers.GetValues(HeaderLength).Single(), System.Globalization.CultureInfo.InvariantCulture);
        return (JsonNode.Parse(body.AsSpan(0, length))!, body[length..]);
    }
}
