using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;

namespace MobileViT.Service.Http;

public static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModelEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/models").WithTags("Models");
        group.MapGet("", (ModelRegistry registry, MobileViTOptions options) =>
                new ModelListResponse(registry.DefaultModelName, registry.Configured.Select(m => Describe(m, registry, options)).ToList()))
            .WithName("ListModels")
            .WithSummary("Lists the configured models: source, synthetic flag, input size, labels, execution provider, batching, readiness.");
        group.MapGet("/{name}", (string name, ModelRegistry registry, MobileViTOptions options) =>
                registry.Configured.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)) is { } model
                    ? Results.Ok(Describe(model, registry, options))
                    : Problems.UnknownModel(name, registry))
            .WithName("GetModel")
            .WithSummary("Describes one model.")
            .Produces<ModelInfo>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static ModelInfo Describe(ModelOptions model, ModelRegistry registry, MobileViTOptions options)
    {
        var batching = new BatchingInfo(registry.TryGetLoaded(model.Name, out var loaded) ? loaded.MaxBatchSize : options.Batching.MaxBatchSize,
            options.Batching.MaxQueueDelayMs, options.Batching.QueueCapacity, options.Batching.RequestTimeoutMs);
        var state = registry.StateOf(model.Name);
        var isDefault = string.Equals(model.Name, registry.DefaultModelName, StringComparison.OrdinalIgnoreCase);
        if (!registry.TryGetLoaded(model.Name, out var served))
        {
            return new ModelInfo(model.Name, model.Source, null, null, isDefault, false, state.ToString().ToLowerInvariant(),
                null, null, null, null, null, batching, registry.Failures.GetValueOrDefault(model.Name));
        }
        var signature = served.Signature;
        return new ModelInfo(model.Name, model.Source, served.Artifacts.Origin, served.Synthetic, isDefault, state == ModelState.Ready,
            state.ToString().ToLowerInvariant(), new InputShape(signature.Channels, signature.Height, signature.Width), served.Labels.Count,
            served.ExecutionProvider, served.Plan.Instances, served.Plan.IntraOpThreads, batching, null);
    }
}
