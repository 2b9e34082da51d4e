using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using MobileViT.Inference.Configuration;
using MobileViT.Inference.Limits;
using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.Http;

/// <summary>
/// Reads images from a request: the raw body (<c>image/*</c>, <c>application/octet-stream</c>) or multipart/form-data
/// parts. Nothing declared is trusted: each image is kept in a <see cref="RequestBuffer"/> that grows as its bytes
/// arrive, reserved on the request memory budget first, and refused (413) as soon as it passes the limit. Whatever is
/// wrong with the body is thrown as an <see cref="InferenceException"/> (invalid input; or the budget's refusal), so
/// the request path counts it.
/// </summary>
internal static class ImageUploadReader
{
    /// <summary>RFC 2046 section 5.1.1: a boundary is 1 to 70 characters.</summary>
    public const int MaxBoundaryLength = 70;

    private const string Accepted = "Send the encoded image as the body with Content-Type image/* or application/octet-stream, " +
                                    "or as multipart/form-data field 'image'.";

    /// <summary>All the images of the request; disposing them (or the input made of them) gives their memory back.</summary>
    public static async ValueTask<ImageUploads> ReadAsync(HttpRequest request, long maxImageBytes, int maxImages, CancellationToken cancellationToken)
    {
        var images = new List<ImageUpload>();
        try
        {
            await foreach (var image in ReadEachAsync(request, maxImageBytes, maxImages, cancellationToken))
                images.Add(image);
        }
        catch
        {
            new ImageUploads(images).Dispose();
            throw;
        }
        return new ImageUploads(images);
    }

    /// <summary>
    /// The images one by one, each as soon as all of it has arrived and before the next is read, so that a batch can be
    /// worked on part by part and need not be held whole. Each holds its own share of the request memory budget until
    /// the caller disposes it (the images already yielded too, when a later one fails).
    /// </summary>
    public static async IAsyncEnumerable<ImageUpload> ReadEachAsync(HttpRequest request, long maxImageBytes, int maxImages,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var bodyLimit = maxImageBytes * Math.Max(1, maxImages) + ImageLimitsOptions.EnvelopeBytes;
        var reportedLimit = maxImages == 1 ? maxImageBytes : bodyLimit;
        if (request.ContentLength is { } declared && declared > bodyLimit)
            throw RequestBodyErrors.TooLarge(reportedLimit);
        request.LimitBody(bodyLimit);
        // Each image holds a part of the request's lease: given back with the image, counted in the request's total.
        var requestLease = request.LeaseMemory();

        var contentType = request.ContentType;
        if (MediaTypeHeaderValue.TryParse(contentType, out var mediaType) && mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var reader = MultipartReaderFor(request, mediaType);
            var count = 0;
            while (await GuardAsync(() => NextImagePartAsync(reader, maxImages, cancellationToken), reportedLimit, cancellationToken) is { } part)
            {
                if (count == maxImages)
                    throw new InvalidRequestException($"At most {maxImages} image(s) per request (MobileViT__Limits__MaxImagesPerRequest).", ErrorCodes.BadBatch);
                yield return await GuardAsync(() => ReadImageAsync(requestLease, part.Section.Body, null, maxImageBytes, part.FileName, cancellationToken),
                    reportedLimit, cancellationToken);
                count++;
            }
            if (count == 0)
            {
                throw new InvalidRequestException(maxImages == 1
                    ? "The multipart body has no 'image' field."
                    : "The multipart body has no images; send each as a file part (e.g. curl -F images=@a.jpg -F images=@b.jpg).", ErrorCodes.EmptyImage);
            }
            yield break;
        }

        if (maxImages > 1 || !IsImageContentType(mediaType))
            throw RequestBodyErrors.UnsupportedMediaType(ClientText.Excerpt(contentType), Accepted);
        var image = await GuardAsync(() => ReadImageAsync(requestLease, request.Body, request.ContentLength, maxImageBytes, null, cancellationToken),
            reportedLimit, cancellationToken);
        if (image.Bytes.Length == 0)
        {
            image.Dispose();
            throw new InvalidRequestException("The request body is empty; send the encoded image as the body.", ErrorCodes.EmptyImage);
        }
        yield return image;
    }

