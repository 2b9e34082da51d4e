using Microsoft.Extensions.Diagnostics.HealthChecks;
using MobileViT.Inference.Models;

namespace MobileViT.Service.Health;

/// <summary>Unhealthy from the moment shutdown begins, so load balancers stop sending traffic before the process exits.</summary>
internal sealed class DrainingHealthCheck(ModelRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            registry.IsRefusing ? HealthCheckResult.Unhealthy("Draining for shutdown: admitted requests finish, new ones are refused.")
            : registry.IsDraining ? HealthCheckResult.Unhealthy("Shutting down: readiness grace period, still serving requests already routed here.")
            : HealthCheckResult.Healthy("Accepting requests."));
}
