using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace MobileViT.Service.Http;

/// <summary>
/// Reads images from a request: the raw body (<c>image/*</c>, <c>application/octet-stream</c>) or multipart/form-data
/// parts, streaming with a byte limit so an oversized body is refused without being buffered.
/// </summary>
public static class ImageUploadReader
{
    public sealed record Outcome(IReadOnlyList<ImageUpload> Images, IResult? Problem);

    public static async Task<Outcome> ReadAsync(HttpRequest request, long maxImageBytes, int maxImages, CancellationToken cancellationToken)
    {
        var contentType = request.ContentType;
        var bodyLimit = maxImageBytes * Math.Max(1, maxImages) + 64 * 1024;
        if (request.ContentLength is { } declared && declared > bodyLimit)
            return Fail(Problems.TooLarge(maxImages == 1 ? maxImageBytes : bodyLimit));
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = bodyLimit;

        if (MediaTypeHeaderValue.TryParse(contentType, out var mediaType) && mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return await ReadMultipartAsync(request, mediaType, maxImageBytes, maxImages, cancellationToken);

        if (maxImages > 1)
            return Fail(Problems.UnsupportedMediaType(contentType));
        if (!IsImageContentType(mediaType))
            return Fail(Problems.UnsupportedMediaType(contentType));

        var (bytes, tooLarge) = await ReadLimitedAsync(request.Body, maxImageBytes, cancellationToken);
        if (tooLarge)
            return Fail(Problems.TooLarge(maxImageBytes));
        if (bytes.Length == 0)
            return Fail(Problems.BadRequest("The request body is empty; send the encoded image as the body.", "empty-image"));
        return new Outcome([new ImageUpload(bytes, null)], null);
    }

    private static bool IsImageContentType(MediaTypeHeaderValue? mediaType) =>
        mediaType is not null &&
        (mediaType.MediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) ||
         mediaType.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase));

    private static async Task<Outcome> ReadMultipartAsync(HttpRequest request, MediaTypeHeaderValue mediaType, long maxImageBytes, int maxImages,
        CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            return Fail(Problems.BadRequest("multipart/form-data without a boundary."));

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
                    return Fail(Problems.BadRequest($"At most {maxImages} image(s) per request (MobileViT__Limits__MaxImagesPerRequest)."));
                var (bytes, tooLarge) = await ReadLimitedAsync(section.Body, maxImageBytes, cancellationToken);
                if (tooLarge)
                    return Fail(Problems.TooLarge(maxImageBytes));
                images.Add(new ImageUpload(bytes, HeaderUtilities.RemoveQuotes(disposition.FileName).Value));
            }
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail(Problems.BadRequest($"The multipart body could not be read: {e.Message}", "bad-multipart"));
        }
        catch (InvalidDataException e)
        {
            return Fail(Problems.BadRequest($"The multipart body could not be read: {e.Message}", "bad-multipart"));
        }

        if (images.Count == 0)
            return Fail(Problems.BadRequest(maxImages == 1
                ? "The multipart body has no 'image' field."
                : "The multipart body has no images; send each as a file part (e.g. curl -F images=@a.jpg -F images=@b.jpg).", "empty-image"));
        return new Outcome(images, null);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; reports too large as soon as one more byte arrives.</summary>
    private static async Task<(ReadOnlyMemory<byte> Bytes, bool TooLarge)> ReadLimitedAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        while (true)
        {
            var memory = buffer.GetMemory(64 * 1024);
            int read;
            try
            {
                read = await body.ReadAsync(memory, cancellationToken);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return (default, true);
            }
            if (read == 0)
                return (buffer.WrittenMemory, false);
            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
                return (default, true);
        }
    }

    private static Outcome Fail(IResult problem) => new([], problem);
}
