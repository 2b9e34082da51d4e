using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MobileViT.Inference.Sources;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Sources;

/// <summary>
/// hf: sources against a real local HTTP server with the hub's URL layout, serving the shared fixture directory; with
/// OnnxFile set, its PyTorch export (a graph this code did not build) is served as it is (the repository's weights are
/// covered by <see cref="HuggingFaceWeightsTests"/>).
/// </summary>
public sealed class HuggingFaceSourceTests : IAsyncLifetime
{
    private const string Repository = "test/mobilevit-xxs-seed7";
    private FakeHuggingFaceHub _hub = null!;
    private readonly string _cache = Directory.CreateTempSubdirectory("mobilevit-cache-").FullName;

    public async Task InitializeAsync()
    {
        _hub = await FakeHuggingFaceHub.StartAsync();
        _hub.Repositories[Repository] = SharedFixtures.MobileViTXxsSeed7;
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        Directory.Delete(_cache, recursive: true);
    }

    private Dictionary<string, string> Settings(string source = "hf:" + Repository, string? endpoint = null) => new(RunningService.SmallModel("hub", source))
    {
        ["MobileViT:Models:0:OnnxFile"] = "onnx/model.onnx",
        ["MobileViT:HuggingFace:Endpoint"] = endpoint ?? _hub.Endpoint,
        ["MobileViT:HuggingFace:CacheDirectory"] = _cache,
        ["MobileViT:HuggingFace:Token"] = "hf_test_token",
    };

    [Fact]
    public async Task Downloads_into_the_cache_serves_the_real_model_and_reuses_the_cache_without_the_hub()
    {
        await using (var service = await RunningService.StartAsync(Settings()))
        {
            var model = await service.Client.GetFromJsonAsync<JsonElement>("v1/models/hub");
            Assert.False(model.GetProperty("synthetic").GetBoolean());
            Assert.Equal("hf:" + Repository, model.GetProperty("origin").GetString());

            var content = new ByteArrayContent(TestImages.SharedJpeg());
            content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            using var response = await service.Client.PostAsync("v1/classify", content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("synthetic").GetBoolean());
        }

        var requested = _hub.Requests.Select(r => r.Path).ToList();
        Assert.Equal(3, requested.Count);
        Assert.Contains($"/{Repository}/resolve/main/onnx/model.onnx", requested);
        Assert.All(_hub.Requests, r => Assert.Equal("Bearer hf_test_token", r.Authorization));
        var cached = Path.Combine(_cache, "models--test--mobilevit-xxs-seed7", "main");
        Assert.Equal(File.ReadAllBytes(Path.Combine(SharedFixtures.MobileViTXxsSeed7, "onnx", "model.onnx")), File.ReadAllBytes(Path.Combine(cached, "onnx", "model.onnx")));
        Assert.Empty(Directory.GetFiles(_cache, "*.partial", SearchOption.AllDirectories));

        // Second start: the hub is unreachable, the cache serves.
        await using var offline = await RunningService.StartAsync(Settings(endpoint: "http://127.0.0.1:9"));
        Assert.True(offline.Registry.IsReady);
        Assert.False(offline.Registry.Loaded.Single().Synthetic);
    }

    [Fact]
    public async Task The_onnx_file_is_selectable()
    {
        _hub.Aliases["onnx/model_quantized.onnx"] = "onnx/model.onnx";
        var settings = Settings();
        settings["MobileViT:Models:0:OnnxFile"] = "onnx/model_quantized.onnx";

        await using var service = await RunningService.StartAsync(settings);

        Assert.Contains(_hub.Requests, r => r.Path.EndsWith("/onnx/model_quantized.onnx", StringComparison.Ordinal));
        Assert.DoesNotContain(_hub.Requests, r => r.Path.EndsWith("/onnx/model.onnx", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Offline_and_not_cached_fails_startup_in_production_with_a_clear_error()
    {
        var app = RunningService.Build(Settings(endpoint: "http://127.0.0.1:9"), "Production");
        await app.StartAsync();
        var registry = app.Services.GetRequiredService<MobileViT.Inference.Models.ModelRegistry>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => registry.WhenAllLoaded.WaitAsync(TimeSpan.FromMinutes(1)));

        Assert.Contains("Could not reach http://127.0.0.1:9", error.Message);
        Assert.Contains("not cached", error.Message);
        Assert.True(registry.AnyFailed);
        await app.WaitForShutdownAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Offline_in_development_falls_back_to_synthetic_s_and_says_so()
    {
        await using var service = await RunningService.StartAsync(Settings(endpoint: "http://127.0.0.1:9"), "Development");

        var model = await service.Client.GetFromJsonAsync<JsonElement>("v1/models/hub");
        Assert.True(model.GetProperty("synthetic").GetBoolean());
        Assert.Contains("synthetic:s", model.GetProperty("origin").GetString());
        Assert.Contains("fallback", model.GetProperty("origin").GetString());
    }

    [Fact]
    public async Task A_missing_repository_and_an_interrupted_download_are_clear_errors_that_leave_no_file_behind()
    {
        using var http = new HttpClient();
        var client = new HuggingFaceHubClient(http, new HuggingFaceHubSettings(_hub.Endpoint, null, _cache), NullLogger<HuggingFaceHubClient>.Instance);

        var missing = await Assert.ThrowsAsync<ModelSourceException>(() => client.EnsureFilesAsync("test/absent", "main", ["config.json"], default));
        Assert.Contains("404", missing.Message);

        _hub.Truncated.Add("onnx/model.onnx");
        await Assert.ThrowsAsync<ModelSourceException>(() => client.EnsureFilesAsync(Repository, "main", ["onnx/model.onnx"], default));
        Assert.False(File.Exists(Path.Combine(client.CacheDirectoryFor(Repository, "main"), "onnx", "model.onnx")));
        Assert.Empty(Directory.GetFiles(_cache, "*.partial", SearchOption.AllDirectories));
    }
}
