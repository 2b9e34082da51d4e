namespace MobileViT.Service.Grpc;

public static class ClassifierGrpcExtensions
{
    public static IEndpointRouteBuilder MapClassifierGrpc(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<ClassifierService>();
        return app;
    }
}
