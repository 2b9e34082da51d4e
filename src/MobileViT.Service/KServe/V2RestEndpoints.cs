using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;
using MobileViT.Inference.Telemetry;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>
/// The KServe V2 Open Inference Protocol over REST (<c>/v2/...</c>) with Triton's binary tensor data,
/// classification, statistics and model configuration extensions. Every model has version 1; each per-model route
/// also answers under <c>/versions/1</c>. Errors are the protocol's <c>{"error": "..."}</c> (<see cref="V2ErrorBody"/>).
/// </summary>
public static class V2RestEndpoints
{
    public const string Protocol = "http";

    public static IEndpointRouteBuilder MapKServeV2Endpoints(this IEndpointRouteBuilder app)
    {
        // Created now, not on the first statistics request, so that it counts from the start.
        app.ServiceProvider.GetRequiredService<ModelStatistics>();

        var group = app.MapGroup("/v2").WithTags("KServe V2").WithMetadata(new V2ErrorBody());
        group.MapGet("", () => new V2ServerMetadataJson(V2ModelMetadata.ServerName, V2ModelMetadata.ServerVersion, V2ModelMetadata.Extensions))
            .WithName("V2ServerMetadata").WithSummary("Server name, version and the protocol extensions it implements.");
        group.MapGet("/health/live", () => Results.Ok(new { live = true }))
            .WithName("V2ServerLive").WithSummary("200 while the process answers.");
        group.MapGet("/health/ready", (ModelRegistry registry) => registry.IsReady
                ? Results.Ok(new { ready = true })
                : Results.Json(new { ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("V2ServerReady").WithSummary("200 when every model is loaded and warm and the server is not draining; 503 otherwise.");
        group.MapGet("/models/stats", (ModelRegistry registry, ModelStatistics statistics) =>
                new V2StatisticsJson(registry.Configured.Select(m => V2ModelStatJson.Of(m.Name, statistics.Snapshot(m.Name))).ToList()))
            .WithName("V2AllModelStatistics").WithSummary("Triton statistics of every model since the server started.");

        foreach (var prefix in new[] { "/models/{name}", "/models/{name}/versions/{version}" })
        {
            var versioned = prefix.Contains("version", StringComparison.Ordinal) ? "Version" : "";
            group.MapGet(prefix, Metadata).WithName("V2ModelMetadata" + versioned)
                .WithSummary("The model's inputs (send one: the preprocessed tensor or encoded images) and output.");
            group.MapGet(prefix + "/ready", Ready).WithName("V2ModelReady" + versioned)
                .WithSummary("200 when the model can serve inference; 503 otherwise.");
            group.MapPost(prefix + "/infer", InferAsync).WithMetadata(new CoreAdmissionAttribute()).WithName("V2ModelInfer" + versioned)
                .WithSummary("Runs inference on 'pixel_values' FP32 [N,3,H,W] or 'image' BYTES [N] (base64 in JSON, or binary tensor data); " +
                    "returns 'logits' FP32 [N,classes], or with parameters.classification the top N as BYTES 'value:index:label'.");
            group.MapGet(prefix + "/stats", Statistics).WithName("V2ModelStatistics" + versioned)
                .WithSummary("Triton statistics of the model since the server started: counts and cumulative durations.");
            group.MapGet(prefix + "/config", Config).WithName("V2ModelConfig" + versioned)
                .WithSummary("The model's configuration in Triton's model-configuration JSON.");
        }
        return app;
    }

    private static V2ModelMetadataJson Metadata(string name, string? version, ModelRegistry registry)
    {
        V2Inference.RequireVersion(name, version);
        var model = registry.Describe(registry.GetAdmitting(name).Name);
        return new V2ModelMetadataJson(model.Name, [V2Inference.Version], V2ModelMetadata.Platform, V2ModelMetadata.Inputs(model), V2ModelMetadata.Outputs(model),
            V2ModelMetadata.Parameters(model));
    }

    private static IResult Ready(string name, string? version, ModelRegistry registry)
    {
        V2Inference.RequireVersion(name, version);
        var model = registry.GetConfigured(name);
        return registry.StateOf(model.Name) == ModelState.Ready
            ? Results.Ok(new { name, ready = true })
            : Results.Json(new { name, ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static V2StatisticsJson Statistics(string name, string? version, ModelRegistry registry, ModelStatistics statistics)
    {
        V2Inference.RequireVersion(name, version);
        var model = registry.GetConfigured(name).Name;
        return new V2StatisticsJson([V2ModelStatJson.Of(model, statistics.Snapshot(model))]);
    }

    private static V2ModelConfigJson Config(string name, string? version, ModelRegistry registry)
    {
        V2Inference.RequireVersion(name, version);
        return V2ModelConfigJson.Of(registry.Describe(registry.GetAdmitting(name).Name));
    }

    private static async Task<IResult> InferAsync(string name, string? version, HttpContext context, InferenceService inference, MobileViTOptions options,
        InferenceMetrics metrics, TimeProvider time)
    {
        V2Inference.RequireVersion(name, version);
        V2RestRequest? request = null;
        IReadOnlyList<V2RequestedOutput> requested = [];
        // Priority and timeout are in the body (parameters), so refusals for load come after it is read.
        var response = await inference.InferAsync(V2Inference.Request(name, Protocol).WithCallerOf(context) with { ParametersInInput = true }, async (model, cancellationToken) =>
        {
            request = await V2RestBodyReader.ReadAsync(context.Request, options.Limits, cancellationToken);
            // binary_data_output with no output named: the model's output, as binary data.
            requested = request.Outputs.Count == 0 && request.BinaryOutputs ? [new V2RequestedOutput(model.Signature.OutputName, null, true)] : request.Outputs;
            return V2Inference.ToInput(model, request.Inputs, requested) with
            {
                Owner = request.Owner,
                Timeout = V2Inference.Timeout(request.TimeoutMicroseconds),
                Priority = request.PriorityLevel is { } level ? RequestPriorities.FromLevel(level, "parameters.priority") : null,
            };
        }, context.RequestAborted);
        var output = V2Inference.ToOutput(response, requested, metrics, time);
        return new V2InferResult(response.Model.Name, request!.Id,
            new Dictionary<string, object> { ["synthetic"] = response.Model.Synthetic, ["server_batch_size"] = output.LargestServerBatch }, output.Outputs);
    }
}
