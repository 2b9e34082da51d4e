namespace MobileViT.Container.Tests.Infrastructure;

/// <summary>Service features that arrive from other branches; their container tests run once the repository has them.</summary>
public enum ServiceFeature
{
    /// <summary>The gRPC/KServe endpoint: <c>Kestrel:Endpoints:Grpc</c> in the service's appsettings.json.</summary>
    Grpc,

    /// <summary>Prometheus <c>/metrics</c>: the service project references the OpenTelemetry Prometheus exporter.</summary>
    PrometheusMetrics,
}

/// <summary>
/// A fact about a feature the service declares in its own source (configuration, package references). Where the
/// repository does not declare it yet, the test is skipped with that reason; where it does, the test runs against the
/// container and fails if the feature does not work.
/// </summary>
public sealed class ServiceFeatureFactAttribute : FactAttribute
{
    public ServiceFeatureFactAttribute(ServiceFeature feature)
    {
        if (!IsDeclared(feature))
            Skip = feature switch
            {
                ServiceFeature.Grpc => "The service has no gRPC endpoint yet (no Kestrel:Endpoints:Grpc in src/MobileViT.Service/appsettings.json).",
                _ => "The service has no Prometheus exporter yet (src/MobileViT.Service/MobileViT.Service.csproj does not reference OpenTelemetry.Exporter.Prometheus).",
            };
    }

    public static bool IsDeclared(ServiceFeature feature)
    {
        var service = Path.Combine(SharedFixtures.RepositoryRoot, "src", "MobileViT.Service");
        return feature switch
        {
            ServiceFeature.Grpc => File.ReadAllText(Path.Combine(service, "appsettings.json")).Contains("\"Grpc\"", StringComparison.Ordinal),
            _ => File.ReadAllText(Path.Combine(service, "MobileViT.Service.csproj")).Contains("OpenTelemetry.Exporter.Prometheus", StringComparison.Ordinal),
        };
    }
}
