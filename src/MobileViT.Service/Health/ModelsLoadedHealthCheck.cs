using Microsoft.Extensions.Diagnostics.HealthChecks;
using MobileViT.Inference.Models;

namespace MobileViT.Service.Health;

/// <summary>Healthy once every configured model is loaded and warmed with every batch size.</summary>
public sealed class ModelsLoadedHealthCheck(ModelRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = registry.Configured.ToDictionary(m => m.Name, m => (object)registry.StateOf(m.Name).ToString().ToLowerInvariant());
        if (registry.AnyFailed)
            return Task.FromResult(HealthCheckResult.Unhealthy("A model failed to load: " + string.Join("; ", registry.Failures.Select(f => $"{f.Key}: {f.Value}")), data: states));
        return Task.FromResult(registry.AllLoaded
            ? HealthCheckResult.Healthy("Every model is loaded and warm.", states)
            : HealthCheckResult.Unhealthy("Models are still loading or warming up.", data: states));
    }
}
