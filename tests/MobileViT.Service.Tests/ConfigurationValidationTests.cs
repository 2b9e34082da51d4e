using Microsoft.Extensions.Options;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests;

public sealed class ConfigurationValidationTests
{
    [Theory]
    [InlineData("MobileViT:Batching:MaxBatchSize", "0", "MobileViT__Batching__MaxBatchSize")]
    [InlineData("MobileViT:Batching:QueueCapacity", "0", "MobileViT__Batching__QueueCapacity")]
    [InlineData("MobileViT:Batching:MaxQueueDelayMs", "-1", "MobileViT__Batching__MaxQueueDelayMs")]
    [InlineData("MobileViT:Execution:Providers", "CUDA,TPU", "MobileViT__Execution__Providers")]
    [InlineData("MobileViT:Execution:Instances", "many", "MobileViT__Execution__Instances")]
    [InlineData("MobileViT:Execution:Preprocessing", "gpu", "MobileViT__Execution__Preprocessing")]
    [InlineData("MobileViT:Execution:Tuning", "on", "MobileViT__Execution__Tuning")]
    [InlineData("MobileViT:Execution:TuningBudgetSeconds", "0", "MobileViT__Execution__TuningBudgetSeconds")]
    [InlineData("MobileViT:Execution:TuningLatencyBudgetMs", "-5", "MobileViT__Execution__TuningLatencyBudgetMs")]
    [InlineData("MobileViT:Preprocessing:Mode", "quick", "MobileViT__Preprocessing__Mode")]
    [InlineData("MobileViT:Models:0:PreprocessingMode", "draft", "MobileViT__Models__0__PreprocessingMode")]
    [InlineData("MobileViT:Models:0:Source", "hf:no-slash", "MobileViT__Models__0__Source")]
    [InlineData("MobileViT:Models:0:Source", "synthetic:xl", "MobileViT__Models__0__Source")]
    [InlineData("MobileViT:DefaultModel", "other", "MobileViT__DefaultModel")]
    [InlineData("MobileViT:Auth:ApiKeysFile", "/nonexistent/api-keys", "MobileViT__Auth__ApiKeysFile")]
    [InlineData("MobileViT:Auth:ApiKeys:0", "no-colon", "MobileViT__Auth__ApiKeys__0")]
    [InlineData("MobileViT:Auth:ReloadIntervalSeconds", "0", "MobileViT__Auth__ReloadIntervalSeconds")]
    [InlineData("MobileViT:RateLimit:PermitsPerSecond", "-1", "MobileViT__RateLimit__PermitsPerSecond")]
    [InlineData("MobileViT:RateLimit:Burst", "0", "MobileViT__RateLimit__Burst")]
    [InlineData("MobileViT:RateLimit:Clients:reader:PermitsPerSecond", "0", "MobileViT__RateLimit__Clients__reader__PermitsPerSecond")]
    public async Task A_bad_setting_stops_startup_with_an_error_naming_the_key(string key, string value, string named)
    {
        var settings = new Dictionary<string, string>(RunningService.SmallModel()) { [key] = value };
        await using var app = RunningService.Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(named, error.Message);
    }
}
