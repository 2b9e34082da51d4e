using System.Diagnostics;
using System.Globalization;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Classification;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Models;
using MobileViT.Inference.Preprocessing;
using MobileViT.Inference.Telemetry;

namespace MobileViT.Service.Http;

public static class ClassifyEndpoints
{
    public const string TimeoutHeader = "x-request-timeout-ms";

    public static IEndpointRouteBuilder MapClassifyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Classification");
        group.MapPost("/classify", (HttpContext context, int? topK, int? timeoutMs, ModelRegistry registry, ImageClassifier classifier, MobileViTOptions options) =>
                ClassifyOneAsync(registry.DefaultModelName, context, topK, timeoutMs, registry, classifier, options))
            .Document<ClassifyResponse>("Classify", "Classifies one image with the default model.", multipleImages: false);
        group.MapPost("/models/{name}/classify", (string name, HttpContext context, int? topK, int? timeoutMs, ModelRegistry registry, ImageClassifier classifier, MobileViTOptions options) =>
                ClassifyOneAsync(name, context, topK, timeoutMs, registry, classifier, options))
            .Document<ClassifyResponse>("ClassifyWithModel", "Classifies one image with the named model.", multipleImages: false);
        group.MapPost("/models/{name}/classify/batch", (string name, HttpContext context, int? topK, int? timeoutMs, ModelRegistry registry, ImageClassifier classifier, MobileViTOptions options) =>
                ClassifyManyAsync(name, context, topK, timeoutMs, registry, classifier, options))
            .Document<BatchClassifyResponse>("ClassifyBatch",
                "Classifies several images sent as multipart/form-data file parts; results come back in the order sent, each with its predictions or its own error.",
                multipleImages: true);
        return app;
    }

    private static RouteHandlerBuilder Document<TResponse>(this RouteHandlerBuilder endpoint, string name, string summary, bool multipleImages)
    {
        endpoint.WithName(name).WithSummary(summary).WithMetadata(new ImageRequestBodyMetadata(multipleImages)).Produces<TResponse>();
        foreach (var status in new[] { 400, 404, 413, 415, 429, 503, 504 })
            endpoint.ProducesProblem(status);
        return endpoint;
    }

    private static async Task<IResult> ClassifyOneAsync(string name, HttpContext context, int? topK, int? timeoutMs,
        ModelRegistry registry, ImageClassifier classifier, MobileViTOptions options)
    {
        if (Prepare(name, context, topK, timeoutMs, registry, out var model, out var k, out var call) is { } problem)
            return problem;
        using var upload = await ImageUploadReader.ReadAsync(context.Request, options.Limits.MaxImageBytes, 1, context.RequestAborted);
        if (upload.Problem is not null)
            return Refused(context, model.Name, "bad_input", upload.Problem);

        try
        {
            var result = await classifier.ClassifyAsync(model, upload.Images[0].Bytes, k, call, context.RequestAborted);
            WriteTimingHeaders(context.Response, result.Inference.QueueTime, result.Inference.InferenceTime, result.Inference.BatchSize, result.PreprocessTime);
            return TypedResults.Ok(new ClassifyResponse(result.Model, result.Synthetic, result.Predictions.Select(PredictionDto.From).ToList()));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (Exception e) when (Problems.FromInference(e) is { } mapped)
        {
            return mapped;
        }
    }

    private static async Task<IResult> ClassifyManyAsync(string name, HttpContext context, int? topK, int? timeoutMs,
        ModelRegistry registry, ImageClassifier classifier, MobileViTOptions options)
    {
        if (Prepare(name, context, topK, timeoutMs, registry, out var model, out var k, out var call) is { } problem)
            return problem;
        using var upload = await ImageUploadReader.ReadAsync(context.Request, options.Limits.MaxImageBytes, options.Limits.MaxImagesPerRequest, context.RequestAborted);
        if (upload.Problem is not null)
            return Refused(context, model.Name, "bad_input", upload.Problem);

        var tasks = upload.Images.Select(image => Task.Run(() => classifier.ClassifyAsync(model, image.Bytes, k, call, context.RequestAborted))).ToArray();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch
        {
            // Each image's own outcome is reported below.
        }
        if (context.RequestAborted.IsCancellationRequested)
            return Results.Empty;

        var results = new List<BatchItemResult>(tasks.Length);
        var maxBatch = 0;
        TimeSpan maxQueue = default, maxInference = default, maxPreprocess = default;
        for (var i = 0; i < tasks.Length; i++)
        {
            var fileName = upload.Images[i].FileName;
            if (tasks[i].IsCompletedSuccessfully)
            {
                var r = tasks[i].Result;
                maxBatch = Math.Max(maxBatch, r.Inference.BatchSize);
                maxQueue = Max(maxQueue, r.Inference.QueueTime);
                maxInference = Max(maxInference, r.Inference.InferenceTime);
                maxPreprocess = Max(maxPreprocess, r.PreprocessTime);
                results.Add(new BatchItemResult(i, fileName, r.Predictions.Select(PredictionDto.From).ToList(), null));
            }
            else
            {
                results.Add(new BatchItemResult(i, fileName, null, ItemError(tasks[i].Exception!.InnerException!)));
            }
        }
        if (maxBatch > 0)
            WriteTimingHeaders(context.Response, maxQueue, maxInference, maxBatch, maxPreprocess);
        return TypedResults.Ok(new BatchClassifyResponse(model.Name, model.Synthetic, results));
    }

    private static BatchItemError ItemError(Exception e) => e switch
    {
        InvalidImageException invalid => new BatchItemError(400, "Invalid image", invalid.Message),
        QueueFullException => new BatchItemError(429, "Queue full", e.Message),
        DeadlineExceededException => new BatchItemError(504, "Deadline exceeded", e.Message),
        ModelUnavailableException => new BatchItemError(503, "Unavailable", e.Message),
        _ => new BatchItemError(500, "Inference failed", e.Message),
    };

    private static IResult? Prepare(string name, HttpContext context, int? topK, int? timeoutMs, ModelRegistry registry,
        out ServedModel model, out int k, out InferenceCallOptions call)
    {
        model = null!;
        k = 0;
        call = default;
        if (!registry.IsConfigured(name))
            return Problems.UnknownModel(name, registry);
        // A draining model still admits during the readiness grace period; TryGetAdmitting says when it stops.
        if (!registry.TryGetAdmitting(name, out model))
            return Refused(context, registry.Configured.First(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)).Name,
                "unavailable", Problems.NotReady(name, registry.StateOf(name)));

        k = topK ?? 5;
        if (k < 1 || k > model.Labels.Count)
            return Refused(context, model.Name, "bad_input", Problems.BadRequest($"topK must be between 1 and {model.Labels.Count} (was {k}).", "bad-topk"));

        var timeout = timeoutMs;
        if (timeout is null && context.Request.Headers.TryGetValue(TimeoutHeader, out var header))
        {
            if (!int.TryParse(header, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
                return Refused(context, model.Name, "bad_input", Problems.BadRequest($"{TimeoutHeader} must be a whole number of milliseconds.", "bad-timeout"));
            timeout = parsed;
        }
        if (timeout is <= 0)
            return Refused(context, model.Name, "bad_input", Problems.BadRequest("timeoutMs must be a positive number of milliseconds.", "bad-timeout"));
        call = new InferenceCallOptions(timeout is { } ms ? TimeSpan.FromMilliseconds(ms) : null, "http", Stopwatch.GetTimestamp());
        return null;
    }

    /// <summary>Counts a request refused before it reached the model, so the outcome counter covers every request.</summary>
    private static IResult Refused(HttpContext context, string model, string outcome, IResult problem)
    {
        context.RequestServices.GetRequiredService<InferenceMetrics>().RecordRequest(model, "http", outcome);
        return problem;
    }

    private static void WriteTimingHeaders(HttpResponse response, TimeSpan queue, TimeSpan inference, int batchSize, TimeSpan preprocess)
    {
        response.Headers["x-queue-time-ms"] = queue.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
        response.Headers["x-inference-time-ms"] = inference.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
        response.Headers["x-batch-size"] = batchSize.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-preprocess-time-ms"] = preprocess.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
