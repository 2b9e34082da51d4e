using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.Telemetry;

/// <summary>The standard OpenTelemetry variables name the service in what it exports.</summary>
public sealed class ResourceAttributesTests
{
    [Fact]
    public async Task OTEL_SERVICE_NAME_and_OTEL_RESOURCE_ATTRIBUTES_override_the_built_in_service_name()
    {
        await using var service = await RunningService.StartAsync(new Dictionary<string, string>(RunningService.SmallModel())
        {
            ["OTEL_SERVICE_NAME"] = "classifier-eu-1",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=staging",
        });

        var metrics = await service.Client.GetStringAsync("metrics");

        var targetInfo = Assert.Single(metrics.Split('\n'), line => line.StartsWith("target_info{", StringComparison.Ordinal));
        Assert.Contains("service_name=\"classifier-eu-1\"", targetInfo);
        Assert.Contains("deployment_environment=\"staging\"", targetInfo);
    }
}
