using System.Net.Http.Headers;

namespace MobileViT.Service.Testing;

/// <summary>A request body of encoded image bytes with the given Content-Type, as a client posts it to classify or preprocess.</summary>
public static class ImageContent
{
    public static ByteArrayContent Of(byte[] bytes, string contentType = "image/jpeg")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }
}
