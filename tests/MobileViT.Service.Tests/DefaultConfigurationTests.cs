using System.Net.Http.Json;
using System.Text.Json;
using MobileViT.Inference.Configuration;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests;

/// <summary>What the service does with nothing but a model configured: the auto settings resolved against this machine.</summary>
public sealed class DefaultConfigurationTests
{
    [Fact]
    public async Task Auto_gives_one_single_threaded_instance_per_core_and_small_batches_on_cpu()
    {
        await using var service = await RunningService.StartAsync(new Dictionary<string, string>
        {
            ["MobileViT:Models:0:Name"] = "defaults",
            ["MobileViT:Models:0:Source"] = "synthetic:xxs",
            ["MobileViT:Execution:Providers"] = "CPU",
        });

        var model = await service.Client.GetFromJsonAsync<JsonElement>("v1/models/defaults");

        Assert.Equal(Math.Clamp(Environment.ProcessorCount, 1, 8), model.GetProperty("instances").GetInt32());
        Assert.Equal(Math.Max(1, Environment.ProcessorCount / Math.Clamp(Environment.ProcessorCount, 1, 8)), model.GetProperty("intraOpThreads").GetInt32());
        Assert.Equal(BatchingOptions.CpuAutoMaxBatchSize, model.GetProperty("batching").GetProperty("maxBatchSize").GetInt32());
        Assert.Equal(0, model.GetProperty("batching").GetProperty("maxQueueDelayMs").GetInt32());
    }
}
