using System.Globalization;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.Transport;

/// <summary>
/// The one table from an <see cref="InferenceException"/> to an HTTP status, problem type and title, used by single
/// requests and batch items (problem+json) and by KServe V2 REST (the status, with the protocol's own error body).
/// The status and title follow the kind alone; the problem type names the code.
/// </summary>
internal static class HttpErrorTable
{
    public const string TypeBase = "urn:mobilevit:problem:";

    public sealed record HttpError(int Status, string Title, string Type);

    public static HttpError For(InferenceException e)
    {
        var (status, title) = e.Kind switch
        {
            ErrorKind.InvalidInput => (StatusCodes.Status400BadRequest, "Bad request"),
            ErrorKind.InvalidImage => (StatusCodes.Status400BadRequest, "Invalid image"),
            ErrorKind.ImageTooLarge => (StatusCodes.Status400BadRequest, "Image too large"),
            ErrorKind.PayloadTooLarge => (StatusCodes.Status413PayloadTooLarge, "Payload too large"),
            ErrorKind.UnsupportedMediaType => (StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"),
            ErrorKind.BodyTooSlow => (StatusCodes.Status408RequestTimeout, "Request body too slow"),
            ErrorKind.UnknownModel => (StatusCodes.Status404NotFound, "Unknown model"),
            ErrorKind.Unavailable => (StatusCodes.Status503ServiceUnavailable, "Model not ready"),
            ErrorKind.QueueFull => (StatusCodes.Status429TooManyRequests, "Queue full"),
            ErrorKind.DeadlineExceeded => (StatusCodes.Status504GatewayTimeout, "Deadline exceeded"),
            ErrorKind.Cancelled => (StatusCodes.Status499ClientClosedRequest, "Cancelled"),
            ErrorKind.Failed => (StatusCodes.Status500InternalServerError, "Inference failed"),
            ErrorKind.Unauthenticated => (StatusCodes.Status401Unauthorized, "Unauthenticated"),
            ErrorKind.PermissionDenied => (StatusCodes.Status403Forbidden, "Forbidden"),
            ErrorKind.RateLimited => (StatusCodes.Status429TooManyRequests, "Rate limited"),
            ErrorKind.DeadlineUnmeetable => (StatusCodes.Status429TooManyRequests, "Deadline cannot be met"),
            ErrorKind.OverMemoryBudget => (StatusCodes.Status503ServiceUnavailable, "Request memory budget full"),
        };
        return new HttpError(status, title, TypeBase + e.Code);
    }

    /// <summary>
    /// The response for the error on the given route: its status, the body the route's protocol defines
    /// (<see cref="IErrorResponseRenderer"/>) or else an RFC 7807 problem, <c>Retry-After</c> where retrying later helps
    /// and a Bearer challenge for a missing or wrong key.
    /// </summary>
    public static IResult ToResult(InferenceException e, Endpoint? endpoint)
    {
        var error = For(e);
        var body = endpoint?.Metadata.GetMetadata<IErrorResponseRenderer>()?.Render(e, error.Status)
            ?? TypedResults.Problem(e.Message, statusCode: error.Status, title: error.Title, type: error.Type);
        return WithRetryAfter(e, WithBearerChallenge(e, body));
    }

    /// <summary>
    /// <c>WWW-Authenticate: Bearer</c> (RFC 6750) on an authentication failure, with <c>error="invalid_token"</c> when a
    /// key was sent but is wrong; for any body, problem+json or another protocol's.
    /// </summary>
    private static IResult WithBearerChallenge(InferenceException e, IResult result) =>
        e.Kind == ErrorKind.Unauthenticated ? new BearerChallengeResult(result, e.Code == ErrorCodes.InvalidApiKey) : result;

    private sealed class BearerChallengeResult(IResult inner, bool invalidKey) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = invalidKey ? "Bearer realm=\"mobilevit\", error=\"invalid_token\"" : "Bearer realm=\"mobilevit\"";
            return inner.ExecuteAsync(httpContext);
        }
    }

    private static IResult WithRetryAfter(InferenceException e, IResult result) =>
        e.RetryAfter is { } retryAfter ? new RetryAfterResult(result, retryAfter) : result;

    private sealed class RetryAfterResult(IResult inner, TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
