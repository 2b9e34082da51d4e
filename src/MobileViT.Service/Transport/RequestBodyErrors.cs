using MobileViT.Inference.Serving;

namespace MobileViT.Service.Transport;

/// <summary>
/// What goes wrong while reading a request body, as client errors the request path counts: Kestrel's own refusals
/// (<see cref="BadHttpRequestException"/>: over the size limit, or arriving slower than <c>MinRequestBodyDataRate</c>)
/// and the service's limits.
/// </summary>
internal static class RequestBodyErrors
{
    public static InferenceException TooLarge(long limit) => new(ErrorKind.PayloadTooLarge,
        $"The request body exceeds the limit of {limit} bytes (MobileViT__Limits__MaxImageBytes).");

    public static InferenceException UnsupportedMediaType(string? contentType, string accepted) => new(ErrorKind.UnsupportedMediaType,
        $"Content-Type '{contentType ?? "(none)"}' is not accepted. {accepted}");

    public static InferenceException From(BadHttpRequestException e, long limit) => e.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => TooLarge(limit),
        StatusCodes.Status408RequestTimeout => new InferenceException(ErrorKind.BodyTooSlow,
            "The request body arrived too slowly (below Kestrel's minimum data rate); send it at a steady rate.", inner: e),
        _ => new InferenceException(ErrorKind.InvalidInput, $"The request body could not be read: {e.Message}", ErrorCodes.BadBody, inner: e),
    };

    /// <summary>Reads the body through <paramref name="read"/>, turning Kestrel's refusals into counted client errors.</summary>
    public static async ValueTask<T> GuardAsync<T>(Func<ValueTask<T>> read, long limit)
    {
        try
        {
            return await read();
        }
        catch (BadHttpRequestException e)
        {
            throw From(e, limit);
        }
    }
}
