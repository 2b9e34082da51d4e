using System.Buffers.Binary;
using System.Text;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.KServe;

/// <summary>The binary form of a BYTES tensor (gRPC raw contents, REST binary data): each element is a 4-byte little-endian length followed by that many bytes.</summary>
internal static class V2BytesElements
{
    /// <summary>Slices of <paramref name="raw"/>, one per element; no copy.</summary>
    public static List<ReadOnlyMemory<byte>> Split(string name, ReadOnlyMemory<byte> raw)
    {
        var elements = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        while (offset < raw.Length)
        {
            if (raw.Length - offset < 4)
                throw new InvalidRequestException($"The binary data of BYTES input '{name}' ends inside an element's 4-byte length prefix.", "invalid-tensor");
            var length = BinaryPrimitives.ReadUInt32LittleEndian(raw.Span.Slice(offset, 4));
            offset += 4;
            if (length > raw.Length - offset)
                throw new InvalidRequestException($"The binary data of BYTES input '{name}' declares an element of {length} bytes but only {raw.Length - offset} remain.", "invalid-tensor");
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
