using Microsoft.Extensions.Diagnostics.HealthChecks;
using MobileViT.Inference.Models;

namespace MobileViT.Service.Health;

/// <summary>Healthy once every configured model is loaded and warmed with every batch size; its data is each model's state.</summary>
internal sealed class ModelsLoadedHealthCheck(ModelRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = registry.Entries.ToDictionary(m => m.Name, m => (object)m.State.Label());
        // A repository model's versions, e.g. "2: ready (default), 3: ready (shadow), 1: draining".
        foreach (var model in registry.Models.Where(m => m.FromRepository))
            states[model.Name + " versions"] = string.Join(", ", registry.Describe(model).Versions.Select(v =>
                $"{v.Version}: {v.State.Label()}{(v.Default ? " (default)" : v.Shadow ? " (shadow)" : "")}"));
        // A configured model that failed stops the service; a repository model's failure is reported in the listing and the index.
        var failed = registry.Models.Where(m => m.Configured is not null).Select(m => m.Representative).Where(e => e.State == ModelState.Failed).ToList();
        if (failed.Count > 0)
            return Task.FromResult(HealthCheckResult.Unhealthy("A model failed to load: " + string.Join("; ", failed.Select(f => $"{f.Name}: {f.Error}")), data: states));
        if (!registry.AllLoaded)
            return Task.FromResult(HealthCheckResult.Unhealthy("Models are still loading or warming up.", data: states));
        return Task.FromResult(registry.ReadinessGateOpen
            ? HealthCheckResult.Healthy("Every model is loaded and warm.", states)
            : HealthCheckResult.Unhealthy("Models are warm; warming the request path with a first request per protocol.", data: states));
    }
}
