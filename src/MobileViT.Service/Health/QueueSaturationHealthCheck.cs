using Microsoft.Extensions.Diagnostics.HealthChecks;
using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.Health;

/// <summary>
/// Degraded when a model's normal-priority queue (the one most traffic uses) is at least 90% full: still serving, but
/// about to refuse with 429.
/// </summary>
internal sealed class QueueSaturationHealthCheck(ModelRegistry registry) : IHealthCheck
{
    public const double DegradedFraction = 0.9;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        var saturated = new List<string>();
        foreach (var model in registry.Loaded)
        {
            var depth = model.Batcher.QueueDepthOf(RequestPriority.Normal);
            var capacity = model.Batcher.QueueCapacityOf(RequestPriority.Normal);
            data[model.Name] = new { depth, capacity };
            if (depth >= DegradedFraction * capacity)
                saturated.Add(model.Name);
        }
        return Task.FromResult(saturated.Count == 0
            ? HealthCheckResult.Healthy("Queues have room.", data)
            : HealthCheckResult.Degraded("Queue nearly full: " + string.Join(", ", saturated), data: data));
    }
}
