using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;
using MobileViT.Inference.Serving;
using MobileViT.Inference.Telemetry;
using MobileViT.Service.Access;
using MobileViT.Service.Transport;

namespace MobileViT.Service.KServe;

/// <summary>
/// The KServe V2 Open Inference Protocol over REST (<c>/v2/...</c>) with Triton's binary tensor data,
/// classification, statistics and model configuration extensions. Each per-model route also answers under
/// <c>/versions/{version}</c> for that version; without one it is the model's default version (statistics: every
/// version). Errors are the protocol's <c>{"error": "..."}</c> (<see cref="V2ErrorBody"/>).
/// </summary>
internal static class V2RestEndpoints
{
    public const string Protocol = "http";

    public static IEndpointRouteBuilder MapKServeV2Endpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v2").WithTags("KServe V2").WithMetadata(new V2ErrorBody());
        group.MapGet("", (MobileViTOptions options) =>
                new V2ServerMetadataJson(V2ModelMetadata.ServerName, V2ModelMetadata.ServerVersion, V2ModelMetadata.ExtensionsOf(options.Repository.ControlApi)))
            .WithName("V2ServerMetadata").WithSummary("Server name, version and the protocol extensions it implements.");
        group.MapGet("/health/live", () => Results.Ok(new { live = true }))
            .WithName("V2ServerLive").WithSummary("200 while the process answers.").AllowAnonymous();
        group.MapGet("/health/ready", (ModelRegistry registry) => registry.IsReady
                ? Results.Ok(new { ready = true })
                : Results.Json(new { ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("V2ServerReady").WithSummary("200 when every model is loaded and warm and the server is not draining; 503 otherwise.")
            .AllowAnonymous();
        group.MapGet("/models/stats", (ModelRegistry registry, ModelStatistics statistics) =>
                new V2StatisticsJson(registry.Models.SelectMany(m => VersionStatistics(registry.Describe(m), null, statistics)).ToList()))
            .WithName("V2AllModelStatistics").WithSummary("Triton statistics of every version of every model since the server started.");

        foreach (var prefix in new[] { "/models/{name}", "/models/{name}/versions/{version}" })
        {
            var versioned = prefix.Contains("version", StringComparison.Ordinal) ? "Version" : "";
            group.MapGet(prefix, Metadata).WithName("V2ModelMetadata" + versioned)
                .WithSummary("The model's inputs (send one: the preprocessed tensor or encoded images) and output, and its ready versions.");
            group.MapGet(prefix + "/ready", Ready).WithName("V2ModelReady" + versioned)
                .WithSummary("200 when the model (version) can serve inference; 503 otherwise.");
            group.MapPost(prefix + "/infer", InferAsync).WithMetadata(new InferenceEndpoint(Protocol)).WithName("V2ModelInfer" + versioned)
                .WithSummary("Runs inference on 'pixel_values' FP32 [N,3,H,W] or 'image' BYTES [N] (base64 in JSON, or binary tensor data); " +
                    "returns 'logits' FP32 [N,classes], or with parameters.classification the top N as BYTES 'value:index:label'.");
            group.MapGet(prefix + "/stats", Statistics).WithName("V2ModelStatistics" + versioned)
                .WithSummary("Triton statistics of the model's versions (or the one named) since the server started: counts and cumulative durations.");
            group.MapGet(prefix + "/config", Config).WithName("V2ModelConfig" + versioned)
                .WithSummary("The model's (version's) configuration in Triton's model-configuration JSON.");
        }
        return app;
    }

    private static V2ModelMetadataJson Metadata(string name, string? version, ModelRegistry registry)
    {
        var served = registry.GetAdmitting(name, version);
        var model = registry.Describe(served.Name);
        var loaded = ModelDescription.FactsOf(served);
        return new V2ModelMetadataJson(model.Name, V2ModelMetadata.ReadyVersions(model), V2ModelMetadata.Platform, V2ModelMetadata.Inputs(loaded),
            V2ModelMetadata.Outputs(loaded), V2ModelMetadata.Parameters(loaded));
    }

    private static IResult Ready(string name, string? version, ModelRegistry registry) => registry.IsVersionReady(name, version)
        ? Results.Ok(new { name, ready = true })
        : Results.Json(new { name, ready = false }, statusCode: StatusCodes.Status503ServiceUnavailable);

    private static V2StatisticsJson Statistics(string name, string? version, ModelRegistry registry, ModelStatistics statistics)
    {
        var model = registry.Describe(name);
        // A version named must exist (404 otherwise), whether or not it is ready.
        if (!string.IsNullOrEmpty(version))
            registry.IsVersionReady(name, version);
        return new V2StatisticsJson(VersionStatistics(model, version, statistics).ToList());
    }

    /// <summary>One statistics entry per version loaded (or the one named), as Triton reports them.</summary>
    private static IEnumerable<V2ModelStatJson> VersionStatistics(ModelDescription model, string? version, ModelStatistics statistics) =>
        model.Versions
            .Where(v => v.State is ModelState.Ready or ModelState.Draining or ModelState.Loading or ModelState.Tuning or ModelState.Warming)
            .Select(v => v.Version)
            .Distinct()
            .Order()
            .Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Where(v => string.IsNullOrEmpty(version) || v == version)
            .Select(v => V2ModelStatJson.Of(model.Name, v, statistics.Snapshot(model.Name, int.Parse(v, System.Globalization.CultureInfo.InvariantCulture))));

    private static V2ModelConfigJson Config(string name, string? version, ModelRegistry registry)
    {
        var served = registry.GetAdmitting(name, version);
        return V2ModelConfigJson.Of(registry.Describe(served.Name), ModelDescription.FactsOf(served), registry.GetModel(served.Name).Config);
    }

    private static async Task<IResult> InferAsync(string name, string? version, HttpContext context, InferenceService inference, MobileViTOptions options)
    {
        using var call = inference.Begin(new InferenceRequest(name, Protocol, context.Caller()) { Version = version });
        try
        {
            // Priority and timeout are in the body (parameters), so the request is admitted once the body is read.
            var request = await V2RestBodyReader.ReadAsync(context.Request, options.Limits, context.RequestAborted);
            using var buffers = request.Owner;
            call.Admit(V2Inference.Priority(request.PriorityLevel), V2Inference.Timeout(request.TimeoutMicroseconds));
            // binary_data_output with no output named: the model's output, as binary data.
            IReadOnlyList<V2RequestedOutput> requested = request.Outputs.Count == 0 && request.BinaryOutputs
                ? [new V2RequestedOutput(call.Model.Signature.OutputName, null, true)]
                : request.Outputs;
            var input = V2Inference.ToInput(call.Model, request.Inputs, requested);
            var response = await call.RunAsync(input, RequestedOutput.Logits, context.RequestAborted);
            var output = call.ShapeOutput(() => V2Inference.ToOutput(response, requested));
            return new V2InferResult(response.Model.Name, response.Model.VersionLabel, request.Id,
                new Dictionary<string, object> { ["synthetic"] = response.Model.Synthetic, ["server_batch_size"] = output.LargestServerBatch }, output.Outputs);
        }
        catch (Exception e)
        {
            call.Fail(e);
            throw;
        }
    }
}
