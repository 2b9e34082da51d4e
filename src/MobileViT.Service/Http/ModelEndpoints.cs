using MobileViT.Inference.Models;

namespace MobileViT.Service.Http;

public static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/models").WithTags("Models");
        group.MapGet("", (ModelRegistry registry) => new ModelListResponse(registry.DefaultModelName, registry.DescribeAll()))
            .WithName("ListModels")
            .WithSummary("Lists the configured models: source, synthetic flag, input size, labels, execution provider, batching, readiness.");
        group.MapGet("/{name}", (string name, ModelRegistry registry) => registry.Describe(name))
            .WithName("GetModel")
            .WithSummary("Describes one model.")
            .Produces<ModelDescription>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }
}
