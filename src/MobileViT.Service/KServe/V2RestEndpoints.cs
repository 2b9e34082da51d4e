using System.Text.Json;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Models;
using MobileViT.Service.Hosting;
using MobileViT.Service.Http;

namespace MobileViT.Service.KServe;

/// <summary>The KServe V2 Open Inference Protocol over REST (<c>/v2/...</c>); errors are problem+json like the rest of the HTTP API.</summary>
public static class V2RestEndpoints
{
    public static IEndpointRouteBuilder MapKServeV2Endpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2").WithTags("KServe V2");
        group.MapGet("", () => new V2ServerMetadataJson(V2ModelMetadata.ServerName, V2ModelMetadata.ServerVersion, []))
            .WithName("V2ServerMetadata").WithSummary("Server name, version and protocol extensions.");
        group.MapGet("/health/live", () => Results.Ok(new { live = true }))
            .WithName("V2ServerLive").WithSummary("200 while the process answers.");
        group.MapGet("/health/ready", (ModelRegistry registry) => registry.IsReady
                ? Results.Ok(new { ready = true })
                : Results.Json(new { ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("V2ServerReady").WithSummary("200 when every model is loaded and warm and the server is not draining; 503 otherwise.");
        group.MapGet("/models/{name}", (string name, ModelRegistry registry) => Handle(registry, name, model =>
                Results.Ok(new V2ModelMetadataJson(model.Name, [], V2ModelMetadata.Platform, V2ModelMetadata.Inputs(model), V2ModelMetadata.Outputs(model)))))
            .WithName("V2ModelMetadata").WithSummary("The model's inputs (send one: the preprocessed tensor or encoded images) and output.");
        group.MapGet("/models/{name}/ready", (string name, ModelRegistry registry) => !registry.IsConfigured(name)
                ? Problems.UnknownModel(name, registry)
                : registry.StateOf(name) == ModelState.Ready
                    ? Results.Ok(new { name, ready = true })
                    : Results.Json(new { name, ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("V2ModelReady").WithSummary("200 when the model can serve inference; 503 otherwise.");
        group.MapPost("/models/{name}/infer", InferAsync)
            .WithName("V2ModelInfer")
            .WithSummary("Runs inference on 'pixel_values' FP32 [N,3,H,W] or 'image' BYTES [N] (base64 encoded images); returns 'logits' FP32 [N,classes].");
        return app;
    }

    private static async Task<IResult> InferAsync(string name, HttpContext context, ModelRegistry registry, V2InferenceRunner runner)
    {
        try
        {
            var model = registry.ResolveReady(name);
            V2InferRequestJson? request;
            try
            {
                request = await JsonSerializer.DeserializeAsync<V2InferRequestJson>(context.Request.Body, JsonSerializerOptions.Web, context.RequestAborted);
            }
            catch (JsonException e)
            {
                throw new InvalidRequestException($"The body is not a V2 inference request: {e.Message}");
            }
            if (request?.Inputs is null)
                throw new InvalidRequestException("The body needs 'inputs'.");

            var inputs = request.Inputs.Select(V2JsonTensorReader.Read).ToList();
            var outputs = (request.Outputs ?? []).Select(o => o.Name ?? "").ToList();
            var output = await runner.InferAsync(model, inputs, outputs, new InferenceCallOptions(null, "http"), context.RequestAborted);
            return Results.Ok(new V2InferResponseJson(model.Name, null, request.Id,
                new Dictionary<string, object> { ["synthetic"] = model.Synthetic, ["server_batch_size"] = output.LargestServerBatch },
                [new V2OutputJson(output.OutputName, [output.BatchSize, output.ClassCount], V2ModelMetadata.Fp32, output.Logits)]));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (Exception e) when (ToProblem(e, registry) is { } problem)
        {
            return problem;
        }
    }

    private static IResult Handle(ModelRegistry registry, string name, Func<ServedModel, IResult> respond)
    {
        try
        {
            return respond(registry.ResolveReady(name));
        }
        catch (Exception e) when (ToProblem(e, registry) is { } problem)
        {
            return problem;
        }
    }

    private static IResult? ToProblem(Exception e, ModelRegistry registry) => e switch
    {
        UnknownModelException unknown => Problems.UnknownModel(unknown.Name, registry),
        InvalidRequestException => Problems.BadRequest(e.Message, "invalid-tensor"),
        _ => Problems.FromInference(e),
    };
}
