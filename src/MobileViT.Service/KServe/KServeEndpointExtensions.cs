using Microsoft.Extensions.DependencyInjection.Extensions;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Service.KServe;

public static class KServeEndpointExtensions
{
    /// <summary>Registers what the V2 adapters need besides the core: the Triton statistics over the core's instruments.</summary>
    public static IServiceCollection AddKServeV2(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ModelStatistics(sp.GetRequiredService<InferenceMetrics>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Both forms of the V2 protocol: REST under <c>/v2</c> and <c>inference.GRPCInferenceService</c> on the gRPC endpoint.</summary>
    public static IEndpointRouteBuilder MapKServeV2(this IEndpointRouteBuilder app)
    {
        app.MapKServeV2Endpoints();
        app.MapGrpcService<GrpcInferenceService>();
        return app;
    }
}
