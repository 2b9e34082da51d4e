namespace MobileViT.Service.KServe;

internal static class KServeEndpointExtensions
{
    /// <summary>
    /// Both forms of the V2 protocol: REST under <c>/v2</c> and <c>inference.GRPCInferenceService</c> on the gRPC
    /// endpoint, with Triton's model repository extension when the control API is on.
    /// </summary>
    public static IEndpointRouteBuilder MapKServeV2(this IEndpointRouteBuilder app)
    {
        app.MapKServeV2Endpoints();
        app.MapKServeV2Repository();
        app.MapGrpcService<GrpcInferenceService>();
        return app;
    }
}
