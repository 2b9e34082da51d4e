using System.Text.Json;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>The KServe V2 Open Inference Protocol over REST (<c>/v2/...</c>); errors are problem+json like the rest of the HTTP API.</summary>
public static class V2RestEndpoints
{
    public const string Protocol = "http";

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
        group.MapGet("/models/{name}", (string name, ModelRegistry registry) =>
            {
                var model = registry.Describe(registry.GetAdmitting(name).Name);
                return new V2ModelMetadataJson(model.Name, [], V2ModelMetadata.Platform, V2ModelMetadata.Inputs(model), V2ModelMetadata.Outputs(model));
            })
            .WithName("V2ModelMetadata").WithSummary("The model's inputs (send one: the preprocessed tensor or encoded images) and output.");
        group.MapGet("/models/{name}/ready", (string name, ModelRegistry registry) =>
            {
                var model = registry.GetConfigured(name);
                return registry.StateOf(model.Name) == ModelState.Ready
                    ? Results.Ok(new { name, ready = true })
                    : Results.Json(new { name, ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable);
            })
            .WithName("V2ModelReady").WithSummary("200 when the model can serve inference; 503 otherwise.");
        group.MapPost("/models/{name}/infer", InferAsync)
            .WithName("V2ModelInfer")
            .WithSummary("Runs inference on 'pixel_values' FP32 [N,3,H,W] or 'image' BYTES [N] (base64 encoded images); returns 'logits' FP32 [N,classes].");
        return app;
    }

    private static async Task<IResult> InferAsync(string name, HttpContext context, InferenceService inference, MobileViTOptions options)
    {
        string? id = null;
        // The priority is in the body (parameters.priority), so refusals for load come after it is read.
        var response = await inference.InferAsync(V2Inference.Request(name, Protocol) with { PriorityInInput = true }, async (model, cancellationToken) =>
        {
            var request = await ReadBodyAsync(context, options, cancellationToken);
            id = request.Id;
            var input = V2Inference.ToInput(model, request.Inputs!.Select(V2JsonTensorReader.Read).ToList(),
                (request.Outputs ?? []).Select(o => o.Name ?? "").ToList());
            return request.Parameters?.TryGetValue(V2Inference.PriorityParameter, out var priority) == true
                ? input with { Priority = PriorityOf(priority) }
                : input;
        }, context.RequestAborted);
        var output = V2Inference.ToOutput(response);
        return Results.Ok(new V2InferResponseJson(response.Model.Name, null, id,
            new Dictionary<string, object> { ["synthetic"] = response.Model.Synthetic, ["server_batch_size"] = output.LargestServerBatch },
            [new V2OutputJson(output.OutputName, [output.BatchSize, output.ClassCount], V2ModelMetadata.Fp32, output.Logits)]));
    }

    private static RequestPriority PriorityOf(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var level)
            ? RequestPriorities.FromLevel(level, "parameters.priority")
            : throw new InvalidRequestException($"parameters.priority must be an integer: 1 (highest) and up, or 0 for the default (was {value.GetRawText()}).", "bad-priority");

    private static async ValueTask<V2InferRequestJson> ReadBodyAsync(HttpContext context, MobileViTOptions options, CancellationToken cancellationToken)
    {
        V2InferRequestJson? request;
        try
        {
            request = await RequestBodyErrors.GuardAsync(
                () => JsonSerializer.DeserializeAsync<V2InferRequestJson>(context.Request.Body, JsonSerializerOptions.Web, cancellationToken),
                options.Limits.MaxImageBytes);
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"The body is not a V2 inference request: {e.Message}", "invalid-tensor");
        }
        if (request?.Inputs is null)
            throw new InvalidRequestException("The body needs 'inputs'.", "invalid-tensor");
        return request;
    }
}
