using System.Buffers.Binary;
using System.Text;
using MobileViT.Inference.Limits;
using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>The binary form of a BYTES tensor (gRPC raw contents, REST binary data): each element is a 4-byte little-endian length followed by that many bytes.</summary>
internal static class V2BytesElements
{
    /// <summary>
    /// Slices of <paramref name="raw"/>, one per element; no copy. At most <paramref name="maxElements"/> elements of at
    /// most <paramref name="maxElementBytes"/> each (so zero-length elements cannot make a list larger than the data).
    /// </summary>
    public static List<ReadOnlyMemory<byte>> Split(string name, ReadOnlyMemory<byte> raw, long maxElements, long maxElementBytes)
    {
        var elements = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        while (offset < raw.Length)
        {
            CheckRoomForElement(name, raw.Length - offset, elements.Count, maxElements);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(raw.Span.Slice(offset, 4));
            offset += 4;
            CheckElementLength(name, elements.Count, length, raw.Length - offset, maxElementBytes);
            elements.Add(raw.Slice(offset, (int)length));
            offset += (int)length;
        }
        return elements;
    }

    /// <summary>Before element <paramref name="index"/>'s length prefix: <paramref name="remaining"/> bytes must hold the prefix, and the shape one more element.</summary>
    public static void CheckRoomForElement(string name, long remaining, int index, long maxElements)
    {
        if (remaining < 4)
            throw new InvalidRequestException($"The binary data of BYTES input '{ClientText.Excerpt(name)}' ends inside an element's 4-byte length prefix.", ErrorCodes.InvalidTensor);
        if (index == maxElements)
            throw new InvalidRequestException($"The binary data of BYTES input '{ClientText.Excerpt(name)}' has more elements than its shape declares ({maxElements}).", ErrorCodes.InvalidTensor);
    }

    /// <summary>An element's declared <paramref name="length"/> against the <paramref name="remaining"/> bytes after its prefix and the per-image limit.</summary>
    public static void CheckElementLength(string name, int index, uint length, long remaining, long maxElementBytes)
    {
        if (length > remaining)
        {
            throw new InvalidRequestException(
                $"The binary data of BYTES input '{ClientText.Excerpt(name)}' declares an element of {length} bytes but only {remaining} remain.", ErrorCodes.InvalidTensor);
        }
        if (length > maxElementBytes)
        {
            throw new RequestTooLargeException(
                $"Element {index} of BYTES input '{ClientText.Excerpt(name)}' is {length} bytes, over the limit of {maxElementBytes} per image (MobileViT__Limits__MaxImageBytes).");
        }
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
