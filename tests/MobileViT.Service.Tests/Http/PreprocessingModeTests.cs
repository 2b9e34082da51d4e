using System.Net.Http.Json;
using System.Text.Json;
using MobileViT.Inference.Preprocessing;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Http;

/// <summary>
/// The preprocessing mode reaches the served model (the service default, the service setting, a model's override),
/// and every protocol's model description says which mode the model runs in.
/// </summary>
public sealed class PreprocessingModeTests
{
    [Theory]
    [InlineData(null, null, PreprocessingMode.Exact)]
    [InlineData("fast", null, PreprocessingMode.Fast)]
    [InlineData(null, "fast", PreprocessingMode.Fast)]
    [InlineData("fast", "exact", PreprocessingMode.Exact)]
    public async Task Served_model_runs_in_the_configured_mode(string? serviceMode, string? modelMode, PreprocessingMode expected)
    {
        var settings = new Dictionary<string, string>(RunningService.SmallModel());
        if (serviceMode is not null)
            settings["MobileViT:Preprocessing:Mode"] = serviceMode;
        if (modelMode is not null)
            settings["MobileViT:Models:0:PreprocessingMode"] = modelMode;
        await using var service = await RunningService.StartAsync(settings);

        Assert.True(service.Registry.TryGetLoaded("tiny", out var model));
        Assert.Equal(expected, model.PreprocessingMode);
        Assert.Equal(expected, model.Preprocessor.Mode);

        var mode = expected.ToString().ToLowerInvariant();
        var rest = await service.Client.GetFromJsonAsync<JsonElement>("v1/models/tiny");
        Assert.Equal(mode, rest.GetProperty("preprocessing").GetProperty("mode").GetString());
        Assert.Equal("worker", rest.GetProperty("preprocessing").GetProperty("placement").GetString());
        var v2 = await service.Client.GetFromJsonAsync<JsonElement>("v2/models/tiny");
        Assert.Equal(mode, v2.GetProperty("parameters").GetProperty("preprocessing_mode").GetString());
        var config = await service.Client.GetFromJsonAsync<JsonElement>("v2/models/tiny/config");
        Assert.Equal(mode, config.GetProperty("parameters").GetProperty("preprocessing_mode").GetProperty("string_value").GetString());
        using var channel = service.CreateGrpcChannel();
        var listed = await new Classifier.ClassifierClient(channel).ListModelsAsync(new ListModelsRequest());
        Assert.Equal(mode, Assert.Single(listed.Models).PreprocessingMode);
    }
}
