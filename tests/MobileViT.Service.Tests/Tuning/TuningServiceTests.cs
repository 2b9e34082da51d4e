using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MobileViT.Inference.Models;
using MobileViT.Service.Grpc.V1;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Tuning;

/// <summary>A real service with <c>Execution:Tuning=auto</c> and a small time budget on the synthetic XXS model.</summary>
[Collection(NonParallelCollection.Name)]
public sealed class TuningServiceTests
{
    private static IReadOnlyDictionary<string, string> Settings() => new Dictionary<string, string>(RunningService.SmallModel())
    {
        ["MobileViT:Execution:Tuning"] = "auto",
        ["MobileViT:Execution:TuningBudgetSeconds"] = "3",
        ["MobileViT:Execution:TuningLatencyBudgetMs"] = "1000",
    };

    [Fact]
    public async Task Readiness_waits_for_the_sweep_whose_choice_and_figures_are_in_v1_models_and_metrics()
    {
        await using var service = await RunningService.StartAsync(Settings(), waitUntilReady: false);

        await service.Registry.Get("tiny").WhenIn(ModelState.Tuning).WaitAsync(TimeSpan.FromMinutes(2));
        using (var ready = await service.Client.GetAsync("health/ready"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var startupResponse = await service.Client.GetAsync("health/startup");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, startupResponse.StatusCode);
        var startup = await startupResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("tuning", startup.GetProperty("checks").GetProperty("models").GetProperty("data").GetProperty("tiny").GetString());

        await service.Registry.WhenAllLoaded.WaitAsync(TimeSpan.FromMinutes(2));
        // Then the service's own warm-up requests, which readiness also waits for.
        await service.Registry.ReadinessGate.WaitAsync(TimeSpan.FromMinutes(1));
        using (var ready = await service.Client.GetAsync("health/ready"))
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        var model = (await service.Client.GetFromJsonAsync<JsonElement>("v1/models")).GetProperty("models").EnumerateArray().Single();
        var tuning = model.GetProperty("tuning");
        var chosen = tuning.GetProperty("chosen");
        var candidates = tuning.GetProperty("candidates").EnumerateArray().ToList();
        Assert.NotEmpty(candidates);
        // On a busy machine a short point may complete no batch (0 img/s, no latency); such a point is never chosen.
        Assert.True(chosen.GetProperty("imagesPerSecond").GetDouble() > 0);
        Assert.True(chosen.GetProperty("latencyP50Ms").GetDouble() > 0);
        Assert.Contains(candidates, c => c.ToString() == chosen.ToString());
        Assert.Equal(candidates.Max(c => c.GetProperty("imagesPerSecond").GetDouble()), chosen.GetProperty("imagesPerSecond").GetDouble());
        Assert.True(tuning.GetProperty("withinLatencyBudget").GetBoolean());
        Assert.Equal(3, tuning.GetProperty("timeBudgetSeconds").GetDouble());
        Assert.Equal(MobileViT.Inference.Tuning.TuningGrid.For(onGpu: false, Environment.ProcessorCount).Count, candidates.Count + tuning.GetProperty("skipped").GetInt32());
        // The chosen setting is the one in use, not the configured 2 instances x 1 thread, batch 8.
        Assert.Equal(chosen.GetProperty("instances").GetInt32(), model.GetProperty("instances").GetInt32());
        Assert.Equal(chosen.GetProperty("intraOpThreads").GetInt32(), model.GetProperty("intraOpThreads").GetInt32());
        Assert.Equal(chosen.GetProperty("maxBatchSize").GetInt32(), model.GetProperty("batching").GetProperty("maxBatchSize").GetInt32());
        Assert.Equal(chosen.GetProperty("instances").GetInt32(), service.Registry.Loaded.Single().Instances.Count);

        using var channel = service.CreateGrpcChannel();
        var listed = (await new Classifier.ClassifierClient(channel).ListModelsAsync(new ListModelsRequest())).Models.Single().Tuning;
        Assert.Equal(candidates.Count, listed.Candidates.Count);
        Assert.Equal(chosen.GetProperty("instances").GetInt32(), listed.Chosen.Instances);
        Assert.Equal(chosen.GetProperty("intraOpThreads").GetInt32(), listed.Chosen.IntraOpThreads);
        Assert.Equal(chosen.GetProperty("maxBatchSize").GetInt32(), listed.Chosen.MaxBatchSize);

        var metrics = (await service.Client.GetStringAsync("metrics")).Split('\n');
        var throughput = metrics.Where(l => l.StartsWith("mobilevit_tuning_throughput_per_second{", StringComparison.Ordinal)).ToList();
        Assert.Equal(candidates.Count, throughput.Count);
        var chosenLine = Assert.Single(throughput, l => l.Contains("chosen=\"true\"", StringComparison.Ordinal));
        Assert.Contains($"instances=\"{chosen.GetProperty("instances").GetInt32()}\"", chosenLine);
        Assert.Contains($"batch=\"{chosen.GetProperty("maxBatchSize").GetInt32()}\"", chosenLine);
        Assert.Equal(candidates.Count(c => c.TryGetProperty("latencyP50Ms", out _)),
            metrics.Count(l => l.StartsWith("mobilevit_tuning_latency_seconds{", StringComparison.Ordinal)));
        Assert.Single(metrics, l => l.StartsWith("mobilevit_tuning_duration_seconds{", StringComparison.Ordinal) && l.Contains("model=\"tiny\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_tuning_there_is_no_sweep_and_the_configured_setting_is_used()
    {
        await using var service = await RunningService.StartAsync(RunningService.SmallModel());

        var model = (await service.Client.GetFromJsonAsync<JsonElement>("v1/models")).GetProperty("models").EnumerateArray().Single();
        Assert.False(model.TryGetProperty("tuning", out var tuning) && tuning.ValueKind != JsonValueKind.Null);
        Assert.Equal(2, model.GetProperty("instances").GetInt32());
        Assert.DoesNotContain((await service.Client.GetStringAsync("metrics")).Split('\n'), l => l.StartsWith("mobilevit_tuning_", StringComparison.Ordinal));
    }
}