    private static bool IsImageContentType(MediaTypeHeaderValue? mediaType) =>
        mediaType is not null &&
        (mediaType.MediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) ||
         mediaType.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase));

    private static MultipartReader MultipartReaderFor(HttpRequest request, MediaTypeHeaderValue mediaType)
    {
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            throw new InvalidRequestException("multipart/form-data without a boundary.", ErrorCodes.BadMultipart);
        if (boundary.Length > MaxBoundaryLength)
            throw new InvalidRequestException($"The multipart boundary is {boundary.Length} characters long; RFC 2046 allows at most {MaxBoundaryLength}.", ErrorCodes.BadMultipart);
        try
        {
            return new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
        }
        catch (ArgumentException)
        {
            throw new InvalidRequestException("The multipart boundary is not one the reader accepts.", ErrorCodes.BadMultipart);
        }
    }

    private sealed record ImagePart(MultipartSection Section, string? FileName);

    /// <summary>The next part that carries an image (parts that do not are read past), or null after the last.</summary>
    private static async ValueTask<ImagePart?> NextImagePartAsync(MultipartReader reader, int maxImages, CancellationToken cancellationToken)
    {
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ||
                !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                continue;
            var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            var isImageField = maxImages == 1
                ? string.Equals(field, "image", StringComparison.OrdinalIgnoreCase)
                : disposition.IsFileDisposition() || string.Equals(field, "image", StringComparison.OrdinalIgnoreCase) || string.Equals(field, "images", StringComparison.OrdinalIgnoreCase);
            if (isImageField)
                return new ImagePart(section, HeaderUtilities.RemoveQuotes(disposition.FileName).Value);
        }
        return null;
    }

    /// <summary>
    /// Reads a body or part as it arrives into a buffer of its own with its own budget share; the first chunk is sized
    /// from Content-Length when known, up to one chunk. Refused (413) as soon as more than <paramref name="limit"/> bytes arrive.
    /// </summary>
    private static async ValueTask<ImageUpload> ReadImageAsync(RequestMemoryLease requestLease, Stream body, long? declaredLength, long limit, string? fileName,
        CancellationToken cancellationToken)
    {
        var lease = requestLease.Part();
        var buffer = new RequestBuffer(lease, declaredLength is > 0 and var n && n <= limit ? n : 0);
        try
        {
            while (true)
            {
                var space = buffer.GetMemory();
                int read;
                try
                {
                    read = await body.ReadAsync(space[..(int)Math.Min(space.Length, limit + 1 - buffer.Length)], cancellationToken);
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    throw RequestBodyErrors.TooLarge(limit);
                }
                if (read == 0)
                {
                    buffer.ToMemory();
                    return new ImageUpload(buffer, lease, fileName);
                }
                buffer.Advance(read);
                if (buffer.Length > limit)
                    throw RequestBodyErrors.TooLarge(limit);
            }
        }
        catch
        {
            buffer.Dispose();
            lease.Dispose();
            throw;
        }
    }

    /// <summary>Turns what reading the body can throw into counted errors: a multipart body that does not parse, Kestrel's refusals, a broken connection.</summary>
    private static ValueTask<T> GuardAsync<T>(Func<ValueTask<T>> read, long limit, CancellationToken cancellationToken) =>
        RequestBodyErrors.GuardAsync(async () =>
        {
            try
            {
                return await read();
            }
            catch (InvalidDataException e)
            {
                throw new InvalidRequestException($"The multipart body could not be read: {ClientText.Excerpt(e.Message)}", ErrorCodes.BadMultipart);
            }
        }, limit, cancellationToken);
}
