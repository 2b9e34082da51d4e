using System.Globalization;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.Http;

/// <summary>REST v1 classification: translates HTTP to the inference core's one entry point and back; errors are thrown to the one exception handler.</summary>
public static class ClassifyEndpoints
{
    public const string TimeoutHeader = "x-request-timeout-ms";
    public const string PriorityHeader = "x-request-priority";
    public const string Protocol = "http";

    public static IEndpointRouteBuilder MapClassifyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Classification");
        group.MapPost("/classify", (HttpContext context, int? topK, int? timeoutMs, InferenceService inference, MobileViTOptions options) =>
                ClassifyOneAsync(null, context, topK, timeoutMs, inference, options))
            .Document<ClassifyResponse>("Classify", "Classifies one image with the default model.", multipleImages: false);
        group.MapPost("/models/{name}/classify", (string name, HttpContext context, int? topK, int? timeoutMs, InferenceService inference, MobileViTOptions options) =>
                ClassifyOneAsync(name, context, topK, timeoutMs, inference, options))
            .Document<ClassifyResponse>("ClassifyWithModel", "Classifies one image with the named model.", multipleImages: false);
        group.MapPost("/models/{name}/classify/batch", (string name, HttpContext context, int? topK, int? timeoutMs, InferenceService inference, MobileViTOptions options) =>
                ClassifyManyAsync(name, context, topK, timeoutMs, inference, options))
            .Document<BatchClassifyResponse>("ClassifyBatch",
                "Classifies several images sent as multipart/form-data file parts; results come back in the order sent, each with its predictions or its own error.",
                multipleImages: true);
        return app;
    }

    private static RouteHandlerBuilder Document<TResponse>(this RouteHandlerBuilder endpoint, string name, string summary, bool multipleImages)
    {
        endpoint.WithName(name).WithSummary(summary).WithMetadata(new ImageRequestBodyMetadata(multipleImages), new CoreAdmissionAttribute()).Produces<TResponse>();
        foreach (var status in new[] { 400, 401, 404, 408, 413, 415, 429, 503, 504 })
            endpoint.ProducesProblem(status);
        return endpoint;
    }

    private static async Task<IResult> ClassifyOneAsync(string? name, HttpContext context, int? topK, int? timeoutMs,
        InferenceService inference, MobileViTOptions options)
    {
        var (response, _) = await InferAsync(name, context, topK, timeoutMs, 1, inference, options);
        var sample = response.Samples[0];
        var result = sample.Succeeded();
        WriteTimingHeaders(context.Response, result.QueueTime, result.InferenceTime, result.BatchSize, sample.PreprocessTime);
        return TypedResults.Ok(new ClassifyResponse(response.Model.Name, response.Model.Synthetic, sample.Predictions!.Select(PredictionDto.From).ToList()));
    }

    private static async Task<IResult> ClassifyManyAsync(string name, HttpContext context, int? topK, int? timeoutMs,
        InferenceService inference, MobileViTOptions options)
    {
        var (response, uploads) = await InferAsync(name, context, topK, timeoutMs, options.Limits.MaxImagesPerRequest, inference, options);
        var results = new List<BatchItemResult>(response.Samples.Count);
        var succeeded = response.Samples.Where(s => s.Error is null).ToList();
        for (var i = 0; i < response.Samples.Count; i++)
        {
            var sample = response.Samples[i];
            var fileName = uploads!.Images[i].FileName;
            results.Add(sample.Error is { } error
                ? new BatchItemResult(i, fileName, null, ItemError(error))
                : new BatchItemResult(i, fileName, sample.Predictions!.Select(PredictionDto.From).ToList(), null));
        }
        if (succeeded.Count > 0)
        {
            WriteTimingHeaders(context.Response, succeeded.Max(s => s.Inference!.QueueTime), succeeded.Max(s => s.Inference!.InferenceTime),
                succeeded.Max(s => s.Inference!.BatchSize), succeeded.Max(s => s.PreprocessTime));
        }
        return TypedResults.Ok(new BatchClassifyResponse(response.Model.Name, response.Model.Synthetic, results));
    }

    /// <summary>One request through the core; the uploads are returned for their file names (their buffers are already back in the pool).</summary>
    private static async Task<(InferenceResponse, ImageUploads?)> InferAsync(string? name, HttpContext context, int? topK, int? timeoutMs, int maxImages,
        InferenceService inference, MobileViTOptions options)
    {
        var timeout = timeoutMs;
        InferenceException? headerError = null;
        if (timeout is null && context.Request.Headers.TryGetValue(TimeoutHeader, out var header))
        {
            if (int.TryParse(header, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
                timeout = parsed;
            else
                headerError = new InvalidRequestException($"{TimeoutHeader} must be a whole number of milliseconds.", "bad-timeout");
        }
        var priority = RequestPriority.Normal;
        if (context.Request.Headers.TryGetValue(PriorityHeader, out var priorityHeader))
        {
            try
            {
                priority = RequestPriorities.Parse(priorityHeader, PriorityHeader);
            }
            catch (InvalidRequestException e)
            {
                headerError ??= e;
            }
        }
        var request = new InferenceRequest
        {
            Model = name,
            Protocol = Protocol,
            TopK = topK,
            Timeout = timeout is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            Priority = priority,
        }.WithCallerOf(context);
        ImageUploads? uploads = null;
        var response = await inference.InferAsync(request, async (_, cancellationToken) =>
        {
            if (headerError is not null)
                throw headerError;
            uploads = await ImageUploadReader.ReadAsync(context.Request, options.Limits.MaxImageBytes, maxImages, cancellationToken);
            return uploads.ToInput();
        }, context.RequestAborted);
        return (response, uploads);
    }

    private static BatchItemError ItemError(InferenceException e)
    {
        var error = HttpErrorTable.For(e);
        return new BatchItemError(error.Status, error.Title, e.Message);
    }

    private static void WriteTimingHeaders(HttpResponse response, TimeSpan queue, TimeSpan inference, int batchSize, TimeSpan preprocess)
    {
        response.Headers["x-queue-time-ms"] = queue.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
        response.Headers["x-inference-time-ms"] = inference.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
        response.Headers["x-batch-size"] = batchSize.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-preprocess-time-ms"] = preprocess.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
    }
}
