using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using MobileViT.Inference.Serving;
using MobileViT.Service.Transport;

namespace MobileViT.Service.Http;

/// <summary>
/// Reads images from a request: the raw body (<c>image/*</c>, <c>application/octet-stream</c>) or multipart/form-data
/// parts, streaming with a byte limit so an oversized body is refused without being buffered. Whatever is wrong with
/// the body is thrown as an <see cref="InferenceException"/> (invalid input), so the request path counts it.
/// </summary>
internal static class ImageUploadReader
{
    private const string Accepted = "Send the encoded image as the body with Content-Type image/* or application/octet-stream, " +
                                    "or as multipart/form-data field 'image'.";

    /// <summary>The images read; disposing them (or the input made of them) returns their buffers to the pool.</summary>
    public static async ValueTask<ImageUploads> ReadAsync(HttpRequest request, long maxImageBytes, int maxImages, CancellationToken cancellationToken)
    {
        var bodyLimit = maxImageBytes * Math.Max(1, maxImages) + 64 * 1024;
        return new ImageUploads(await RequestBodyErrors.GuardAsync(() => ReadImagesAsync(request, maxImageBytes, maxImages, bodyLimit, cancellationToken),
            maxImages == 1 ? maxImageBytes : bodyLimit));
    }

    private static async ValueTask<List<ImageUpload>> ReadImagesAsync(HttpRequest request, long maxImageBytes, int maxImages, long bodyLimit,
        CancellationToken cancellationToken)
    {
        var contentType = request.ContentType;
        if (request.ContentLength is { } declared && declared > bodyLimit)
            throw RequestBodyErrors.TooLarge(maxImages == 1 ? maxImageBytes : bodyLimit);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = bodyLimit;

        if (MediaTypeHeaderValue.TryParse(contentType, out var mediaType) && mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return await ReadMultipartAsync(request, mediaType, maxImageBytes, maxImages, cancellationToken);

        if (maxImages > 1 || !IsImageContentType(mediaType))
            throw RequestBodyErrors.UnsupportedMediaType(contentType, Accepted);

        var image = await ReadLimitedAsync(request.Body, request.ContentLength, maxImageBytes, null, cancellationToken)
            ?? throw RequestBodyErrors.TooLarge(maxImageBytes);
        if (image.Bytes.Length == 0)
        {
            image.Dispose();
            throw new InvalidRequestException("The request body is empty; send the encoded image as the body.", "empty-image");
        }
        return [image];
    }


    private static bool IsImageContentType(MediaTypeHeaderValue? mediaType) =>
        mediaType is not null &&
        (mediaType.MediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) ||
         mediaType.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase));

    private static async Task<List<ImageUpload>> ReadMultipartAsync(HttpRequest request, MediaTypeHeaderValue mediaType, long maxImageBytes, int maxImages,
        CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            throw new InvalidRequestException("multipart/form-data without a boundary.", "bad-multipart");

        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
        var images = new List<ImageUpload>();
        try
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
                if (!isImageField)
                    continue;
                if (images.Count == maxImages)
                    throw new InvalidRequestException($"At most {maxImages} image(s) per request (MobileViT__Limits__MaxImagesPerRequest).", "bad-batch");
                var image = await ReadLimitedAsync(section.Body, null, maxImageBytes, HeaderUtilities.RemoveQuotes(disposition.FileName).Value, cancellationToken)
                    ?? throw RequestBodyErrors.TooLarge(maxImageBytes);
                images.Add(image);
            }
        }
        catch (Exception e) when (e is not BadHttpRequestException && e is IOException or InvalidDataException && !cancellationToken.IsCancellationRequested)
        {
            new ImageUploads(images).Dispose();
            throw new InvalidRequestException($"The multipart body could not be read: {e.Message}", "bad-multipart");
        }
        catch
        {
            new ImageUploads(images).Dispose();
            throw;
        }

        if (images.Count == 0)
            throw new InvalidRequestException(maxImages == 1
                ? "The multipart body has no 'image' field."
                : "The multipart body has no images; send each as a file part (e.g. curl -F images=@a.jpg -F images=@b.jpg).", "empty-image");
        return images;
    }

    /// <summary>
    /// Reads a body or part into a pooled buffer, sized from Content-Length when known; returns null as soon as more
    /// than <paramref name="limit"/> bytes arrive.
    /// </summary>
    private static async Task<ImageUpload?> ReadLimitedAsync(Stream body, long? declaredLength, long limit, string? fileName, CancellationToken cancellationToken)
    {
        var pool = ArrayPool<byte>.Shared;
        var buffer = pool.Rent(declaredLength is > 0 and var n && n <= limit ? (int)n + 1 : 64 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = pool.Rent((int)Math.Min(buffer.Length * 2L, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    pool.Return(buffer);
                    buffer = larger;
                }
                int read;
                try
                {
                    read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    read = -1;
                }
                if (read == 0)
                {
                    var upload = new ImageUpload(buffer, length, fileName);
                    buffer = null!;
                    return upload;
                }
                length += Math.Max(read, 0);
                if (read < 0 || length > limit)
                    return null;
            }
        }
        finally
        {
            if (buffer is not null)
                pool.Return(buffer);
        }
    }
}
