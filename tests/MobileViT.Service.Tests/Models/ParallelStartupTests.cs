using System.Net;
using System.Net.Sockets;
using MobileViT.Inference.Models;

namespace MobileViT.Service.Tests.Models;

/// <summary>Models configured at start-up load side by side: one that is slow to arrive does not hold the others back.</summary>
public sealed class ParallelStartupTests
{
    [Fact]
    public async Task A_model_listed_after_one_that_never_arrives_is_ready_while_the_first_still_loads()
    {
        // A hub that accepts connections and never answers: the first model stays in Loading for as long as the test runs.
        using var silentHub = new TcpListener(IPAddress.Loopback, 0);
        silentHub.Start();
        using var cache = new TemporaryDirectory();
        await using var service = await RunningService.StartAsync(new Dictionary<string, string>
        {
            ["MobileViT:Models:0:Name"] = "slow",
            ["MobileViT:Models:0:Source"] = "hf:someone/slow-model",
            ["MobileViT:Models:1:Name"] = "fast",
            ["MobileViT:Models:1:Source"] = "synthetic:xxs",
            ["MobileViT:HuggingFace:Endpoint"] = $"http://127.0.0.1:{((IPEndPoint)silentHub.LocalEndpoint).Port}",
            ["MobileViT:HuggingFace:CacheDirectory"] = cache.Path,
            ["MobileViT:Batching:MaxBatchSize"] = "2",
            ["MobileViT:Execution:Providers"] = "CPU",
            ["MobileViT:Execution:Instances"] = "1",
            ["MobileViT:Execution:IntraOpThreads"] = "1",
        }, waitUntilReady: false);

        await service.Registry.WhenLoaded("fast").WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(ModelState.Loading, service.Registry.Get("slow").State);
        Assert.False(service.Registry.IsReady);
    }
}
