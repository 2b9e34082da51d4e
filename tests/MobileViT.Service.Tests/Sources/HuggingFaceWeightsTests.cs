using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MobileViT.Service.Tests.Infrastructure;
using MobileViT.Service.Tests.KServe;

namespace MobileViT.Service.Tests.Sources;

/// <summary>
/// hf: repositories that publish MobileViT weights are built by the service's own builder: a local fake hub serves the
/// shared fixture's weights as model.safetensors and as pytorch_model.bin (written by PyTorch's torch.save), and the
/// logits over KServe V2 REST match the fixture's reference logits. A pytorch_model.bin carrying any other pickled
/// object is refused.
/// </summary>
public sealed class HuggingFaceWeightsTests : IAsyncLifetime
{
    private FakeHuggingFaceHub _hub = null!;
    private readonly string _cache = Directory.CreateTempSubdirectory("mobilevit-cache-").FullName;
    private readonly string _repositories = Directory.CreateTempSubdirectory("fake-repos-").FullName;

    public async Task InitializeAsync() => _hub = await FakeHuggingFaceHub.StartAsync();

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        Directory.Delete(_cache, recursive: true);
        Directory.Delete(_repositories, recursive: true);
    }

    private Dictionary<string, string> Settings(string repository, string? endpoint = null) => new(RunningService.SmallModel("hub", "hf:" + repository))
    {
        ["MobileViT:HuggingFace:Endpoint"] = endpoint ?? _hub.Endpoint,
        ["MobileViT:HuggingFace:CacheDirectory"] = _cache,
    };

    /// <summary>A repository with the fixture's config files and the given files of the fixture (others answer 404).</summary>
    private string Repository(string name, params string[] fixtureFiles)
    {
        var directory = Path.Combine(_repositories, name);
        foreach (var file in new[] { "config.json", "preprocessor_config.json" }.Concat(fixtureFiles))
        {
            var target = Path.Combine(directory, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(SharedFixtures.MobileViTXxsSeed7, file), target);
        }
        _hub.Repositories["test/" + name] = directory;
        return "test/" + name;
    }

    private List<string> Requested(string repository) =>
        _hub.Requests.Select(r => r.Path).Where(p => p.StartsWith($"/{repository}/", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Safetensors_come_first_the_graph_is_built_from_them_and_reproduces_the_fixture_logits_also_offline_from_the_cache()
    {
        var repository = Repository("xxs-all", "model.safetensors", "pytorch_model.bin", "onnx/model.onnx");

        await using (var service = await RunningService.StartAsync(Settings(repository)))
        {
            var model = await service.Client.GetFromJsonAsync<JsonElement>("v1/models/hub");
            Assert.False(model.GetProperty("synthetic").GetBoolean());
            Assert.Equal($"hf:{repository} (built from model.safetensors)", model.GetProperty("origin").GetString());
            SharedFixtureModelService.AssertProbeLogits(await ProbeLogitsAsync(service));
        }
        Assert.Contains($"/{repository}/resolve/main/model.safetensors", Requested(repository));
        Assert.DoesNotContain(Requested(repository), p => p.EndsWith("pytorch_model.bin", StringComparison.Ordinal) || p.EndsWith(".onnx", StringComparison.Ordinal));

        await using var offline = await RunningService.StartAsync(Settings(repository, endpoint: "http://127.0.0.1:9"));
        Assert.Contains("built from model.safetensors", await OriginAsync(offline));
    }

    [Fact]
    public async Task Pytorch_model_bin_is_read_when_there_are_no_safetensors_and_reproduces_the_fixture_logits()
    {
        var repository = Repository("xxs-bin", "pytorch_model.bin");

        await using var service = await RunningService.StartAsync(Settings(repository));

        var model = await service.Client.GetFromJsonAsync<JsonElement>("v1/models/hub");
        Assert.Equal($"hf:{repository} (built from pytorch_model.bin)", model.GetProperty("origin").GetString());
        SharedFixtureModelService.AssertProbeLogits(await ProbeLogitsAsync(service));
        Assert.Equal(
            [$"/{repository}/resolve/main/config.json", $"/{repository}/resolve/main/preprocessor_config.json",
             $"/{repository}/resolve/main/model.safetensors", $"/{repository}/resolve/main/pytorch_model.bin"],
            Requested(repository));
    }

    [Fact]
    public async Task A_local_directory_with_weights_is_built_too_unless_OnnxFile_is_set()
    {
        var settings = new Dictionary<string, string>(RunningService.SmallModel("hub", SharedFixtures.MobileViTXxsSeed7));
        await using (var built = await RunningService.StartAsync(settings))
        {
            Assert.Equal($"{SharedFixtures.MobileViTXxsSeed7} (built from model.safetensors)", await OriginAsync(built));
            SharedFixtureModelService.AssertProbeLogits(await ProbeLogitsAsync(built));
        }

        settings["MobileViT:Models:0:OnnxFile"] = "onnx/model.onnx";
        await using var exported = await RunningService.StartAsync(settings);
        Assert.Equal(SharedFixtures.MobileViTXxsSeed7, await OriginAsync(exported));
    }

    [Fact]
    public async Task A_repository_without_weights_serves_its_onnx_file()
    {
        var repository = Repository("xxs-onnx", "onnx/model.onnx");

        await using var service = await RunningService.StartAsync(Settings(repository));

        Assert.Equal("hf:" + repository, await OriginAsync(service));
        Assert.Contains($"/{repository}/resolve/main/onnx/model.onnx", Requested(repository));
        SharedFixtureModelService.AssertProbeLogits(await ProbeLogitsAsync(service));
    }

    [Fact]
    public async Task A_pytorch_model_bin_carrying_another_pickled_object_fails_startup_with_a_clear_error()
    {
        var repository = Repository("hostile");
        WriteHostileCheckpoint(Path.Combine(_repositories, "hostile", "pytorch_model.bin"));

        var app = RunningService.Build(Settings(repository), "Production");
        await app.StartAsync();
        var registry = app.Services.GetRequiredService<MobileViT.Inference.Models.ModelRegistry>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => registry.WhenAllLoaded.WaitAsync(TimeSpan.FromMinutes(1)));

        Assert.Contains("pytorch_model.bin cannot be built", error.Message);
        Assert.Contains("refused to load: the global posix.system", error.Message);
        await app.WaitForShutdownAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await app.DisposeAsync();
    }

    private static async Task<string?> OriginAsync(RunningService service) =>
        (await service.Client.GetFromJsonAsync<JsonElement>("v1/models/hub")).GetProperty("origin").GetString();

    /// <summary>The fixture's probe input through KServe V2 REST: the model's logits.</summary>
    private static async Task<float[]> ProbeLogitsAsync(RunningService service)
    {
        var body = new { inputs = new[] { new { name = "pixel_values", shape = new[] { 2, 3, 256, 256 }, datatype = "FP32", data = SharedFixtureModelService.ProbeInput } } };
        using var response = await service.Client.PostAsJsonAsync("v2/models/hub/infer", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return json["outputs"]![0]!["data"]!.AsArray().Select(n => (float)n!).ToArray();
    }

    /// <summary>A zip checkpoint whose data.pkl is the classic payload: posix.system('echo pwned').</summary>
    private static void WriteHostileCheckpoint(string path)
    {
        var command = Encoding.UTF8.GetBytes("echo pwned");
        byte[] pickle = [0x80, 0x02, .. Encoding.ASCII.GetBytes("cposix\nsystem\n"), (byte)'X', .. BitConverter.GetBytes(command.Length), .. command, 0x85, (byte)'R', (byte)'.'];
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        using var stream = archive.CreateEntry("archive/data.pkl").Open();
        stream.Write(pickle);
    }
}
