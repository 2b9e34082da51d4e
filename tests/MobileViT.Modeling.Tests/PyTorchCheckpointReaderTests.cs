using System.IO.Compression;
using System.Text;

namespace MobileViT.Modeling.Tests;

/// <summary>
/// The restricted reader of PyTorch zip checkpoints, against ../shared's pytorch_model.bin (written by PyTorch's own
/// torch.save) and against hand-made checkpoints whose pickles carry other objects.
/// </summary>
public sealed class PyTorchCheckpointReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Fixture(string name) => Path.Combine(SharedFixtures.MobileViTXxsSeed7, name);

    [Fact]
    public void SharedFixture_PytorchModelBin_HoldsExactlyTheSafetensorsTensors()
    {
        var fromBin = PyTorchCheckpointReader.ReadAll(Fixture("pytorch_model.bin"));
        var fromSafetensors = SafetensorsReader.ReadAll(Fixture("model.safetensors"));

        Assert.Equal(fromSafetensors.Keys.Order(StringComparer.Ordinal), fromBin.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in fromSafetensors)
        {
            Assert.Equal(tensor.Shape, fromBin[name].Shape);
            Assert.Equal(tensor.Data, fromBin[name].Data);
        }
    }

    [Fact]
    public void SharedFixture_BuiltFromPytorchModelBin_ReproducesTheProbeLogits_AsXxs()
    {
        var (variant, model) = MobileViTModelFactory.BuildFromWeightsFile(Fixture("pytorch_model.bin"));
        var input = SharedFixtures.ReadFloats(Fixture("probe_input.f32"));
        var expected = SharedFixtures.ReadFloats(Fixture("probe_logits.f32"));

        Assert.Equal(MobileViTVariant.Xxs, variant);
        Assert.True(OnnxTestRunner.MaxAbsDifference(expected, OnnxTestRunner.RunLogits(model, input, batch: 2)) < 1e-3f);
    }

    public static TheoryData<string, byte[], string> HostilePickles => new()
    {
        // cposix\nsystem\n (S'echo pwned' tR: the classic payload.
        { "os.system", Pickle("cposix\nsystem\n", Unicode("echo pwned"), "\u0085R."), "the global posix.system" },
        { "builtins.eval", Pickle("cbuiltins\neval\n", Unicode("1+1"), "\u0085R."), "the global builtins.eval" },
        // {'weight': 'not a tensor'}
        { "a string value", Pickle("}", Unicode("weight"), Unicode("not a tensor"), "s."), "not a named tensor" },
        // {'weight': OrderedDict(...)} built by REDUCE of an allowed global with an argument it does not take
        { "OrderedDict with arguments", Pickle("}", Unicode("weight"), "ccollections\nOrderedDict\n", Unicode("x"), "\u0085Rs."), "a call of collections.OrderedDict" },
        // a persistent id that is not a storage
        { "a foreign persistent id", Pickle("}", Unicode("weight"), Unicode("file"), "\u0085Qs."), "a persistent id that is not a tensor storage" },
        // an opcode outside the state-dict subset: INST (old-style instance creation)
        { "INST", Pickle("(isubprocess\nPopen\n."), "pickle opcode 0x69" },
    };

    [Theory]
    [MemberData(nameof(HostilePickles))]
    public void A_checkpoint_carrying_any_other_pickled_object_is_refused_with_a_clear_error(string what, byte[] pickle, string expected)
    {
        var path = WriteCheckpoint(pickle);

        var error = Assert.Throws<InvalidDataException>(() => PyTorchCheckpointReader.ReadAll(path));

        Assert.Contains(expected, error.Message);
        Assert.Contains(what == "a string value" ? "only tensors are accepted" : "refused", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_zip_checkpoint_is_a_clear_error()
    {
        var path = Path.Combine(_directory, "legacy.bin");
        File.WriteAllBytes(path, [0x80, 0x02, 0x8a, 0x0a]);

        var error = Assert.Throws<InvalidDataException>(() => PyTorchCheckpointReader.ReadAll(path));

        Assert.Contains("not a PyTorch zip checkpoint", error.Message);
    }

    [Fact]
    public void A_tensor_reaching_outside_its_storage_is_refused()
    {
        // {'w': _rebuild_tensor_v2(('storage', torch.FloatStorage, '0', 'cpu', 4), 0, (8,), (1,), False, OrderedDict())}
        var pickle = Pickle("}", Unicode("w"), "ctorch._utils\n_rebuild_tensor_v2\n((", Unicode("storage"), "ctorch\nFloatStorage\n",
            Unicode("0"), Unicode("cpu"), "K\u0004tQK\u0000K\u0008\u0085K\u0001\u0085\u0089ccollections\nOrderedDict\n)RtRs.");
        var path = WriteCheckpoint(pickle, new byte[16]);

        var error = Assert.Throws<InvalidDataException>(() => PyTorchCheckpointReader.ReadAll(path));

        Assert.Contains("reaches outside its storage", error.Message);
    }

    private string WriteCheckpoint(byte[] pickle, byte[]? storage0 = null)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".bin");
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var stream = archive.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open())
            stream.Write(pickle);
        if (storage0 is not null)
        {
            using var stream = archive.CreateEntry("archive/data/0", CompressionLevel.NoCompression).Open();
            stream.Write(storage0);
        }
        return path;
    }

    /// <summary>A protocol-2 pickle from opcode text (Latin-1) and pre-encoded pieces.</summary>
    private static byte[] Pickle(params object[] parts)
    {
        var bytes = new List<byte> { 0x80, 0x02 };
        foreach (var part in parts)
            bytes.AddRange(part as byte[] ?? Encoding.Latin1.GetBytes((string)part));
        return bytes.ToArray();
    }

    /// <summary>BINUNICODE: 'X', 4-byte little-endian length, UTF-8.</summary>
    private static byte[] Unicode(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        return [(byte)'X', .. BitConverter.GetBytes(utf8.Length), .. utf8];
    }
}
