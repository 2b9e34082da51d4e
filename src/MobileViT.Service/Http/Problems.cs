using MobileViT.Service.Hosting;
using MobileViT.Inference.Batching;
using MobileViT.Inference.Models;
using MobileViT.Inference.Preprocessing;

namespace MobileViT.Service.Http;

/// <summary>RFC 7807 problem responses for everything a client can get wrong or run into.</summary>
public static class Problems
{
    private const string TypeBase = "urn:mobilevit:problem:";

    public static IResult UnknownModel(string name, ModelRegistry registry) => Problem(StatusCodes.Status404NotFound, "Unknown model",
        $"No model is named '{name}'. Configured: {string.Join(", ", registry.Configured.Select(m => m.Name))}.", "unknown-model");

    public static IResult NotReady(string name, ModelState state) => Problem(StatusCodes.Status503ServiceUnavailable, "Model not ready",
        ReadyModelResolver.NotAdmittingReason(name, state), "not-ready", retryAfterSeconds: 1);

    public static IResult BadRequest(string detail, string slug = "bad-request") =>
        Problem(StatusCodes.Status400BadRequest, "Bad request", detail, slug);

    public static IResult UnsupportedMediaType(string? contentType) => Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
        $"Content-Type '{contentType ?? "(none)"}' is not accepted. Send the encoded image as the body with Content-Type image/* or application/octet-stream, " +
        "or as multipart/form-data field 'image'.", "unsupported-media-type");

    public static IResult TooLarge(long limit) => Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large",
        $"The request body exceeds the limit of {limit} bytes (MobileViT__Limits__MaxImageBytes).", "payload-too-large");

    public static IResult InvalidImage(InvalidImageException e) => Problem(StatusCodes.Status400BadRequest,
        e.Reason == InvalidImageReason.TooManyPixels ? "Image too large" : "Invalid image", e.Message,
        e.Reason switch
        {
            InvalidImageReason.Empty => "empty-image",
            InvalidImageReason.UnsupportedFormat => "unsupported-image-format",
            InvalidImageReason.TooManyPixels => "too-many-pixels",
            _ => "corrupt-image",
        });

    /// <summary>Maps what the batcher throws to a problem; returns null for exceptions that are bugs, which the exception handler reports as 500.</summary>
    public static IResult? FromInference(Exception e) => e switch
    {
        QueueFullException full => Problem(StatusCodes.Status429TooManyRequests, "Queue full", full.Message, "queue-full",
            retryAfterSeconds: (int)Math.Ceiling(full.RetryAfter.TotalSeconds)),
        DeadlineExceededException => Problem(StatusCodes.Status504GatewayTimeout, "Deadline exceeded", e.Message, "deadline-exceeded"),
        ModelUnavailableException => Problem(StatusCodes.Status503ServiceUnavailable, "Unavailable", e.Message, "not-ready", retryAfterSeconds: 1),
        InferenceFailedException => Problem(StatusCodes.Status500InternalServerError, "Inference failed", e.Message, "inference-failed"),
        InvalidImageException invalid => InvalidImage(invalid),
        _ => null,
    };

    public static IResult Problem(int status, string title, string detail, string slug, int? retryAfterSeconds = null)
    {
        var result = TypedResults.Problem(detail, statusCode: status, title: title, type: TypeBase + slug);
        return retryAfterSeconds is { } seconds ? new WithRetryAfter(result, seconds) : result;
    }

    private sealed class WithRetryAfter(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
