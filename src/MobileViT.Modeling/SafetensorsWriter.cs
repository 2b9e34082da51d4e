using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using MobileViT.Modeling.IO;

namespace MobileViT.Modeling;

/// <summary>Writes float32 tensors as a safetensors file (names in ordinal order), the format <see cref="SafetensorsReader"/> reads.</summary>
internal static class SafetensorsWriter
{
    public static void Write(string path, IReadOnlyDictionary<string, FloatTensor> tensors)
    {
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var name in names)
        {
            var bytes = (long)tensors[name].Data.Length * sizeof(float);
            header[name] = new { dtype = "F32", shape = tensors[name].Shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8; // the format pads the header with spaces to keep the data 8-byte aligned
        var content = new byte[8 + padded + offset];
        BitConverter.GetBytes((long)padded).CopyTo(content, 0);
        json.CopyTo(content, 8);
        content.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        var position = 8 + padded;
        foreach (var name in names)
        {
            var data = MemoryMarshal.AsBytes(tensors[name].Data.AsSpan());
            data.CopyTo(content.AsSpan(position));
            position += data.Length;
        }
        AtomicFile.WriteAllBytes(path, content);
    }
}
