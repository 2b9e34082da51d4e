using MobileViT.Inference.Models;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Service.Http;

internal static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        // Created now rather than on the first request, so it counts from startup.
        app.ServiceProvider.GetRequiredService<LiveStats>();
        app.MapGroup("/v1").WithTags("Stats")
            .MapGet("/stats", (ModelRegistry registry, LiveStats stats, TimeProvider time) => Describe(registry, stats, time))
            .WithName("GetStats")
            .WithSummary("Live figures per model: requests/s (last 5 s), mean batch size and p50/p99 latency (last minute), queue depth, " +
                         "request totals, a per-second request history, instances and execution provider. For dashboards and the web page; " +
                         "Prometheus should scrape /metrics.");
        return app;
    }

    private static StatsResponse Describe(ModelRegistry registry, LiveStats stats, TimeProvider time)
    {
        var live = registry.Models;
        var figures = stats.Snapshot(live.Select(e => e.Name));
        var models = live.Select(liveModel =>
        {
            var entry = liveModel.Representative;
            var model = entry.Served;
            var described = ModelInfo.Of(registry.Describe(liveModel));
            return new ModelStats(liveModel.Name, entry.State.Label(),
                model?.Synthetic,
                model?.ExecutionProvider,
                model?.Instances.Select(instance => new InstanceStats(instance.Id, instance.ExecutionProvider)).ToList(),
                model is null ? null : PreprocessingOf(model),
                figures[liveModel.Name],
                described.Version,
                described.Versions,
                described.Shadow);
        }).ToList();
        return new StatsResponse(time.GetUtcNow(), LiveStats.RateWindowSeconds, models);
    }

    private static PreprocessingStats PreprocessingOf(ServedModel model)
    {
        var config = model.Preprocessor.Config;
        return new PreprocessingStats(model.Preprocessing.ToString().ToLowerInvariant(), config.DoResize ? config.ShortestEdge : null,
            config.CropWidth, config.CropHeight, config.DoFlipChannelOrder ? "BGR" : "RGB");
    }
}
