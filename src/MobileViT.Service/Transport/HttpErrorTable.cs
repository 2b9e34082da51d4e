using System.Globalization;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.Transport;

/// <summary>
/// The one table from an <see cref="InferenceException"/> to an HTTP status, problem type and title, used by single
/// requests, batch items and KServe V2 REST. The status follows the kind; a few input errors that HTTP names itself
/// (too large, wrong media type, too slow) have their own.
/// </summary>
public static class HttpErrorTable
{
    public const string TypeBase = "urn:mobilevit:problem:";

    public sealed record HttpError(int Status, string Title, string Type);

    public static HttpError For(InferenceException e)
    {
        var (status, title) = e.Code switch
        {
            RequestBodyErrors.TooLargeCode => (StatusCodes.Status413PayloadTooLarge, "Payload too large"),
            RequestBodyErrors.UnsupportedMediaTypeCode => (StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"),
            RequestBodyErrors.TooSlowCode => (StatusCodes.Status408RequestTimeout, "Request body too slow"),
            "too-many-pixels" => (StatusCodes.Status400BadRequest, "Image too large"),
            "empty-image" or "unsupported-image-format" or "corrupt-image" => (StatusCodes.Status400BadRequest, "Invalid image"),
            _ => e.Kind switch
            {
                ErrorKind.InvalidInput => (StatusCodes.Status400BadRequest, "Bad request"),
                ErrorKind.UnknownModel => (StatusCodes.Status404NotFound, "Unknown model"),
                ErrorKind.Unavailable => (StatusCodes.Status503ServiceUnavailable, "Model not ready"),
                ErrorKind.QueueFull => (StatusCodes.Status429TooManyRequests, "Queue full"),
                ErrorKind.DeadlineExceeded => (StatusCodes.Status504GatewayTimeout, "Deadline exceeded"),
                ErrorKind.Cancelled => (StatusCodes.Status499ClientClosedRequest, "Cancelled"),
                ErrorKind.DeadlineUnmeetable => (StatusCodes.Status429TooManyRequests, "Deadline cannot be met"),
                _ => (StatusCodes.Status500InternalServerError, "Inference failed"),
            },
        };
        return new HttpError(status, title, TypeBase + e.Code);
    }

    /// <summary>The RFC 7807 problem for the error, with <c>Retry-After</c> where retrying later helps.</summary>
    public static IResult ToProblem(InferenceException e)
    {
        var error = For(e);
        var problem = TypedResults.Problem(e.Message, statusCode: error.Status, title: error.Title, type: error.Type);
        return e.RetryAfter is { } retryAfter ? new WithRetryAfter(problem, retryAfter) : problem;
    }

    private sealed class WithRetryAfter(IResult inner, TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
