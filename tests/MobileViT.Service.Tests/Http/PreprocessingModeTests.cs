using MobileViT.Inference.Preprocessing;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Http;

/// <summary>The preprocessing mode reaches the served model: the service default, the service setting, a model's override.</summary>
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
    }
}
