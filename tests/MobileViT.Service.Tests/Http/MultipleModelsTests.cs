using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Http;

/// <summary>
/// Two models side by side: the shared fixture's PyTorch export as a local directory (a graph this code did not build)
/// and the synthetic XXS, each with its own batcher; the second is the default.
/// </summary>
public sealed class MultipleModelsTests : IAsyncLifetime
{
    private RunningService _service = null!;

    public async Task InitializeAsync() => _service = await RunningService.StartAsync(new Dictionary<string, string>
    {
        ["MobileViT:Models:0:Name"] = "synthetic-xxs",
        ["MobileViT:Models:0:Source"] = "synthetic:xxs",
        ["MobileViT:Models:1:Name"] = "reference",
        ["MobileViT:Models:1:Source"] = SharedFixtures.MobileViTXxsSeed7,
        ["MobileViT:Models:1:OnnxFile"] = "onnx/model.onnx",
        ["MobileViT:DefaultModel"] = "reference",
        // The test counts the images each model ran: no start-up requests through the request path.
        ["MobileViT:WarmUp:RequestPath"] = "false",
        ["MobileViT:Batching:MaxBatchSize"] = "4",
        ["MobileViT:Execution:Providers"] = "CPU",
        ["MobileViT:Execution:Instances"] = "1",
        ["MobileViT:Execution:IntraOpThreads"] = "1",
    });

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private async Task<JsonElement> ClassifyAsync(string path)
    {
        var content = new ByteArrayContent(TestImages.SharedJpeg());
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var response = await _service.Client.PostAsync(path, content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Each_model_answers_under_its_own_name_and_the_default_serves_unnamed_requests()
    {
        var reference = await ClassifyAsync("v1/models/reference/classify?topK=3");
        var synthetic = await ClassifyAsync("v1/models/synthetic-xxs/classify?topK=3");
        var unnamed = await ClassifyAsync("v1/classify?topK=3");

        Assert.Equal("reference", reference.GetProperty("model").GetString());
        Assert.False(reference.GetProperty("synthetic").GetBoolean());
        Assert.Equal("synthetic-xxs", synthetic.GetProperty("model").GetString());
        Assert.True(synthetic.GetProperty("synthetic").GetBoolean());
        Assert.Equal("reference", unnamed.GetProperty("model").GetString());
        Assert.Equal(reference.GetProperty("predictions").ToString(), unnamed.GetProperty("predictions").ToString());
        Assert.NotEqual(reference.GetProperty("predictions").ToString(), synthetic.GetProperty("predictions").ToString());

        _service.Registry.TryGetLoaded("reference", out var referenceModel);
        _service.Registry.TryGetLoaded("synthetic-xxs", out var syntheticModel);
        Assert.NotSame(referenceModel.Batcher, syntheticModel.Batcher);
        Assert.Equal(2, referenceModel.Batcher.ImagesRun);
        Assert.Equal(1, syntheticModel.Batcher.ImagesRun);
    }

    [Fact]
    public async Task The_listing_shows_both_models_and_which_is_default()
    {
        var list = await _service.Client.GetFromJsonAsync<JsonElement>("v1/models");

        Assert.Equal("reference", list.GetProperty("defaultModel").GetString());
        var models = list.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        Assert.Equal(2, models.Count);
        Assert.True(models["reference"].GetProperty("default").GetBoolean());
        Assert.False(models["reference"].GetProperty("synthetic").GetBoolean());
        Assert.Equal(SharedFixtures.MobileViTXxsSeed7, models["reference"].GetProperty("source").GetString());
        Assert.False(models["synthetic-xxs"].GetProperty("default").GetBoolean());
        Assert.True(models["synthetic-xxs"].GetProperty("synthetic").GetBoolean());
    }
}
