using MobileViT.Inference.Models;

namespace MobileViT.Service.Http;

internal static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/models").WithTags("Models");
        group.MapGet("", (ModelRegistry registry) => new ModelListResponse(registry.DefaultModelName, registry.DescribeAll().Select(ModelInfo.Of).ToList()))
            .WithName("ListModels")
            .WithSummary("Lists the configured models: source, synthetic flag, input size, labels, execution provider, batching, readiness.");
        group.MapGet("/{name}", (string name, ModelRegistry registry) => ModelInfo.Of(registry.Describe(name)))
            .WithName("GetModel")
            .WithSummary("Describes one model.")
            .Produces<ModelInfo>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }
}
