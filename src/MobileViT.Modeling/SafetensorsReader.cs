using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace MobileViT.Modeling;

/// <summary>
/// Reads float32 tensors from a safetensors file: an 8-byte little-endian header length, a JSON header mapping names
/// to dtype, shape and data offsets (relative to the end of the header), then the raw little-endian data.
/// Each tensor is read straight into its own array; the file is never loaded whole.
/// </summary>
internal static class SafetensorsReader
{
    private const long MaxHeaderBytes = 100 * 1024 * 1024;

    public static IReadOnlyDictionary<string, FloatTensor> ReadAll(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        var fileLength = RandomAccess.GetLength(handle);

        Span<byte> lengthBytes = stackalloc byte[8];
        ReadExactly(handle, lengthBytes, 0, path);
        var headerLength = BitConverter.ToInt64(lengthBytes); // safetensors is little-endian; so is every .NET target we run on
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > fileLength)
            throw new InvalidDataException($"{path}: invalid safetensors header length {headerLength}.");

        var header = new byte[headerLength];
        ReadExactly(handle, header, 8, path);
        var dataStart = 8 + headerLength;

        var tensors = new Dictionary<string, FloatTensor>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(header);
        foreach (var entry in document.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
                continue;
            var dtype = entry.Value.GetProperty("dtype").GetString();
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => checked((int)d.GetInt64())).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || dataStart + offsets[1] > fileLength)
                throw new InvalidDataException($"{path}: tensor '{entry.Name}' has invalid data offsets.");
            if (dtype != "F32")
            {
                if (entry.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                    continue; // a PyTorch BatchNorm counter, irrelevant for inference
                throw new InvalidDataException($"{path}: tensor '{entry.Name}' is {dtype}; only F32 is supported.");
            }

            var count = shape.Aggregate(1L, (n, d) => n * d);
            if (count * sizeof(float) != offsets[1] - offsets[0])
                throw new InvalidDataException($"{path}: tensor '{entry.Name}' size does not match its shape.");
            var data = new float[count];
            ReadExactly(handle, MemoryMarshal.AsBytes(data.AsSpan()), dataStart + offsets[0], path);
            tensors.Add(entry.Name, new FloatTensor(shape, data));
        }
        return tensors;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(handle, buffer, offset);
            if (read <= 0)
                throw new InvalidDataException($"{path}: unexpected end of file.");
            buffer = buffer[read..];
            offset += read;
        }
    }
}
