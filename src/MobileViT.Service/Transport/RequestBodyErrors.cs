using MobileViT.Inference.Limits;
using MobileViT.Inference.Serving;

namespace MobileViT.Service.Transport;

/// <summary>
/// What goes wrong while reading a request body, as client errors the request path counts: Kestrel's own refusals
/// (<see cref="BadHttpRequestException"/>: over the size limit, or arriving slower than <c>MinRequestBodyDataRate</c>),
/// a connection that breaks mid-body, and the service's limits.
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
        _ => new InferenceException(ErrorKind.InvalidInput, $"The request body could not be read: {ClientText.Excerpt(e.Message)}", ErrorCodes.BadBody, inner: e),
    };

    /// <summary>
    /// The counted error for an exception thrown while reading the body, or null when it is not a body error: Kestrel's
    /// refusals; a connection that broke (the client went away: cancelled; otherwise a body that could not be read).
    /// </summary>
    public static Exception? Translate(Exception e, long limit, CancellationToken cancellationToken) => e switch
    {
        BadHttpRequestException bad => From(bad, limit),
        IOException when cancellationToken.IsCancellationRequested => new OperationCanceledException("The client went away while sending the body.", e, cancellationToken),
        IOException => new InferenceException(ErrorKind.InvalidInput, $"The request body could not be read: {ClientText.Excerpt(e.Message)}", ErrorCodes.BadBody, inner: e),
        _ => null,
    };

    /// <summary>Reads the body through <paramref name="read"/>, turning what reading can throw into counted errors (<see cref="Translate"/>).</summary>
    public static async ValueTask<T> GuardAsync<T>(Func<ValueTask<T>> read, long limit, CancellationToken cancellationToken = default)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (Translate(e, limit, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }
}
