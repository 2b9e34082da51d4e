using System.Globalization;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Inspection;
using MobileViT.Inference.Serving;
using MobileViT.Service.Access;
using MobileViT.Service.Transport;

namespace MobileViT.Service.Http;

/// <summary>
/// REST v1 classification: parses HTTP, drives one request scope of the inference core (admit, read the body, run)
/// and writes the result; errors are thrown to the one exception handler.
/// </summary>
internal static class ClassifyEndpoints
{
    public const string TimeoutHeader = "x-request-timeout-ms";
    public const string PriorityHeader = "x-request-priority";
    public const string Protocol = "http";

    /// <summary>The value of <c>include</c> that returns the crop the model was given with the predictions.</summary>
    public const string IncludeCrop = "crop";

    public static IEndpointRouteBuilder MapClassifyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("Classification");
        group.MapPost("/classify", (HttpContext context, int? topK, int? timeoutMs, string? include, InferenceService inference, MobileViTOptions options) =>
                ClassifyOneAsync(null, null, context, topK, timeoutMs, include, inference, options))
            .Document<ClassifyResponse>("Classify", "Classifies one image with the default model; include=crop also returns the crop the model was given.",
                multipleImages: false);
        group.MapPost("/models/{name}/classify",
                (string name, HttpContext context, int? topK, int? timeoutMs, string? include, InferenceService inference, MobileViTOptions options) =>
                    ClassifyOneAsync(name, null, context, topK, timeoutMs, include, inference, options))
            .Document<ClassifyResponse>("ClassifyWithModel",
                "Classifies one image with the named model's default version; include=crop also returns the crop the model was given.", multipleImages: false);
        group.MapPost("/models/{name}/versions/{version}/classify",
                (string name, string version, HttpContext context, int? topK, int? timeoutMs, string? include, InferenceService inference, MobileViTOptions options) =>
                    ClassifyOneAsync(name, version, context, topK, timeoutMs, include, inference, options))
            .Document<ClassifyResponse>("ClassifyWithModelVersion",
                "Classifies one image with the named version of the model (404 when it has no such version, 503 while it loads).", multipleImages: false);
        group.MapPost("/models/{name}/classify/batch", (string name, HttpContext context, int? topK, int? timeoutMs, InferenceService inference, MobileViTOptions options) =>
                ClassifyManyAsync(name, context, topK, timeoutMs, inference, options))
            .Document<BatchClassifyResponse>("ClassifyBatch",
                "Classifies several images sent as multipart/form-data file parts; results come back in the order sent, each with its predictions or its own error.",
                multipleImages: true);
        return app;
    }

    private static RouteHandlerBuilder Document<TResponse>(this RouteHandlerBuilder endpoint, string name, string summary, bool multipleImages)
    {
        endpoint.WithName(name).WithSummary(summary).WithMetadata(new ImageRequestBodyMetadata(multipleImages), new InferenceEndpoint(Protocol)).Produces<TResponse>();
        foreach (var status in new[] { 400, 401, 404, 408, 413, 415, 429, 503, 504 })
            endpoint.ProducesProblem(status);
        return endpoint;
    }

    private static async Task<IResult> ClassifyOneAsync(string? name, string? version, HttpContext context, int? topK, int? timeoutMs, string? include,
        InferenceService inference, MobileViTOptions options)
    {
        using var call = inference.Begin(new InferenceRequest(name, Protocol, context.Caller()) { Version = version });
        try
        {
            var keepInput = IncludesCrop(include);
            call.Admit(Priority(context), Timeout(context, timeoutMs));
            using var uploads = await ImageUploadReader.ReadAsync(context.Request, options.Limits.MaxImageBytes, 1, context.RequestAborted);
            var response = await call.RunAsync(uploads.ToInput(), new RequestedOutput(true, topK, keepInput), context.RequestAborted);
            var sample = response.Samples[0];
            var result = sample.Succeeded();
            WriteTimingHeaders(context.Response, result.QueueTime, result.InferenceTime, result.BatchSize, sample.PreprocessTime);
            var crop = result.Input is { } tensor ? CropImage.Of(call.Model, tensor) : null;
            return TypedResults.Ok(new ClassifyResponse(response.Model.Name, response.Model.Version, response.Model.Synthetic,
                sample.Predictions!.Select(PredictionDto.From).ToList(), crop));
        }
        catch (Exception e)
        {
            call.Fail(e);
            throw;
        }
    }

    private static async Task<IResult> ClassifyManyAsync(string name, HttpContext context, int? topK, int? timeoutMs,
        InferenceService inference, MobileViTOptions options)
    {
        using var call = inference.Begin(new InferenceRequest(name, Protocol, context.Caller()));
        try
        {
            call.Admit(Priority(context), Timeout(context, timeoutMs));
            // Each part runs as soon as it has arrived and lets go of its memory once it has run: a batch is never held whole.
            var fileNames = new List<string?>();
            var arriving = ImageUploadReader.ReadEachAsync(context.Request, options.Limits.MaxImageBytes, options.Limits.MaxImagesPerRequest, context.RequestAborted)
                .Select(upload =>
                {
                    fileNames.Add(upload.FileName);
                    return new ArrivingImage(upload.Bytes, upload);
                });
            var response = await call.RunEachAsync(arriving, RequestedOutput.Classes(topK), context.RequestAborted);
            var results = new List<BatchItemResult>(response.Samples.Count);
            for (var i = 0; i < response.Samples.Count; i++)
            {
                var sample = response.Samples[i];
                results.Add(sample.Error is { } error
                    ? new BatchItemResult(i, fileNames[i], null, ItemError(error))
                    : new BatchItemResult(i, fileNames[i], sample.Predictions!.Select(PredictionDto.From).ToList(), null));
            }
            var succeeded = response.Samples.Where(s => s.Error is null).ToList();
            if (succeeded.Count > 0)
            {
                WriteTimingHeaders(context.Response, succeeded.Max(s => s.Inference!.QueueTime), succeeded.Max(s => s.Inference!.InferenceTime),
                    succeeded.Max(s => s.Inference!.BatchSize), succeeded.Max(s => s.PreprocessTime));
            }
            return TypedResults.Ok(new BatchClassifyResponse(response.Model.Name, response.Model.Version, response.Model.Synthetic, results));
        }
        catch (Exception e)
        {
            call.Fail(e);
            throw;
        }
    }

    /// <summary>The request's timeout: the <c>timeoutMs</c> query parameter, else the <c>x-request-timeout-ms</c> header; null when neither.</summary>
    private static TimeSpan? Timeout(HttpContext context, int? timeoutMs)
    {
        if (timeoutMs is { } ms)
            return TimeSpan.FromMilliseconds(ms);
        if (!context.Request.Headers.TryGetValue(TimeoutHeader, out var header))
            return null;
        return int.TryParse(header, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? TimeSpan.FromMilliseconds(parsed)
            : throw new InvalidRequestException($"{TimeoutHeader} must be a whole number of milliseconds.", ErrorCodes.BadTimeout);
    }

    private static RequestPriority Priority(HttpContext context) =>
        context.Request.Headers.TryGetValue(PriorityHeader, out var header) ? RequestPriorities.Parse(header, PriorityHeader) : RequestPriority.Normal;

    private static bool IncludesCrop(string? include) => include switch
    {
        null or "" => false,
        IncludeCrop => true,
        _ => throw new InvalidRequestException($"include may only be '{IncludeCrop}'.", ErrorCodes.BadParameter),
    };

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
