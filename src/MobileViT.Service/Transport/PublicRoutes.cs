using Microsoft.Extensions.Options;
using MobileViT.Inference.Access;

namespace MobileViT.Service.Transport;

/// <summary>
/// Which routes need no API key even when keys are configured: health (REST <c>/health/*</c>, KServe V2
/// <c>/v2/health/*</c> and its gRPC twins <c>ServerLive</c>/<c>ServerReady</c>, <c>grpc.health.v1</c>), the web page
/// and Swagger UI (their API calls carry the key the user enters), and <c>/metrics</c> unless
/// <see cref="AuthOptions.ProtectMetrics"/>. Endpoints marked <see cref="CoreAdmissionAttribute"/> are checked by the core instead.
/// </summary>
public sealed class PublicRoutes(IOptions<AuthOptions> options)
{
    private static readonly string[] PublicPrefixes =
        ["/health", "/v2/health", "/ui", "/swagger", "/grpc.health.v1.Health", "/inference.GRPCInferenceService/ServerLive", "/inference.GRPCInferenceService/ServerReady"];

    /// <summary>Whether the transport lets the request through without checking a key.</summary>
    public bool SkipsKeyCheck(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<CoreAdmissionAttribute>() is not null)
            return true;
        var path = context.Request.Path;
        if (path == "/" || PublicPrefixes.Any(p => path.StartsWithSegments(p, StringComparison.Ordinal)))
            return true;
        return !options.Value.ProtectMetrics && path.StartsWithSegments(Telemetry.TelemetryServiceCollectionExtensions.MetricsPath, StringComparison.Ordinal);
    }
}
