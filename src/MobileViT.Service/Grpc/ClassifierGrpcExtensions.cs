namespace MobileViT.Service.Grpc;

internal static class ClassifierGrpcExtensions
{
    public static IEndpointRouteBuilder MapClassifierGrpc(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<ClassifierService>();
        return app;
    }
}
