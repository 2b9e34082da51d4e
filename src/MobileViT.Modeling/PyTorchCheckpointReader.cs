using System.IO.Compression;
using System.Runtime.InteropServices;

namespace MobileViT.Modeling;

/// <summary>
/// Reads float32 tensors from a PyTorch zip checkpoint (<c>torch.save(state_dict)</c>, as Hugging Face's
/// <c>pytorch_model.bin</c>): <c>ARCHIVE/data.pkl</c>, a pickle of a dict of tensors whose storages are persistent ids
/// naming <c>ARCHIVE/data/KEY</c> entries of raw little-endian data. The pickle is not executed: <see cref="RestrictedUnpickler"/>
/// interprets it and builds only dicts, tuples, strings, numbers and tensor records; any other object (a global other
/// than the storage types, <c>_rebuild_tensor_v2</c> and <c>OrderedDict</c>) is refused with an
/// <see cref="InvalidDataException"/> before anything is read from the storages.
/// </summary>
internal static class PyTorchCheckpointReader
{
    private const long MaxPickleBytes = 64L * 1024 * 1024;

    public static IReadOnlyDictionary<string, FloatTensor> ReadAll(string path)
    {
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path} is not a PyTorch zip checkpoint ({e.Message}); the legacy non-zip format (PyTorch < 1.6) is not supported.", e);
        }

        using (archive)
        {
            var pickleEntry = archive.Entries.SingleOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
                ?? throw new InvalidDataException($"{path}: no ARCHIVE/data.pkl entry; not a PyTorch zip checkpoint.");
            if (pickleEntry.Length > MaxPickleBytes)
                throw new InvalidDataException($"{path}: data.pkl is {pickleEntry.Length} bytes; more than a state dict needs.");
            var root = pickleEntry.FullName[..pickleEntry.FullName.IndexOf('/')];

            byte[] pickle;
            using (var stream = pickleEntry.Open())
            using (var buffer = new MemoryStream((int)pickleEntry.Length))
            {
                stream.CopyTo(buffer);
                pickle = buffer.ToArray();
            }

            var stateDict = RestrictedUnpickler.Load(pickle, path) as PickleDict
                ?? throw new InvalidDataException($"{path}: the pickle is not a dict of tensors.");

            var tensors = new Dictionary<string, FloatTensor>(StringComparer.Ordinal);
            foreach (var (key, value) in stateDict.Items)
            {
                if (key is not string name || value is not TensorRecord tensor)
                    throw new InvalidDataException($"{path}: entry '{key}' is not a named tensor; only tensors are accepted.");
                if (tensor.Storage.DataType != "FloatStorage")
                {
                    if (name.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                        continue; // a PyTorch BatchNorm counter, irrelevant for inference
                    throw new InvalidDataException($"{path}: tensor '{name}' is a {tensor.Storage.DataType}; only float32 is supported.");
                }
                tensors.Add(name, ReadTensor(archive, root, name, tensor, path));
            }
            return tensors;
        }
    }

    private static FloatTensor ReadTensor(ZipArchive archive, string root, string name, TensorRecord tensor, string path)
    {
        var storage = tensor.Storage;
        var entry = archive.GetEntry($"{root}/data/{storage.Key}")
            ?? throw new InvalidDataException($"{path}: tensor '{name}' names storage '{storage.Key}', which the archive lacks.");
        if (entry.Length != storage.ElementCount * sizeof(float))
            throw new InvalidDataException($"{path}: storage '{storage.Key}' has {entry.Length} bytes, not the {storage.ElementCount} floats its record declares.");

        var shape = tensor.Size.Select(d => checked((int)d)).ToArray();
        var count = shape.Aggregate(1L, (n, d) => n * d);
        // The furthest element the view touches must lie inside the storage.
        var last = tensor.Offset + tensor.Size.Zip(tensor.Stride, (size, stride) => size == 0 ? 0 : (size - 1) * stride).Sum();
        if (count > 0 && (tensor.Offset < 0 || tensor.Stride.Any(s => s < 0) || last >= storage.ElementCount))
            throw new InvalidDataException($"{path}: tensor '{name}' reaches outside its storage.");

        var data = new float[storage.ElementCount];
        using (var stream = entry.Open())
            stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("PyTorch checkpoints are read on little-endian machines only.");

        if (IsContiguous(tensor) && tensor.Offset == 0 && count == storage.ElementCount)
            return new FloatTensor(shape, data);
        var values = new float[count];
        var index = new long[shape.Length];
        for (long i = 0; i < count; i++)
        {
            long source = tensor.Offset;
            for (var d = 0; d < shape.Length; d++)
                source += index[d] * tensor.Stride[d];
            values[i] = data[source];
            for (var d = shape.Length - 1; d >= 0 && ++index[d] == shape[d]; d--)
                index[d] = 0;
        }
        return new FloatTensor(shape, values);
    }

    private static bool IsContiguous(TensorRecord tensor)
    {
        long expected = 1;
        for (var d = tensor.Size.Count - 1; d >= 0; d--)
        {
            if (tensor.Size[d] != 1 && tensor.Stride[d] != expected)
                return false;
            expected *= tensor.Size[d];
        }
        return true;
    }
}
