using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MobileViT.Inference.Classification;
using MobileViT.Inference.Models.Shadow;
using MobileViT.Service.Grpc.V1;

namespace MobileViT.Service.Tests.Models;

/// <summary>
/// A shadow version runs a sample of the default version's live requests off their path, and the service reports how
/// the two agree. The figures must be exactly what a client computes from each version's own answers to the same
/// inputs; then promotion is a configuration change.
/// </summary>
public sealed class ShadowEvaluationTests : IDisposable
{
    private const int Samples = 6;
    private readonly ModelRepositoryDirectory _repository = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task The_agreement_figures_equal_those_computed_from_both_versions_own_answers()
    {
        _repository.WriteVersion("m", 1, seed: 41);
        _repository.WriteVersion("m", 2, seed: 42);
        _repository.WriteModelConfig("m", """
            {"version_policy": {"specific": {"versions": [1]}},
             "parameters": {"shadow_version": {"string_value": "2"}, "shadow_sample": {"string_value": "1"}}}
            """);
        await using var service = await LiveModelService.StartAsync(_repository.Root);
        var shadows = service.Service.App.Services.GetRequiredService<ShadowEvaluator>();

        // Live traffic goes to the default, version 1; every request is also run on version 2, after its answer.
        var inputs = Enumerable.Range(100, Samples).Select(ModelRepositoryDirectory.Pixels).ToList();
        foreach (var pixels in inputs)
        {
            Assert.Equal("1", (await service.InferAsync("m", pixels)).Version);
            await shadows.WhenIdleAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }

        // What a client computes from each version's own answers (the shadow is reachable by pinning its version).
        var top1 = 0;
        double top5 = 0, delta = 0;
        foreach (var pixels in inputs)
        {
            var primary = (await service.InferAsync("m", pixels, "1")).Logits;
            var shadow = (await service.InferAsync("m", pixels, "2")).Logits;
            top1 += Top(primary, 1)[0] == Top(shadow, 1)[0] ? 1 : 0;
            top5 += Top(primary, 5).Intersect(Top(shadow, 5)).Count() / 5.0;
            delta += primary.Zip(shadow).Average(p => Math.Abs((double)p.Second - p.First));
        }

        var reported = (await service.GetJsonAsync("v1/models/m"))["shadow"]!;
        Assert.Equal((1, 2, 1.0), ((int)reported["version"]!, (int)reported["shadowVersion"]!, (double)reported["sample"]!));
        Assert.Equal((Samples, 0L, 0L), ((int)reported["compared"]!, (long)reported["dropped"]!, (long)reported["failed"]!));
        Assert.Equal(top1 / (double)Samples, (double)reported["top1Agreement"]!, 9);
        Assert.Equal(top5 / Samples, (double)reported["top5Overlap"]!, 9);
        Assert.Equal(delta / Samples, (double)reported["meanAbsLogitDelta"]!, 4);
        Assert.True((double)reported["latencyP50Ms"]! > 0);

        // The same figures on gRPC, /v1/stats (the page) and /metrics.
        var grpc = (await new Classifier.ClassifierClient(service.Channel).ListModelsAsync(new ListModelsRequest(), LiveModelService.Bearer(LiveModelService.ReaderKey)))
            .Models.Single().Shadow;
        Assert.Equal((Samples, (double)reported["top1Agreement"]!), ((int)grpc.Compared, grpc.Top1Agreement));
        Assert.Equal((double)reported["top5Overlap"]!, (double)(await service.GetJsonAsync("v1/stats"))["models"]![0]!["shadow"]!["top5Overlap"]!);
        var scrape = await RepositoryPollTests.MetricsAsync(service);
        Assert.Equal((double)reported["top1Agreement"]!, RepositoryPollTests.MetricValue(scrape, "mobilevit_shadow_top1_agreement", "shadow_version=\"2\""), 9);
        Assert.Equal((double)Samples, RepositoryPollTests.MetricValue(scrape, "mobilevit_shadow_comparisons_total", "shadow_version=\"2\""));

        // Promotion, on that evidence: version 2 becomes the default, with no shadow; version 1 leaves.
        using (var promote = await service.PostAsync("v2/repository/models/m/load",
                   new { parameters = new { config = "{\"version_policy\": {\"specific\": {\"versions\": [2]}}}" } }))
            Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
        var promoted = await service.GetJsonAsync("v1/models/m");
        Assert.Equal(2, (int)promoted["version"]!);
        Assert.Null(promoted["shadow"]);
        Assert.Equal("2", (await service.InferAsync("m", inputs[0])).Version);
    }

    private static int[] Top(float[] logits, int n) => TopValues.Indices(logits, n);
}
