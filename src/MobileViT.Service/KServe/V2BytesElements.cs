using System.Buffers.Binary;
using System.Text;
using MobileViT.Inference.Limits;
using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>The binary form of a BYTES tensor (gRPC raw contents, REST binary data): each element is a 4-byte little-endian length followed by that many bytes.</summary>
public static class V2BytesElements
{
    /// <summary>
    /// Slices of <paramref name="raw"/>, one per element; no copy. At most <paramref name="maxElements"/> elements of at
    /// most <paramref name="maxElementBytes"/> each (so zero-length elements cannot make a list larger than the data).
    /// </summary>
    public static List<ReadOnlyMemory<byte>> Split(string name, ReadOnlyMemory<byte> raw, long maxElements, long maxElementBytes)
    {
        var elements = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        name = ClientText.Excerpt(name);
        while (offset < raw.Length)
        {
            if (raw.Length - offset < 4)
                throw new InvalidRequestException($"The binary data of BYTES input '{name}' ends inside an element's 4-byte length prefix.", "invalid-tensor");
            if (elements.Count == maxElements)
                throw new InvalidRequestException($"The binary data of BYTES input '{name}' has more elements than its shape declares ({maxElements}).", "invalid-tensor");
            var length = BinaryPrimitives.ReadUInt32LittleEndian(raw.Span.Slice(offset, 4));
            offset += 4;
            if (length > raw.Length - offset)
                throw new InvalidRequestException($"The binary data of BYTES input '{name}' declares an element of {length} bytes but only {raw.Length - offset} remain.", "invalid-tensor");
            if (length > maxElementBytes)
            {
                throw new RequestTooLargeException(
                    $"Element {elements.Count} of BYTES input '{name}' is {length} bytes, over the limit of {maxElementBytes} per image (MobileViT__Limits__MaxImageBytes).");
            }
            elements.Add(raw.Slice(offset, (int)length));
            offset += (int)length;
        }
        return elements;
    }

    /// <summary>UTF-8 strings as length-prefixed elements.</summary>
    public static byte[] Join(IReadOnlyList<string> elements)
    {
        var total = elements.Sum(e => 4 + Encoding.UTF8.GetByteCount(e));
        var bytes = new byte[total];
        var offset = 0;
        foreach (var element in elements)
        {
            var length = Encoding.UTF8.GetBytes(element, bytes.AsSpan(offset + 4));
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset, 4), (uint)length);
            offset += 4 + length;
        }
        return bytes;
    }
}
